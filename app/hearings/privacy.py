"""The hearings part of a user's personal data export (PIPL access right)."""

from sqlalchemy import select

from app.extensions import db
from app.hearings.models import Registration, Suggestion


def hearings_data(user) -> tuple[str, dict]:
    suggestions = db.session.scalars(
        select(Suggestion).where(Suggestion.submitter_id == user.id)
    ).all()
    registrations = db.session.scalars(
        select(Registration).where(Registration.user_id == user.id)
    ).all()
    return "hearings", {
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
        ],
        "registrations": [
            {
                "session_id": r.session_id,
                "session": r.session.title,
                "status": r.status.value,
                "speak_topic": r.speak_topic,
                "attended": r.attended,
                "created_at": r.created_at.isoformat(),
            }
            for r in registrations
        ],
    }
