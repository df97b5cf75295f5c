"""The hearings part of a community's ledger (台账) and data export, as JSON-ready data.

The lead's ledger page calls `ledger_section(community, start, end)`; every value is a plain
string, number or list, so it serialises as JSON and flattens into CSV rows.
"""

from datetime import date, datetime, time

from sqlalchemy import or_, select

from app.core.time import from_local, to_local
from app.extensions import db
from app.hearings.models import HearingSession
from app.suggestions.queries import ledger_suggestions, record_of
from app.suggestions.stats import body_stats


def _iso(value: datetime | None) -> str | None:
    return to_local(value).isoformat() if value else None


def ledger_section(community, start: date, end: date) -> dict:
    """Sessions with minutes and attendance, suggestions with response times and satisfaction, in [start, end]."""
    since = from_local(datetime.combine(start, time.min))
    until = from_local(datetime.combine(end, time.max))
    station_ids = [s.id for s in community.stations]
    sessions = db.session.scalars(
        select(HearingSession)
        .where(
            or_(
                HearingSession.community_id == community.id,
                HearingSession.community_id.is_(None) & HearingSession.station_id.in_(station_ids),
            ),
            HearingSession.starts_at >= since,
            HearingSession.starts_at <= until,
        )
        .order_by(HearingSession.starts_at)
    ).all()
    suggestions = ledger_suggestions(community.id, since, until)
    by_body: dict[str, list] = {}
    for s in suggestions:
        if s.accepted_at is not None and s.body is not None:
            by_body.setdefault(s.body.name, []).append(record_of(s))
    today = to_local(until).date()
    return {
        "sessions": [
            {
                "id": s.id,
                "kind": s.kind.value,
                "title": s.title,
                "starts_at": _iso(s.starts_at),
                "place": s.place,
                "status": s.status.value,
                "cancel_reason": s.cancel_reason,
                "registered": len(s.registered),
                "attended": s.current_minutes.attendance_total
                if s.current_minutes
                else s.attendance_count,
                "minutes_revisions": len(s.minutes),
                "follow_up_actions": [
                    {
                        "text": a.text,
                        "body": a.body.name if a.body else None,
                        "due": a.due_date.isoformat() if a.due_date else None,
                        "done": a.is_done,
                        "done_at": _iso(a.completion.done_at) if a.completion else None,
                    }
                    for a in (s.current_minutes.actions if s.current_minutes else [])
                ],
            }
            for s in sessions
        ],
        "suggestions": [
            {
                "number": s.number,
                "category": s.category.value,
                "summary": s.summary,
                "status": s.status.value,
                "source": s.source.value,
                "body": s.body.name if s.body else None,
                "submitted_at": _iso(s.submitted_at),
                "accepted_at": _iso(s.accepted_at),
                "due": s.due_date.isoformat() if s.due_date else None,
                "first_answered_at": _iso(s.first_answered_at),
                "response_days": (
                    to_local(s.first_answered_at).date() - to_local(s.accepted_at).date()
                ).days
                if s.first_answered_at and s.accepted_at
                else None,
                "answered_on_time": s.answered_on_time,
                "overdue": s.is_overdue,
                "rating": s.rating.value if s.rating else None,
                "reopened": s.reopen_count,
            }
            for s in suggestions
        ],
        "bodies": {
            name: vars(body_stats(records, today)) for name, records in sorted(by_body.items())
        },
    }
