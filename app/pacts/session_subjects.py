"""Pacts as the subject of a hearing (hearings/subjects.py: a (type, options, title) triple, so that
this domain needs nothing from hearings)."""

from sqlalchemy import select

from app.extensions import db
from app.pacts.models import Pact


def _options(community_ids: list[int]) -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(Pact.id, Pact.title).where(Pact.community_id.in_(community_ids)).order_by(Pact.id)
    )
    return [(row[0], row[1]) for row in rows]


def _title(pact_id: int) -> str | None:
    pact = db.session.get(Pact, pact_id)
    return pact.title if pact is not None else None


def source() -> tuple:
    """The pacts of a session's communities."""
    return ("pact", _options, _title)
