"""The subdistrict roll-up: every community's ledger figures for one period, side by side."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from app.org.models import Subdistrict
from app.reports import figures, queries
from app.reports.ledger import build_ledger
from app.reports.models import Period
from app.reports.tables import INT, PERCENT, Column, Table


@dataclass
class Rollup:
    subdistrict: Subdistrict
    period: Period
    table: Table


COLUMNS = [
    Column("community", _l("Community")),
    Column("pact_participation", _l("Highest clause coverage"), PERCENT),
    Column("sessions", _l("Sessions held"), INT),
    Column("attended", _l("Attendance"), INT),
    Column("suggestions", _l("Suggestions received"), INT),
    Column("on_time_rate", _l("On-time rate"), PERCENT),
    Column("satisfaction", _l("Satisfaction"), PERCENT),
    Column("votes", _l("Votes held"), INT),
    Column("turnout", _l("Median turnout"), PERCENT),
]


def build_rollup(subdistrict: Subdistrict, period: Period) -> Rollup:
    table = Table("rollup", _l("Communities side by side"), COLUMNS)
    for community in queries.communities_of(subdistrict.id):
        ledger = build_ledger(community, period)
        clauses = ledger.table("pact_clauses").rows
        sessions = [r for r in ledger.table("sessions").rows if r["attended"]]
        everything = ledger.table("bodies").rows[-1]
        votes = [r for r in ledger.table("votes").rows if r["turnout"] is not None]
        table.rows.append(
            {
                "community": community.name,
                "pact_participation": max((r["coverage"] for r in clauses), default=None),
                "sessions": len(sessions),
                "attended": sum(r["attended"] for r in sessions),
                "suggestions": everything["received"],
                "on_time_rate": everything["on_time_rate"],
                "satisfaction": everything["satisfaction"],
                "votes": len(ledger.table("votes").rows),
                "turnout": figures.median([r["turnout"] for r in votes]) if votes else None,
                "_community_id": community.id,
            }
        )
    return Rollup(subdistrict, period, table)
