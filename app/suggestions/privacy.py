"""The suggestions part of a user's personal data export (PIPL access right)."""

from sqlalchemy import select

from app.extensions import db
from app.suggestions.models import Suggestion


def suggestions_data(user) -> tuple[str, dict]:
    """Every suggestion `user` made, with its text, status, answer and rating."""
    suggestions = db.session.scalars(
        select(Suggestion).where(Suggestion.submitter_id == user.id)
    ).all()
    return "suggestions", {
        "suggestions": [
            {
                "number": s.number,
                "community_id": s.community_id,
                "category": s.category.value,
                "summary": s.summary,
                "text": s.text,
                "status": s.status.value,
                "submitted_at": s.submitted_at.isoformat(),
                "answer": s.answer,
                "rating": s.rating.value if s.rating else None,
            }
            for s in suggestions
        ]
    }
