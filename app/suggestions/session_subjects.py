"""Suggestions as the subject of a hearing (hearings/subjects.py, registered by hearings)."""

from sqlalchemy import select

from app.extensions import db
from app.suggestions.models import Suggestion

#: The most recent suggestions only: a list of years of them would help nobody choose.
LIMIT = 200


def options(community_ids: list[int]) -> list[tuple[int, str]]:
    """(id, "number · summary") of the latest suggestions of these communities."""
    rows = db.session.execute(
        select(Suggestion.id, Suggestion.number, Suggestion.summary)
        .where(Suggestion.community_id.in_(community_ids))
        .order_by(Suggestion.id.desc())
        .limit(LIMIT)
    )
    return [(row[0], f"{row[1]} · {row[2]}") for row in rows]


def title(suggestion_id: int) -> str | None:
    """The suggestion's number and summary, or None."""
    s = db.session.get(Suggestion, suggestion_id)
    return f"{s.number} · {s.summary}" if s is not None else None
