"""The hearings part of a user's personal data export (PIPL access right): their registrations
and the minutes' speaker entries linked to their account."""

from sqlalchemy import select

from app.extensions import db
from app.hearings.models import Minutes, Registration, Speaker


def hearings_data(user) -> tuple[str, dict]:
    """Every registration of `user`, with what they asked to speak about."""
    registrations = db.session.scalars(
        select(Registration).where(Registration.user_id == user.id)
    ).all()
    return "hearings", {
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
        "spoke_at": [
            {
                "session_id": minutes.session_id,
                "minutes_revision": minutes.revision,
                "named": speaker.consent,
                "points": speaker.points,
            }
            for speaker, minutes in db.session.execute(
                select(Speaker, Minutes)
                .join(Minutes, Speaker.minutes_id == Minutes.id)
                .where(Speaker.user_id == user.id)
                .order_by(Speaker.id)
            ).all()
        ],
    }
