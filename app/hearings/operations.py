"""Every write on sessions: each operation checks who acts and its rule, audits, notifies and flushes.

A refusal is a `DomainError` (`NotAllowed`, `Conflict`, `InvalidInput`); the request then keeps
nothing. Suggestions recorded at a session go through the suggestions domain's operation.
"""

import logging
from collections.abc import Sequence
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.accounts.queries import handlers_of_body
from app.core import audit
from app.core.db import is_postgres
from app.core.errors import Conflict, InvalidInput, NotAllowed
from app.core.notifications import N_, notify
from app.core.time import to_local, utcnow
from app.extensions import db
from app.hearings import permissions
from app.hearings.actions import carry_over
from app.hearings.models import (
    SUBJECT_TYPES,
    AgendaItem,
    FollowUpAction,
    HearingSession,
    Minutes,
    Registration,
    RegistrationStatus,
    SessionKind,
    Speaker,
    WalkIn,
)
from app.org.models import Community, Station
from app.suggestions import operations as suggestion_ops
from app.suggestions.models import Category, Suggestion, SuggestionSource

log = logging.getLogger("yishiting.hearings")


def session_link(session: HearingSession) -> str:
    """The session's page, as stored in notifications (a path: operations may run outside a request)."""
    return f"/hearings/sessions/{session.id}"


def _community_of(session: HearingSession):
    return session.community_id if session.community_id is not None else None


def _require_manage(session: HearingSession, actor) -> None:
    if not session.can_manage(actor):
        raise NotAllowed()


def _require_run(session: HearingSession, actor) -> None:
    """Reception work is for the session's own staff (a deputy of *this* station)."""
    if not session.can_run(actor):
        raise NotAllowed()


# --- sessions ----------------------------------------------------------------


def create_session(
    *,
    kind: SessionKind,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    place: str,
    community_id: int | None = None,
    station_id: int | None = None,
    capacity: int | None = None,
    subject_text: str = "",
    subject_type: str | None = None,
    subject_id: int | None = None,
    agenda: list[str] | None = None,
    host_id: int | None = None,
    actor,
) -> HearingSession:
    """Schedule a session; times are naive UTC. A station's staff schedule its sessions, a secretary the community's."""
    if community_id is None and station_id is None:
        raise InvalidInput(_l("A session belongs to a community or a liaison station."))
    station = db.session.get(Station, station_id) if station_id is not None else None
    if station is not None:
        allowed = permissions.is_station_staff(actor, station)
    else:
        community = db.session.get(Community, community_id)
        allowed = community is not None and permissions.can_schedule_in(actor, community)
    if not allowed:
        raise NotAllowed()
    if ends_at < starts_at:
        raise InvalidInput(_l("The session cannot end before it starts."))
    if subject_type and subject_type not in SUBJECT_TYPES:
        raise InvalidInput(_l("Unknown kind of subject."))
    session = HearingSession(
        kind=kind,
        title=title.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip(),
        community_id=community_id,
        station_id=station_id,
        capacity=capacity,
        subject_text=subject_text.strip(),
        subject_type=subject_type or None,
        subject_id=subject_id if subject_type else None,
        host_id=host_id,
        created_by_id=actor.id if actor is not None else None,
    )
    for i, text in enumerate(t.strip() for t in (agenda or []) if t.strip()):
        session.agenda.append(AgendaItem(position=i, text=text[:300]))
    db.session.add(session)
    db.session.flush()
    audit.record(
        "session.create",
        session,
        community=community_id,
        actor=actor,
        detail=f"{kind.value}: {session.title}",
    )
    return session


def _lock_session(session: HearingSession) -> None:
    """Serialise seat counting per session (SQLite already holds the write lock: BEGIN IMMEDIATE)."""
    if is_postgres():
        db.session.execute(
            select(HearingSession.id).where(HearingSession.id == session.id).with_for_update()
        )


def reschedule_session(
    session: HearingSession,
    *,
    starts_at: datetime,
    ends_at: datetime,
    place: str,
    capacity: int | None,
    actor,
) -> HearingSession:
    """Move a scheduled session in time or place; every registrant is told."""
    _require_manage(session, actor)
    session.check_changeable()
    if ends_at < starts_at:
        raise InvalidInput(_l("The session cannot end before it starts."))
    _lock_session(session)
    if capacity is not None and capacity < len(session.registered):
        raise InvalidInput(
            _l(
                "%(num)d residents have registered already; the capacity cannot be lower.",
                num=len(session.registered),
            )
        )
    moved = (starts_at, ends_at, place.strip()) != (
        session.starts_at,
        session.ends_at,
        session.place,
    )
    session.starts_at, session.ends_at, session.place = starts_at, ends_at, place.strip()
    session.capacity = capacity
    session.touch()
    db.session.flush()
    promote_waiting(session, actor=actor)
    audit.record(
        "session.reschedule",
        session,
        community=_community_of(session),
        actor=actor,
        detail=f"{to_local(starts_at):%Y-%m-%d %H:%M} @ {session.place}",
    )
    if moved:
        people = [r.user for r in session.registrations if r.status != RegistrationStatus.CANCELLED]
        notify(
            people,
            N_("The session “%(title)s” was moved to %(when)s, %(place)s."),
            link=session_link(session),
            title=session.title,
            when=f"{to_local(starts_at):%Y-%m-%d %H:%M}",
            place=session.place,
        )
    return session


