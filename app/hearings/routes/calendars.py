"""iCalendar feeds of a community's and a station's sessions, and of one session."""

from datetime import timedelta

from flask import Response, request, url_for
from flask_babel import gettext as _

from app.core.time import utcnow
from app.extensions import db
from app.hearings import bp
from app.hearings.ical import CalendarEvent, calendar
from app.hearings.models import HearingSession
from app.hearings.queries import sessions_of_community, sessions_of_station
from app.hearings.routes.common import session_or_404
from app.org.models import Community, Station


def _ics_response(name: str, sessions: list[HearingSession], filename: str) -> Response:
    host = request.host
    events = []
    for s in sessions:
        desc = s.subject_text or ""
        summary = f"{s.kind.label}: {s.title}"
        if s.is_cancelled:
            desc = f"{_('Cancelled')}: {s.cancel_reason}\n{desc}"
            # Several calendar apps show a subscribed event whatever its STATUS: say it in the title too.
            summary = _("[Cancelled] %(title)s", title=summary)
        events.append(
            CalendarEvent(
                uid=f"session-{s.id}@{host}",
                starts_at=s.starts_at,
                ends_at=s.ends_at,
                summary=summary,
                description=desc.strip(),
                location=s.place,
                url=url_for("hearings.session", session_id=s.id, _external=True),
                status="CANCELLED" if s.is_cancelled else "CONFIRMED",
                sequence=s.sequence,
                updated_at=s.updated_at,
            )
        )
    return Response(
        calendar(name, events),
        mimetype="text/calendar",
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            "Cache-Control": "public, max-age=600",
        },
    )


def webcal_url(endpoint: str, **values) -> str:
    """The feed's address with the webcal:// scheme, which makes phones offer to subscribe to it."""
    url = url_for(endpoint, _external=True, **values)
    return "webcal://" + url.split("://", 1)[1]


def _recent(past: list[HearingSession]) -> list[HearingSession]:
    return [s for s in past if s.starts_at > utcnow() - timedelta(days=180)]


@bp.route("/community/<int:community_id>/calendar.ics")
def community_calendar(community_id: int):
    """The community's sessions as an iCalendar feed that calendar apps subscribe to."""
    community = db.get_or_404(Community, community_id)
    upcoming, past = sessions_of_community(community)
    return _ics_response(
        f"{community.name} · {_('Hearings and meetings')}",
        upcoming + _recent(past),
        f"community-{community.id}.ics",
    )


@bp.route("/station/<int:station_id>/calendar.ics")
def station_calendar(station_id: int):
    """The station's sessions and receptions as an iCalendar feed."""
    station = db.get_or_404(Station, station_id)
    upcoming, past = sessions_of_station(station.id)
    return _ics_response(station.name, upcoming + _recent(past), f"station-{station.id}.ics")


@bp.route("/sessions/<int:session_id>/calendar.ics")
def session_calendar(session_id: int):
    """One session as an iCalendar file, to add it to one's own calendar."""
    session = session_or_404(session_id)
    return _ics_response(session.title, [session], f"session-{session.id}.ics")
