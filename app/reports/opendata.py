"""A community's public record as open data: a ZIP of CSV and JSON files with a data dictionary.

Only what the public pages show already: published pact versions and their clauses, answered
suggestions without anyone's identity (no submitter, walk-in name, recorder or building),
sessions with their agenda and minutes (no speakers' names), and published votes with their
ballot logs (which name voters only as the public pages do, masked, in an open vote).
"""

import json
from collections.abc import Iterator

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from app.extensions import db
from app.hearings.models import AgendaItem, HearingSession, Minutes
from app.org.models import Body, Community
from app.pacts.models import Clause, Pact, PactVersion
from app.reports import queries
from app.reports.formats import Sheet
from app.reports.tables import DATE, DATETIME, INT, TEXT, Column
from app.suggestions.models import Suggestion, SuggestionStatus
from app.votes.queries import export_document

BATCH = 1000
SHOWN = (SuggestionStatus.ANSWERED, SuggestionStatus.CLOSED, SuggestionStatus.REOPENED)

FILES = {
    "pact_clauses": _l("The clauses of every published pact version."),
    "suggestions": _l("Answered suggestions and their answers, without any submitter's identity."),
    "sessions": _l("Sessions of every kind with their attendance."),
    "agenda": _l("The agenda items of each session."),
    "minutes": _l("The published minutes of each session, every revision."),
    "votes": _l("Published votes and their results; each ballot log is in ballot_logs/."),
}

COLUMNS = {
    "pact_clauses": [
        Column("pact_id", _l("Pact number"), INT),
        Column("pact", _l("Pact")),
        Column("version", _l("Version"), INT),
        Column("published", _l("Published"), DATETIME),
        Column("position", _l("Clause"), INT),
        Column("text", _l("Text of the clause")),
    ],
    "suggestions": [
        Column("number", _l("Tracking number")),
        Column("category", _l("Category")),
        Column("summary", _l("Summary")),
        Column("body", _l("Responsible body")),
        Column("status", _l("Status")),
        Column("submitted", _l("Submitted"), DATETIME),
        Column("due", _l("Due"), DATE),
        Column("first_answered", _l("First answered"), DATETIME),
        Column("answer", _l("Answer")),
        Column("rating", _l("Rating")),
    ],
    "sessions": [
        Column("session_id", _l("Session number"), INT),
        Column("kind", _l("Kind")),
        Column("title", _l("Title")),
        Column("starts_at", _l("Date"), DATETIME),
        Column("place", _l("Place")),
        Column("status", _l("Status")),
    ],
    "agenda": [
        Column("session_id", _l("Session number"), INT),
        Column("position", _l("Order"), INT),
        Column("text", _l("Agenda item")),
    ],
    "minutes": [
        Column("session_id", _l("Session number"), INT),
        Column("revision", _l("Revision"), INT),
        Column("published", _l("Published"), DATETIME),
        Column("summary", _l("Minutes")),
        Column("decisions", _l("Decisions")),
        Column("attendance_registered", _l("Registered residents who attended"), INT),
        Column("attendance_walk_ins", _l("Walk-ins"), INT),
    ],
    "votes": [
        Column("vote_id", _l("Vote number"), INT),
        Column("title", _l("Title")),
        Column("method", _l("Method")),
        Column("electorate", _l("Electorate"), INT),
        Column("ballots", _l("Ballots cast"), INT),
        Column("root", _l("Merkle root")),
        Column("result", _l("Result (JSON, as in the ballot log)")),
        Column("ballot_log", _l("File of the ballot log")),
    ],
}


def _stream(stmt) -> Iterator:
    yield from db.session.execute(stmt.execution_options(yield_per=BATCH))


def _station_ids(community: Community) -> list[int]:
    return [s.id for s in community.stations]


def _sessions_where(community: Community):
    return or_(
        HearingSession.community_id == community.id,
        HearingSession.community_id.is_(None)
        & HearingSession.station_id.in_(_station_ids(community)),
    )