def cancel_session(session: HearingSession, reason: str, *, actor) -> HearingSession:
    """Cancel a scheduled session with a public reason; registrants are told."""
    _require_manage(session, actor)
    session.cancel(reason)
    db.session.flush()
    audit.record(
        "session.cancel", session, community=_community_of(session), actor=actor, detail=reason
    )
    people = [r.user for r in session.registrations if r.status != RegistrationStatus.CANCELLED]
    notify(
        people,
        N_("The session “%(title)s” was cancelled: %(reason)s"),
        link=session_link(session),
        title=session.title,
        reason=session.cancel_reason,
    )
    return session


def mark_session_held(session: HearingSession, *, actor) -> HearingSession:
    """Record that the session took place (attendance is then final enough for minutes)."""
    _require_run(session, actor)
    session.mark_held()
    db.session.flush()
    audit.record("session.held", session, community=_community_of(session), actor=actor)
    return session


# --- registrations -------------------------------------------------------------


def register_for_session(
    session: HearingSession, user, speak_topic: str = "", actor=None
) -> Registration:
    """Take a seat if one is left, otherwise a place on the waiting list; residents register themselves."""
    actor = actor or user
    if actor is None or actor.id != user.id or not session.can_register(user):
        raise NotAllowed()
    session.check_open_for_registration()
    _lock_session(session)
    db.session.refresh(session)
    existing = db.session.scalar(
        select(Registration).where(
            Registration.session_id == session.id, Registration.user_id == user.id
        )
    )
    if existing is not None and existing.status != RegistrationStatus.CANCELLED:
        raise Conflict(_l("You have registered for this session already."))
    registered = (
        db.session.scalar(
            select(func.count(Registration.id)).where(
                Registration.session_id == session.id,
                Registration.status == RegistrationStatus.REGISTERED,
            )
        )
        or 0
    )
    has_seat = session.capacity is None or registered < session.capacity
    status = RegistrationStatus.REGISTERED if has_seat else RegistrationStatus.WAITING
    now = utcnow()
    if existing is None:
        existing = Registration(session_id=session.id, user_id=user.id)
        db.session.add(existing)
    existing.status = status
    existing.speak_topic = (speak_topic or "").strip()[:200]
    existing.queued_at = now
    existing.cancelled_at = None
    existing.promoted_at = None
    db.session.flush()
    db.session.refresh(session)
    audit.record(
        "session.register",
        existing,
        community=_community_of(session),
        actor=actor or user,
        detail=status.value,
    )
    return existing


def cancel_registration(registration: Registration, actor=None) -> Registration | None:
    """Give up a seat or a waiting place; the first on the waiting list moves up. Returns who moved up."""
    session = registration.session
    actor = actor or registration.user
    if actor is None or actor.id != registration.user_id:
        raise NotAllowed()
    if registration.is_cancelled:
        raise Conflict(_l("This registration was cancelled already."))
    if not session.is_scheduled:
        raise Conflict(_l("This session is no longer open for changes."))
    if not session.registration_open:
        # Otherwise the first on the waiting list would be told a seat came free in a session already under way.
        raise Conflict(_l("Registration is closed: the session has begun or is over."))
    _lock_session(session)
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = utcnow()
    db.session.flush()
    audit.record(
        "session.unregister",
        registration,
        community=_community_of(session),
        actor=actor or registration.user,
    )
    promoted = promote_waiting(session, actor=actor)
    return promoted[0] if promoted else None


def promote_waiting(session: HearingSession, actor=None) -> list[Registration]:
    """Fill free seats from the waiting list, first come first served; tell each promoted resident."""
    db.session.refresh(session)
    promoted = []
    queue = sorted(session.waiting, key=lambda r: (r.queued_at, r.id))
    free = None if session.capacity is None else session.capacity - len(session.registered)
    for registration in queue:
        if free is not None and free <= 0:
            break
        registration.status = RegistrationStatus.REGISTERED
        registration.promoted_at = utcnow()
        promoted.append(registration)
        if free is not None:
            free -= 1
    if promoted:
        db.session.flush()
        for r in promoted:
            audit.record(
                "session.promote",
                r,
                community=_community_of(session),
                actor=actor,
                detail="waiting list → registered",
            )
            notify(
                r.user,
                N_("A seat came free: you are now registered for “%(title)s”."),
                link=session_link(session),
                title=session.title,
            )
    return promoted


