"""Who may do what with sessions: predicates with an explicit user, built on `roles_in`.

A station's receptions are run by that station's staff only: a deputy of another liaison
station serving the same community may not take attendance or record suggestions there.
"""

from typing import TYPE_CHECKING

from app.accounts.models import Role
from app.accounts.permissions import roles_in, station_ids_of_deputy
from app.suggestions.permissions import can_record, handles_body

if TYPE_CHECKING:
    from app.hearings.models import HearingSession
    from app.org.models import Community, Station


def _signed_in(user) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False))


def is_deputy_of(user, station_id: int | None) -> bool:
    """Whether `user` is a deputy assigned to the liaison station `station_id`."""
    return _signed_in(user) and station_id is not None and station_id in station_ids_of_deputy(user)


def is_station_staff(user, station: "Station") -> bool:
    """A deputy of the station, or the secretary of a community it serves."""
    if not _signed_in(user):
        return False
    if is_deputy_of(user, station.id):
        return True
    return any(Role.SECRETARY in roles_in(user, c) for c in station.communities)


def can_schedule_in(user, community: "Community | int") -> bool:
    """The community's secretary schedules its hearings and meetings."""
    return Role.SECRETARY in roles_in(user, community)


def can_manage(user, session: "HearingSession") -> bool:
    """Schedule, reschedule, cancel, write minutes."""
    if session.community_id is not None:
        if can_schedule_in(user, session.community_id):
            return True
        station = session.station
        return (
            session.kind == "reception" and station is not None and is_station_staff(user, station)
        )
    return session.station is not None and is_station_staff(user, session.station)


def can_run(user, session: "HearingSession") -> bool:
    """Take attendance, add walk-ins, record suggestions and mark the session held.

    The session's managers may; so may the secretary of a community it concerns. A deputy may
    only at a session of the station they are assigned to (or, for a community's own session
    without a station, as a deputy serving that community).
    """
    if not _signed_in(user):
        return False
    if can_manage(user, session):
        return True
    if any(Role.SECRETARY in roles_in(user, cid) for cid in session.community_ids):
        return True
    if session.station_id is not None:
        return is_deputy_of(user, session.station_id)
    return any(Role.DEPUTY in roles_in(user, cid) for cid in session.community_ids)


def can_register(user, session: "HearingSession") -> bool:
    """A resident of a community the session concerns may register."""
    return any(Role.RESIDENT in roles_in(user, cid) for cid in session.community_ids)


def can_mark_action_done(user, session: "HearingSession", body_id: int | None) -> bool:
    """A follow-up action of `session` is marked done by the secretary of a community the session
    concerns, or by a handler of the body responsible for it."""
    return is_secretary_for(user, session) or handles_body(user, body_id)


def is_secretary_for(user, session: "HearingSession") -> bool:
    """Whether `user` is the secretary of a community the session concerns."""
    return _signed_in(user) and any(
        Role.SECRETARY in roles_in(user, cid) for cid in session.community_ids
    )


def recordable_communities(user, session: "HearingSession") -> list:
    """The communities for which `user` may record a suggestion at `session` (none if they may not run it)."""
    if not can_run(user, session):
        return []
    communities = (
        [session.community]
        if session.community is not None
        else list(session.station.communities)
        if session.station is not None
        else []
    )
    staff = session.station is not None and is_station_staff(user, session.station)
    return [c for c in communities if staff or can_record(user, c)]
