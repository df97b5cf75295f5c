"""What the home page shows each role about sessions: upcoming ones, registrations, receptions."""

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.models import Role
from app.accounts.permissions import communities_where, station_ids_of_deputy
from app.core.home import HomeItem, HomeSection
from app.core.time import utcnow
from app.extensions import db
from app.hearings.models import HearingSession, SessionKind, SessionStatus
from app.hearings.queries import upcoming_registrations


def _link(s: HearingSession) -> str:
    return url_for("hearings.session", session_id=s.id)


def secretary_sections(user) -> list[HomeSection]:
    """Upcoming sessions of the communities the user runs."""
    communities = communities_where(user, [Role.SECRETARY])
    if not communities:
        return []
    sessions = db.session.scalars(
        select(HearingSession)
        .where(
            HearingSession.community_id.in_([c.id for c in communities]),
            HearingSession.status == SessionStatus.SCHEDULED,
            HearingSession.ends_at >= utcnow(),
        )
        .order_by(HearingSession.starts_at)
        .limit(5)
    ).all()
    if not sessions:
        return []
    return [
        HomeSection(
            title=_("Upcoming sessions"),
            priority=5,
            items=[
                HomeItem(
                    f"{s.kind.label}: {s.title}",
                    _link(s),
                    _("%(num)d registered", num=len(s.registered)),
                    "neutral",
                )
                for s in sessions
            ],
            more_link=url_for("hearings.community_index", community_id=communities[0].id),
            more_label=_("All sessions"),
        )
    ]


def resident_sections(user) -> list[HomeSection]:
    """The sessions the resident registered for."""
    regs = upcoming_registrations(user)
    if not regs:
        return []
    return [
        HomeSection(
            title=_("Sessions I registered for"),
            priority=10,
            items=[
                HomeItem(
                    f"{r.session.kind.label}: {r.session.title}",
                    _link(r.session),
                    str(r.status.label),
                    "ok" if r.is_registered else "warn",
                )
                for r in regs
            ],
        )
    ]


def deputy_sections(user) -> list[HomeSection]:
    """The deputy's upcoming receptions."""
    station_ids = station_ids_of_deputy(user)
    if not station_ids:
        return []
    rows = db.session.scalars(
        select(HearingSession)
        .where(
            HearingSession.station_id.in_(station_ids),
            HearingSession.kind == SessionKind.RECEPTION,
            HearingSession.status == SessionStatus.SCHEDULED,
            HearingSession.ends_at >= utcnow(),
        )
        .order_by(HearingSession.starts_at)
        .limit(10)
    ).all()
    items = [
        HomeItem(
            s.title,
            _link(s),
            _("You receive") if s.host_id == user.id else "",
            "info",
        )
        for s in rows
    ]
    return [
        HomeSection(
            title=_("Upcoming receptions"),
            items=items,
            priority=12,
            more_link=url_for("hearings.station", station_id=station_ids[0]),
            more_label=_("Station page"),
        )
    ]
