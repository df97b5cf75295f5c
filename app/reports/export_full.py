"""The secretary's complete export of a community: every row of its own data, personal data
included, table by table, read with `yield_per` so that memory does not grow with the rows.

Tables are read through SQLAlchemy Core from the shared metadata, so a column another domain
adds is exported without a change here. Password hashes never leave the database.
"""

import json
from collections.abc import Iterator

from sqlalchemy import JSON, Boolean, Date, DateTime, Integer, Table, or_, select

from app.extensions import db
from app.reports.formats import Sheet
from app.reports.tables import BOOL, DATE, DATETIME, INT, TEXT, Column

#: Columns that are secrets, not data: never exported.
SECRET_COLUMNS = {("users", "password_hash")}
BATCH = 1000


def _t(name: str) -> Table:
    return db.metadata.tables[name]


def statements(community_id: int) -> list[tuple[str, object]]:
    """(table name, SELECT of the community's rows), parents before children."""
    t = _t
    buildings = select(t("buildings").c.id).where(t("buildings").c.community_id == community_id)
    households = select(t("households").c.id).where(t("households").c.building_id.in_(buildings))
    stations = select(t("station_communities").c.station_id).where(
        t("station_communities").c.community_id == community_id
    )
    members = select(t("memberships").c.user_id).where(
        t("memberships").c.household_id.in_(households)
    )
    staff = select(t("role_assignments").c.user_id).where(
        t("role_assignments").c.community_id == community_id
    )
    sessions = select(t("hearing_sessions").c.id).where(
        or_(
            t("hearing_sessions").c.community_id == community_id,
            t("hearing_sessions").c.community_id.is_(None)
            & t("hearing_sessions").c.station_id.in_(stations),
        )
    )
    minutes = select(t("session_minutes").c.id).where(
        t("session_minutes").c.session_id.in_(sessions)
    )
    pacts = select(t("pacts").c.id).where(t("pacts").c.community_id == community_id)
    versions = select(t("pact_versions").c.id).where(t("pact_versions").c.pact_id.in_(pacts))
    clauses = select(t("clauses").c.id).where(t("clauses").c.version_id.in_(versions))
    comments = select(t("pact_comments").c.id).where(t("pact_comments").c.pact_id.in_(pacts))
    amendments = select(t("pact_amendments").c.id).where(t("pact_amendments").c.pact_id.in_(pacts))
    suggestions = select(t("suggestions").c.id).where(
        t("suggestions").c.community_id == community_id
    )
    votes = select(t("votes").c.id).where(t("votes").c.community_id == community_id)
    projects = select(t("projects").c.id).where(t("projects").c.community_id == community_id)

    def rows(name: str, where) -> tuple[str, object]:
        table = t(name)
        order = [c for c in table.primary_key.columns]
        return name, select(table).where(where).order_by(*order)

    return [
        rows("communities", t("communities").c.id == community_id),
        rows("buildings", t("buildings").c.community_id == community_id),
        rows("households", t("households").c.building_id.in_(buildings)),
        rows("users", or_(t("users").c.id.in_(members), t("users").c.id.in_(staff))),
        rows("consents", t("consents").c.user_id.in_(members)),
        rows("memberships", t("memberships").c.household_id.in_(households)),
        rows("invitations", t("invitations").c.household_id.in_(households)),
        rows("role_assignments", t("role_assignments").c.community_id == community_id),
        rows("bodies", t("bodies").c.community_id == community_id),
        rows("suggestions", t("suggestions").c.community_id == community_id),
        rows("suggestion_events", t("suggestion_events").c.suggestion_id.in_(suggestions)),
        rows("hearing_sessions", t("hearing_sessions").c.id.in_(sessions)),
        rows("session_agenda_items", t("session_agenda_items").c.session_id.in_(sessions)),
        rows("session_registrations", t("session_registrations").c.session_id.in_(sessions)),
        rows("session_walk_ins", t("session_walk_ins").c.session_id.in_(sessions)),
        rows("session_minutes", t("session_minutes").c.session_id.in_(sessions)),
        rows("minutes_actions", t("minutes_actions").c.minutes_id.in_(minutes)),
        rows(
            "minutes_action_completions",
            t("minutes_action_completions").c.action_id.in_(
                select(t("minutes_actions").c.id).where(
                    t("minutes_actions").c.minutes_id.in_(minutes)
                )
            ),
        ),
        rows("minutes_speakers", t("minutes_speakers").c.minutes_id.in_(minutes)),
        rows("pacts", t("pacts").c.community_id == community_id),
        rows("pact_versions", t("pact_versions").c.pact_id.in_(pacts)),
        rows("clauses", t("clauses").c.version_id.in_(versions)),
        rows("pact_positions", t("pact_positions").c.clause_id.in_(clauses)),
        rows("pact_comments", t("pact_comments").c.pact_id.in_(pacts)),
        rows("pact_comment_agrees", t("pact_comment_agrees").c.comment_id.in_(comments)),
        rows("pact_comment_reports", t("pact_comment_reports").c.comment_id.in_(comments)),
        rows("pact_amendments", t("pact_amendments").c.pact_id.in_(pacts)),
        rows(
            "pact_amendment_endorsements",
            t("pact_amendment_endorsements").c.amendment_id.in_(amendments),
        ),
        rows("pact_follows", t("pact_follows").c.pact_id.in_(pacts)),
        rows("projects", t("projects").c.community_id == community_id),
        rows("project_updates", t("project_updates").c.project_id.in_(projects)),
        rows("project_suggestions", t("project_suggestions").c.project_id.in_(projects)),
        rows("votes", t("votes").c.community_id == community_id),
        rows("vote_options", t("vote_options").c.vote_id.in_(votes)),
        rows("vote_electors", t("vote_electors").c.vote_id.in_(votes)),
        rows("participations", t("participations").c.vote_id.in_(votes)),
        rows("ballots", t("ballots").c.vote_id.in_(votes)),
        rows("vote_checkpoints", t("vote_checkpoints").c.vote_id.in_(votes)),
        rows("audit_entries", t("audit_entries").c.community_id == community_id),
    ]


def _kind(column) -> str:
    if isinstance(column.type, Boolean):
        return BOOL
    if isinstance(column.type, DateTime):
        return DATETIME
    if isinstance(column.type, Date):
        return DATE
    if isinstance(column.type, Integer):
        return INT
    return TEXT


def _columns(name: str) -> list:
    return [c for c in _t(name).columns if (name, c.name) not in SECRET_COLUMNS]


def _stream(name: str, stmt) -> Iterator[list]:
    columns = _columns(name)
    json_columns = {c.name for c in columns if isinstance(c.type, JSON)}
    result = db.session.execute(stmt.execution_options(yield_per=BATCH))
    for row in result.mappings():
        yield [
            json.dumps(row[c.name], ensure_ascii=False, sort_keys=True)
            if c.name in json_columns and row[c.name] is not None
            else (str(row[c.name]) if hasattr(row[c.name], "value") else row[c.name])
            for c in columns
        ]


def full_sheets(community_id: int) -> list[Sheet]:
    """Every table's rows of the community, as sheets that read the database as they are written."""
    sheets = []
    for name, stmt in statements(community_id):
        if name not in db.metadata.tables:
            continue
        columns = [Column(c.name, c.name, _kind(c)) for c in _columns(name)]
        sheets.append(Sheet(name, name, columns, _stream(name, stmt)))
    return sheets
