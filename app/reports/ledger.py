"""A community's ledger (台账) for a period: pacts, sessions, suggestions, votes and projects."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l

from app.core.time import local_today, to_local, utcnow
from app.org.models import Community
from app.pacts.queries import consensus_for_version
from app.reports import queries
from app.reports.models import Period
from app.reports.sessions import action_table, session_table
from app.reports.suggestions import suggestion_tables
from app.reports.tables import DATE, DATETIME, INT, PERCENT, Column, Table
from app.reports.votes import project_table, vote_table

SECTIONS = [
    ("pacts", _l("Pacts")),
    ("sessions", _l("Sessions")),
    ("suggestions", _l("Suggestions")),
    ("votes", _l("Votes")),
    ("projects", _l("Projects")),
]


@dataclass
class Ledger:
    community: Community
    period: Period
    generated_at: datetime
    tables: list[Table]

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    def section(self, key: str) -> list[Table]:
        return [t for t in self.tables if t.section == key]

    @property
    def sections(self):
        return SECTIONS

    @property
    def is_empty(self) -> bool:
        return not any(t.count for t in self.tables if t.key != "bodies")


def _local_date(value: datetime | None) -> date | None:
    return to_local(value).date() if value else None


def _local_dt(value: datetime | None) -> datetime | None:
    return to_local(value).replace(tzinfo=None) if value else None


def pact_tables(community: Community, period: Period) -> list[Table]:
    versions = Table(
        "pact_versions",
        _l("Pact versions published"),
        [
            Column("pact", _l("Pact")),
            Column("version", _l("Version"), INT),
            Column("published", _l("Published"), DATE),
            Column("clauses", _l("Clauses"), INT),
            Column("comments", _l("Comments received"), INT),
            Column("comments_answered", _l("Comments answered"), INT),
            Column("amendments", _l("Amendments received"), INT),
            Column("accepted", _l("Amendments accepted"), INT),
            Column("rejected", _l("Amendments rejected"), INT),
            Column("consultation_opens", _l("Consultation opened"), DATE),
            Column("consultation_closes", _l("Consultation closed"), DATE),
            Column("ratification", _l("Ratification")),
            Column("ratification_turnout", _l("Ratification turnout"), PERCENT),
        ],
        section="pacts",
    )
    clauses = Table(
        "pact_clauses",
        _l("Participation per clause"),
        [
            Column("pact", _l("Pact")),
            Column("version", _l("Version"), INT),
            Column("clause", _l("Clause"), INT),
            Column("residents", _l("Residents who took a position"), INT),
            Column("households", _l("Households"), INT),
            Column("coverage", _l("Coverage of households"), PERCENT),
        ],
        section="pacts",
    )
    amendments = queries.amendments_in(community.id, period)

    def amendments_link(**filters: str) -> str:
        args: dict[str, Any] = {**period.args, **filters}
        return url_for("reports.items", community_id=community.id, table="amendments", **args)

    answers = Table(
        "amendments",
        _l("Amendments and their answers"),
        [
            Column("pact", _l("Pact")),
            Column("clause", _l("Clause"), INT),
            Column("status", _l("Status")),
            Column("proposed", _l("Proposed"), DATE),
            Column("decided", _l("Decided"), DATE),
            Column("answer", _l("Answer")),
        ],
        section="pacts",
    )
    for a in amendments:
        answers.rows.append(
            {
                "pact": a.pact.title,
                "clause": a.clause.position if a.clause else None,
                "status": str(a.status.label),
                "proposed": _local_date(a.created_at),
                "decided": _local_date(a.decided_at),
                "answer": a.response,
                "_status": a.status.value,
                "_pact": str(a.pact_id),
                "_links": {
                    "pact": url_for("pacts.show", pact_id=a.pact_id),
                    "clause": url_for("pacts.clause", pact_id=a.pact_id, clause_id=a.clause_id),
                },
            }
        )
    for v in queries.published_versions(community.id, period):
        pact = v.pact
        received, answered = queries.comment_figures(pact.id, period)
        n, accepted, rejected = queries.accepted_and_rejected(amendments, pact.id)
        vote = queries.ratification_of(v.id)
        adopted = (vote.result or {}).get("adopted") if vote is not None else None
        pact_link = url_for("pacts.show", pact_id=pact.id)
        versions.rows.append(
            {
                "pact": pact.title,
                "version": v.number,
                "published": _local_date(v.published_at),
                "clauses": len(v.clauses),
                "comments": received,
                "comments_answered": answered,
                "amendments": n,
                "accepted": accepted,
                "rejected": rejected,
                "consultation_opens": _local_date(pact.consultation_opens_at),
                "consultation_closes": _local_date(pact.consultation_closes_at),
                "ratification": ""
                if vote is None
                else str(_l("Adopted") if adopted else _l("Not adopted")),
                "ratification_turnout": (vote.result or {}).get("ballots", 0) / vote.electorate_size
                if vote is not None and vote.electorate_size
                else None,
                "_links": {
                    "pact": pact_link,
                    "version": pact_link,
                    "clauses": pact_link,
                    "comments": pact_link,
                    "comments_answered": pact_link,
                    "amendments": amendments_link(pact=str(pact.id)),
                    "accepted": amendments_link(pact=str(pact.id), status="accepted"),
                    "rejected": amendments_link(pact=str(pact.id), status="rejected"),
                    "ratification_turnout": url_for("votes.vote_page", vote_id=vote.id)
                    if vote is not None
                    else None,
                },
            }
        )
        figures = consensus_for_version(v, community.id)
        for clause in v.clauses:
            c = figures.get(clause.id)
            link = url_for("pacts.clause", pact_id=pact.id, clause_id=clause.id)
            clauses.rows.append(
                {
                    "pact": pact.title,
                    "version": v.number,
                    "clause": clause.position,
                    "residents": c.total if c else 0,
                    "households": c.households if c else 0,
                    "coverage": c.coverage if c else 0.0,
                    "_links": {
                        "version": link,
                        "clause": link,
                        "residents": link,
                        "households": link,
                        "coverage": link,
                    },
                }
            )
    return [versions, clauses, answers]


def build_ledger(community: Community, period: Period, today: date | None = None) -> Ledger:
    """Every table of the community's ledger for the period (read only)."""
    today = today or local_today()
    sessions = queries.sessions_in(community, period)
    votes = queries.votes_in(community.id, period)
    tables = [
        *pact_tables(community, period),
        session_table(sessions, period),
        action_table(sessions),
        *suggestion_tables(community, period, today),
        vote_table(votes),
        project_table(votes),
    ]
    return Ledger(community, period, _local_dt(utcnow()) or utcnow(), tables)


__all__ = ["DATETIME", "Ledger", "build_ledger"]
