"""The pacts part of a user's personal data export (PIPL access right)."""

from sqlalchemy import select

from app.extensions import db
from app.pacts.models import Amendment, Clause, Comment, PactFollow, Position


def pacts_data(user) -> tuple[str, dict]:
    comments = db.session.scalars(
        select(Comment).where(Comment.author_id == user.id).order_by(Comment.id)
    ).all()
    amendments = db.session.scalars(
        select(Amendment).where(Amendment.author_id == user.id).order_by(Amendment.id)
    ).all()
    positions = db.session.execute(
        select(Position, Clause)
        .join(Clause, Clause.id == Position.clause_id)
        .where(Position.user_id == user.id)
    ).all()
    follows = db.session.scalars(
        select(PactFollow.pact_id).where(PactFollow.user_id == user.id)
    ).all()
    return "pacts", {
        "comments": [
            {
                "id": c.id,
                "pact_id": c.pact_id,
                "clause_id": c.clause_id,
                "parent_id": c.parent_id,
                "body": c.body,
                "created_at": c.created_at.isoformat(),
                "edited_at": c.edited_at.isoformat() if c.edited_at else None,
                "withdrawn": c.withdrawn_at is not None,
                "hidden_reason": c.hidden_reason or None,
            }
            for c in comments
        ],
        "amendments": [
            {
                "id": a.id,
                "pact_id": a.pact_id,
                "clause_id": a.clause_id,
                "text": a.text,
                "reason": a.reason,
                "status": a.status.value,
                "response": a.response,
                "created_at": a.created_at.isoformat(),
            }
            for a in amendments
        ],
        "positions": [
            {
                "clause_id": clause.id,
                "version_id": clause.version_id,
                "stance": p.stance.value,
                "updated_at": p.updated_at.isoformat(),
            }
            for p, clause in positions
        ],
        "following_pact_ids": list(follows),
    }