def set_attendance(registration: Registration, attended: bool, *, actor) -> Registration:
    """Tick (or untick) a registrant at the door."""
    session = registration.session
    _require_run(session, actor)
    registration.set_attended(attended, utcnow())
    db.session.flush()
    audit.record(
        "session.attendance",
        registration,
        community=_community_of(session),
        actor=actor,
        detail="present" if attended else "absent",
    )
    return registration


def add_walk_in(
    session: HearingSession, name: str = "", building_id: int | None = None, *, actor
) -> WalkIn:
    """Count someone who came without registering; name and building are optional."""
    _require_run(session, actor)
    session.check_attendance_editable()
    walk_in = WalkIn(
        session_id=session.id,
        name=(name or "").strip()[:50],
        building_id=building_id,
        recorded_by_id=actor.id if actor is not None else None,
    )
    db.session.add(walk_in)
    db.session.flush()
    audit.record("session.walk_in", walk_in, community=_community_of(session), actor=actor)
    return walk_in


# --- minutes -----------------------------------------------------------------


def publish_minutes(
    session: HearingSession,
    *,
    summary: str,
    decisions: str = "",
    actions: Sequence[tuple[str, int | None, date | None]] | None = None,
    speakers: Sequence[tuple[str, bool, str] | tuple[str, bool, str, int | None]] | None = None,
    correction_note: str = "",
    actor,
) -> Minutes:
    """Publish the minutes, or a dated correction of them as a new revision (published minutes never change)."""
    _require_manage(session, actor)
    if not summary.strip():
        raise InvalidInput(_l("The minutes need a summary."))
    last = db.session.scalar(
        select(func.max(Minutes.revision)).where(Minutes.session_id == session.id)
    )
    revision = (last or 0) + 1
    if revision > 1 and not correction_note.strip():
        raise InvalidInput(_l("Say what this correction changes."))
    previous = session.current_minutes
    if revision == 1:
        session.publish_minutes_state()
    else:
        session.touch()
    minutes = Minutes(
        session_id=session.id,
        revision=revision,
        summary=summary.strip(),
        decisions=decisions.strip(),
        correction_note=correction_note.strip()[:500],
        attendance_registered=sum(1 for r in session.registered if r.attended),
        attendance_walk_ins=len(session.walk_ins),
        published_by_id=actor.id if actor is not None else None,
        published_at=utcnow(),
    )
    for text, body_id, due in actions or []:
        if text.strip():
            minutes.actions.append(
                FollowUpAction(text=text.strip()[:500], body_id=body_id, due_date=due)
            )
    for name, consent, points, *linked in speakers or []:
        user_id = linked[0] if linked else None
        if points.strip():
            minutes.speakers.append(
                Speaker(
                    # A linked member's name is read from their account, never copied here.
                    name=(name or "").strip()[:50] if consent and user_id is None else "",
                    consent=bool(consent),
                    points=points.strip(),
                    user_id=user_id,
                )
            )
    session.minutes.append(minutes)
    db.session.flush()
    if previous is not None:  # a correction keeps what was already done
        db.session.add_all(carry_over(previous.actions, minutes.actions))
    audit.record(
        "minutes.publish" if revision == 1 else "minutes.correct",
        minutes,
        community=_community_of(session),
        actor=actor,
        detail=f"revision {revision}",
    )
    people = [r.user for r in session.registrations if r.status == RegistrationStatus.REGISTERED]
    notify(
        people,
        N_("The minutes of “%(title)s” are published."),
        link=session_link(session),
        title=session.title,
    )
    for action in minutes.actions:
        if action.body_id:
            notify(
                handlers_of_body(action.body_id),
                N_("A follow-up action from “%(title)s” is assigned to your body."),
                link=session_link(session),
                title=session.title,
            )
    return minutes


def record_suggestion(
    session: HearingSession,
    *,
    community_id: int,
    category: Category,
    summary: str,
    text: str = "",
    building_id: int | None = None,
    walk_in_name: str = "",
    from_minutes: bool = False,
    actor,
) -> Suggestion:
    """Record what a resident said at the session or reception as a suggestion with a tracking number."""
    _require_run(session, actor)
    session.check_not_cancelled()
    if community_id not in {c.id for c in permissions.recordable_communities(actor, session)}:
        raise InvalidInput(_l("Choose one of the communities listed."))
    source = (
        SuggestionSource.MINUTES
        if from_minutes
        else SuggestionSource.RECEPTION
        if session.kind == SessionKind.RECEPTION
        else SuggestionSource.SESSION
    )
    return suggestion_ops.submit_suggestion(
        community_id=community_id,
        category=category,
        summary=summary,
        text=text,
        building_id=building_id,
        walk_in_name=walk_in_name,
        source=source,
        session_id=session.id,
        station_id=session.station_id,
        recorded_by=actor,
        actor=actor,
    )