def _rows(name: str, community: Community) -> Iterator[list]:
    cid = community.id
    if name == "pact_clauses":
        stmt = (
            select(Pact.id, Pact.title, PactVersion.number, PactVersion.published_at)
            .add_columns(Clause.position, Clause.text)
            .join(PactVersion, PactVersion.pact_id == Pact.id)
            .join(Clause, Clause.version_id == PactVersion.id)
            .where(Pact.community_id == cid, PactVersion.published_at.is_not(None))
            .order_by(Pact.id, PactVersion.number, Clause.position)
        )
        for row in _stream(stmt):
            yield list(row)
    elif name == "suggestions":
        stmt = (
            select(Suggestion, Body.name)
            .outerjoin(Body, Body.id == Suggestion.body_id)
            .where(Suggestion.community_id == cid, Suggestion.status.in_(SHOWN))
            .where(Suggestion.answer != "")
            .order_by(Suggestion.id)
        )
        for s, body in _stream(stmt):
            yield [
                s.number,
                str(s.category.label),
                s.summary,
                body or "",
                str(s.status.label),
                s.submitted_at,
                s.due_date,
                s.first_answered_at,
                s.answer,
                str(s.rating.label) if s.rating else "",
            ]
            db.session.expunge(s)
    elif name == "sessions":
        stmt = select(HearingSession).where(_sessions_where(community)).order_by(HearingSession.id)
        for (h,) in _stream(stmt):
            yield [h.id, str(h.kind.label), h.title, h.starts_at, h.place, str(h.status.label)]
    elif name == "agenda":
        stmt = (
            select(AgendaItem.session_id, AgendaItem.position, AgendaItem.text)
            .join(HearingSession, HearingSession.id == AgendaItem.session_id)
            .where(_sessions_where(community))
            .order_by(AgendaItem.session_id, AgendaItem.position)
        )
        for row in _stream(stmt):
            yield list(row)
    elif name == "minutes":
        stmt = (
            select(
                Minutes.session_id,
                Minutes.revision,
                Minutes.published_at,
                Minutes.summary,
                Minutes.decisions,
                Minutes.attendance_registered,
                Minutes.attendance_walk_ins,
            )
            .join(HearingSession, HearingSession.id == Minutes.session_id)
            .where(_sessions_where(community))
            .order_by(Minutes.session_id, Minutes.revision)
        )
        for row in _stream(stmt):
            yield list(row)
    elif name == "votes":
        for v in queries.published_votes(cid):
            result = v.result or {}
            yield [
                v.id,
                v.title,
                str(v.method.label),
                v.electorate_size,
                result.get("ballots"),
                v.final_root or "",
                json.dumps(result, ensure_ascii=False, sort_keys=True),
                f"ballot_logs/vote-{v.id}.json",
            ]


def open_sheets(community: Community) -> list[Sheet]:
    return [Sheet(n, FILES[n], COLUMNS[n], _rows(n, community)) for n in FILES]


def ballot_logs(community: Community) -> Iterator[tuple[str, str]]:
    """(file name, JSON) of every published vote's ballot log, one at a time."""
    for v in queries.published_votes(community.id):
        yield f"ballot_logs/vote-{v.id}.json", json.dumps(export_document(v), ensure_ascii=False)


def dictionary_rows() -> list[list[str]]:
    """Every file and column explained, in Chinese and English."""
    rows = []
    for name, about in FILES.items():
        for fmt in ("csv", "json"):
            with force_locale("zh_Hans_CN"):
                zh_about = str(about)
            with force_locale("en"):
                en_about = str(about)
            rows.append([f"{name}.{fmt}", "", TEXT, zh_about, en_about])
        for c in COLUMNS[name]:
            with force_locale("zh_Hans_CN"):
                zh = str(c.label)
            with force_locale("en"):
                en = str(c.label)
            rows.append([f"{name}.csv / {name}.json", c.key, c.kind, zh, en])
    with force_locale("zh_Hans_CN"):
        zh_logs = str(
            _l(
                "A published vote's ballot log (yishiting-ballot-log), checked by tools/verify_ballot_log.py."
            )
        )
    with force_locale("en"):
        en_logs = str(
            _l(
                "A published vote's ballot log (yishiting-ballot-log), checked by tools/verify_ballot_log.py."
            )
        )
    rows.append(["ballot_logs/vote-<id>.json", "", "json", zh_logs, en_logs])
    return rows


DICTIONARY_COLUMNS = [
    Column("file", "file"),
    Column("column", "column"),
    Column("kind", "kind"),
    Column("zh", "说明 (中文)"),
    Column("en", "meaning (English)"),
]
