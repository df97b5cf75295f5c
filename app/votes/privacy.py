"""The votes section of a person's data export."""

from sqlalchemy import select

from app.extensions import db
from app.votes.models import Participation, Vote


def votes_data(user) -> tuple[str, list]:
    """The votes `user` took part in (never how: a secret ballot is not linked to its voter)."""
    rows = db.session.execute(
        select(Participation, Vote)
        .join(Vote, Vote.id == Participation.vote_id)
        .where(Participation.user_id == user.id)
        .order_by(Participation.at)
    ).all()
    return "votes", [
        {
            "vote": v.id,
            "title": v.title,
            "took_part_at": p.at.isoformat() + "Z",
            "published_name": p.name,
            "secrecy": v.secrecy.value,
        }
        for p, v in rows
    ]
