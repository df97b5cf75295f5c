"""Reads that several hearings pages share."""

import functools

from sqlalchemy import Integer, bindparam, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from app.accounts.models import Membership, User
from app.core.time import utcnow
from app.extensions import db
from app.hearings.models import (
    ActionCompletion,
    FollowUpAction,
    HearingSession,
    Minutes,
    Registration,
    RegistrationStatus,
    SessionKind,
    SessionStatus,
    Speaker,
    WalkIn,
)
from app.org.models import Building, Community, Household

#: The minutes' follow-up actions with their bodies and who completed them (both loads below).
_MINUTES_ACTIONS = (
    selectinload(HearingSession.minutes)
    .selectinload(Minutes.actions)
    .selectinload(FollowUpAction.body),
    selectinload(HearingSession.minutes)
    .selectinload(Minutes.actions)
    .selectinload(FollowUpAction.completion)
    .selectinload(ActionCompletion.done_by),
)

#: What the session, attendance and sign-in pages show of each registrant (name and building),
#: each walk-in and the minutes, loaded up front instead of once per person.
SESSION_PAGE = (
    selectinload(HearingSession.registrations)
    .selectinload(Registration.user)
    .selectinload(User.memberships)
    .selectinload(Membership.household)
    .selectinload(Household.building),
    selectinload(HearingSession.walk_ins).selectinload(WalkIn.building),
    *_MINUTES_ACTIONS,
    selectinload(HearingSession.minutes).selectinload(Minutes.speakers),
    selectinload(HearingSession.agenda),
)


#: What the session page shows every reader alike (its cached parts, hearings/pages.py): the
#: registrations only to count seats and place each registrant, none of their names; the minutes
#: with the names of who completed an action and of the speakers linked to an account.
SESSION_PUBLIC = (
    selectinload(HearingSession.registrations),
    *_MINUTES_ACTIONS,
    selectinload(HearingSession.minutes).selectinload(Minutes.speakers).selectinload(Speaker.user),
    selectinload(HearingSession.agenda),
)


def session_public(session_id: int) -> HearingSession | None:
    """A session with what its page shows every reader, in a fixed number of queries."""
    return db.session.scalar(
        select(HearingSession).where(HearingSession.id == session_id).options(*SESSION_PUBLIC)
    )


def session_page(session_id: int) -> HearingSession | None:
    """A session with everything its pages show, in a fixed number of queries."""
    return db.session.scalar(
        select(HearingSession).where(HearingSession.id == session_id).options(*SESSION_PAGE)
    )


def buildings_for(session: HearingSession) -> list[Building]:
    """The buildings of the communities a session concerns (for walk-ins and suggestions)."""
    return list(
        db.session.scalars(
            select(Building)
            .where(Building.community_id.in_(session.community_ids))
            .order_by(Building.community_id, Building.sort_key)
        )
    )


def sessions_of_community(
    community: Community,
) -> tuple[list[HearingSession], list[HearingSession]]:
    """(upcoming, past) sessions of a community, including receptions of the stations serving it."""
    station_ids = [s.id for s in community.stations]
    rows = db.session.scalars(
        select(HearingSession)
        .where(
            or_(
                HearingSession.community_id == community.id,
                (HearingSession.community_id.is_(None))
                & HearingSession.station_id.in_(station_ids),
            )
        )
        .options(selectinload(HearingSession.registrations))
        .order_by(HearingSession.starts_at)
    ).all()
    return _split(rows)


def sessions_of_station(station_id: int) -> tuple[list[HearingSession], list[HearingSession]]:
    rows = db.session.scalars(
        select(HearingSession)
        .where(HearingSession.station_id == station_id)
        .options(selectinload(HearingSession.registrations))
        .order_by(HearingSession.starts_at)
    ).all()
    return _split(rows)


def _split(rows) -> tuple[list[HearingSession], list[HearingSession]]:
    now = utcnow()
    upcoming = [s for s in rows if s.ends_at >= now and s.status == SessionStatus.SCHEDULED]
    past = [s for s in rows if s not in upcoming]
    past.sort(key=lambda s: s.starts_at, reverse=True)
    return upcoming, past


def upcoming_registrations(user) -> list[Registration]:
    """The user's registrations for sessions still to come, each with its session (one statement)."""
    return list(db.session.scalars(_upcoming_statement(), {"user_id": user.id, "now": utcnow()}))


@functools.cache
def _upcoming_statement():
    """`upcoming_registrations`' statement, built once (a statement used again keeps its
    cache key); parameters ``user_id`` and ``now``."""
    return (
        select(Registration)
        .join(HearingSession)
        .options(contains_eager(Registration.session))
        .where(
            Registration.user_id == bindparam("user_id", type_=Integer),
            Registration.status != RegistrationStatus.CANCELLED,
            HearingSession.ends_at >= bindparam("now", type_=HearingSession.ends_at.type),
        )
        .order_by(HearingSession.starts_at)
    )


def speaker_members(session: HearingSession) -> list:
    """The members a minutes speaker entry may be linked to: those registered for the session
    (seated or waiting, not cancelled) whose accounts still exist, by name."""
    users = [
        r.user
        for r in session.registrations
        if r.status != RegistrationStatus.CANCELLED and r.user is not None and r.user.is_active
    ]
    return sorted({u.id: u for u in users}.values(), key=lambda u: (u.display_name, u.id))


def registrations_of(user) -> list[Registration]:
    """Every live registration of `user`, latest session first."""
    return list(
        db.session.scalars(
            select(Registration)
            .join(HearingSession)
            .where(
                Registration.user_id == user.id,
                Registration.status != RegistrationStatus.CANCELLED,
            )
            .options(selectinload(Registration.session).selectinload(HearingSession.registrations))
            .order_by(HearingSession.starts_at.desc())
        )
    )


def receptions_of_deputy(user_id: int) -> list[HearingSession]:
    return list(
        db.session.scalars(
            select(HearingSession)
            .where(HearingSession.kind == SessionKind.RECEPTION, HearingSession.host_id == user_id)
            .options(selectinload(HearingSession.registrations))
            .order_by(HearingSession.starts_at.desc())
        )
    )
