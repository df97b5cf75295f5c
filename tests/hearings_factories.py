"""Factories for hearings and suggestions tests: made through the real operations, each with an
actor who is allowed to act (found in the community, or appointed for the purpose)."""

from datetime import timedelta

from sqlalchemy import select

from app.accounts.models import Role, RoleAssignment, User
from app.core.time import utcnow
from app.extensions import db
from app.hearings import operations as ops
from app.hearings.models import SessionKind
from app.suggestions import operations as sops
from app.suggestions.models import Category
from tests import factories


def _assigned(role: Role, **where) -> User | None:
    stmt = select(RoleAssignment).where(RoleAssignment.role == role)
    for key, value in where.items():
        stmt = stmt.where(getattr(RoleAssignment, key) == value)
    assignment = db.session.scalars(stmt.order_by(RoleAssignment.id)).first()
    return assignment.user if assignment is not None else None


def secretary_of(community) -> User:
    """The community's (first) secretary, appointed if it has none."""
    return _assigned(Role.SECRETARY, community_id=community.id) or factories.user(
        "secretary", community=community
    )


def deputy_of(station) -> User:
    return _assigned(Role.DEPUTY, station_id=station.id) or factories.user(
        "deputy", station=station
    )


def handler_of(body) -> User:
    return _assigned(Role.HANDLER, body_id=body.id) or factories.user("handler", body=body)


def staff_of(session) -> User:
    """Someone who manages and runs `session`."""
    if session.community is not None:
        return secretary_of(session.community)
    return deputy_of(session.station)


def session(
    community=None,
    *,
    station=None,
    kind=SessionKind.HEARING,
    capacity=None,
    starts_in=timedelta(days=7),
    title="加装电梯听证会",
    actor=None,
    **kw,
):
    starts = utcnow().replace(microsecond=0) + starts_in
    if actor is None:
        actor = secretary_of(community) if community is not None else deputy_of(station)
    return ops.create_session(
        kind=kind,
        title=title,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        place="居委会二楼会议室",
        community_id=community.id if community is not None else None,
        station_id=station.id if station is not None else None,
        capacity=capacity,
        actor=actor,
        **kw,
    )


def suggestion(
    community, submitter=None, *, category=Category.LIFT, summary="3号楼电梯经常停运", text="", **kw
):
    """A suggestion made online by `submitter`, or recorded by the secretary for a walk-in."""
    if submitter is None and "recorded_by" not in kw:
        kw["recorded_by"] = secretary_of(community)
    return sops.submit_suggestion(
        community_id=community.id,
        category=category,
        summary=summary,
        text=text,
        submitter=submitter,
        **kw,
    )


# The operations, with an allowed actor filled in when the test does not name one.


def accept_suggestion(s, body, **kw):
    if "actor" not in kw:
        kw["actor"] = secretary_of(s.community)
    return sops.accept_suggestion(s, body, **kw)


def reroute_suggestion(s, body, **kw):
    if "actor" not in kw:
        kw["actor"] = secretary_of(s.community)
    return sops.reroute_suggestion(s, body, **kw)


def decline_suggestion(s, reason, **kw):
    if "actor" not in kw:
        kw["actor"] = secretary_of(s.community)
    return sops.decline_suggestion(s, reason, **kw)


def answer_suggestion(s, answer, **kw):
    if "actor" not in kw:
        kw["actor"] = handler_of(s.body)
    return sops.answer_suggestion(s, answer, **kw)


def close_suggestion(s, **kw):
    if "actor" not in kw:
        kw["actor"] = secretary_of(s.community)
    return sops.close_suggestion(s, **kw)


def mark_candidate_project(s, title, description, cost, **kw):
    if "actor" not in kw:
        kw["actor"] = secretary_of(s.community)
    return sops.mark_candidate_project(s, title, description, cost, **kw)


def cancel_session(s, reason, **kw):
    if "actor" not in kw:
        kw["actor"] = staff_of(s)
    return ops.cancel_session(s, reason, **kw)


def mark_session_held(s, **kw):
    if "actor" not in kw:
        kw["actor"] = staff_of(s)
    return ops.mark_session_held(s, **kw)


def publish_minutes(s, **kw):
    if "actor" not in kw:
        kw["actor"] = staff_of(s)
    return ops.publish_minutes(s, **kw)


def reschedule_session(s, **kw):
    if "actor" not in kw:
        kw["actor"] = staff_of(s)
    return ops.reschedule_session(s, **kw)


def set_attendance(registration, attended, **kw):
    if "actor" not in kw:
        kw["actor"] = staff_of(registration.session)
    return ops.set_attendance(registration, attended, **kw)


def add_walk_in(s, name="", building_id=None, **kw):
    if "actor" not in kw:
        kw["actor"] = staff_of(s)
    return ops.add_walk_in(s, name, building_id, **kw)
