"""Votes as the subject of a hearing (hearings/subjects.py: a (type, options, title) triple, so that
this domain needs nothing from hearings)."""

from sqlalchemy import select

from app.extensions import db
from app.votes.models import Vote


def _options(community_ids: list[int]) -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(Vote.id, Vote.title).where(Vote.community_id.in_(community_ids)).order_by(Vote.id)
    )
    return [(row[0], row[1]) for row in rows]


def _title(vote_id: int) -> str | None:
    vote = db.session.get(Vote, vote_id)
    return vote.title if vote is not None else None


def source() -> tuple:
    """The votes of a session's communities."""
    return ("vote", _options, _title)
