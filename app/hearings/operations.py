"""Every write in the hearings domain: each operation checks its rule, audits, notifies and flushes.

Operations raise `TransitionError` (a translated message) when a rule refuses the change;
the views show that message and nothing is saved.
"""

import logging
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.accounts.queries import handlers_of_body
from app.core import audit
from app.core.db import is_postgres
from app.core.notifications import N_, notify
from app.core.time import add_working_days, local_today, to_local, utcnow
from app.extensions import db
from app.hearings.models import (
    DEFAULT_DUE_WORKING_DAYS,
    SUBJECT_TYPES,
    SUMMARY_MAX,
    TEXT_MAX,
    AgendaItem,
    Category,
    FollowUpAction,
    HearingSession,
    Minutes,
    Rating,
    Registration,
    RegistrationStatus,
    SessionKind,
    SessionStatus,
    Speaker,
    Suggestion,
    SuggestionEvent,
    SuggestionSource,
    SuggestionStatus,
    TransitionError,
    WalkIn,
)

log = logging.getLogger("yishiting.hearings")


def suggestion_link(s: Suggestion) -> str:
    return f"/hearings/suggestions/{s.number}"


def session_link(session: HearingSession) -> str:
    return f"/hearings/sessions/{session.id}"


def _community_of(session: HearingSession):
    return session.community_id if session.community_id is not None else None


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
    actor=None,
) -> HearingSession:
    """Schedule a session; times are naive UTC."""
    if community_id is None and station_id is None:
        raise TransitionError(_("A session belongs to a community or a liaison station."))
    if ends_at < starts_at:
        raise TransitionError(_("The session cannot end before it starts."))
    if subject_type and subject_type not in SUBJECT_TYPES:
        raise TransitionError(_("Unknown kind of subject."))
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
    actor=None,
) -> HearingSession:
    """Move a scheduled session in time or place; every registrant is told."""
    if session.status != SessionStatus.SCHEDULED:
        raise TransitionError(_("Only a scheduled session can be changed."))
    if ends_at < starts_at:
        raise TransitionError(_("The session cannot end before it starts."))
    _lock_session(session)
    if capacity is not None and capacity < len(session.registered):
        raise TransitionError(
            _(
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


def cancel_session(session: HearingSession, reason: str, actor=None) -> HearingSession:
    """Cancel a scheduled session with a public reason; registrants are told."""
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


def mark_session_held(session: HearingSession, actor=None) -> HearingSession:
    """Record that the session took place (attendance is then final enough for minutes)."""
    session.mark_held()
    db.session.flush()
    audit.record("session.held", session, community=_community_of(session), actor=actor)
    return session


# --- registrations -------------------------------------------------------------


def register_for_session(
    session: HearingSession, user, speak_topic: str = "", actor=None
) -> Registration:
    """Take a seat if one is left, otherwise a place on the waiting list."""
    if session.status == SessionStatus.CANCELLED:
        raise TransitionError(_("This session was cancelled."))
    if not session.registration_open:
        raise TransitionError(_("Registration is closed: the session has begun or is over."))
    _lock_session(session)
    db.session.refresh(session)
    existing = db.session.scalar(
        select(Registration).where(
            Registration.session_id == session.id, Registration.user_id == user.id
        )
    )
    if existing is not None and existing.status != RegistrationStatus.CANCELLED:
        raise TransitionError(_("You have registered for this session already."))
    registered = db.session.scalar(
        select(func.count(Registration.id)).where(
            Registration.session_id == session.id,
            Registration.status == RegistrationStatus.REGISTERED,
        )
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
    if registration.status == RegistrationStatus.CANCELLED:
        raise TransitionError(_("This registration was cancelled already."))
    if session.status != SessionStatus.SCHEDULED:
        raise TransitionError(_("This session is no longer open for changes."))
    if not session.registration_open:
        # Otherwise the first on the waiting list would be told a seat came free in a session already under way.
        raise TransitionError(_("Registration is closed: the session has begun or is over."))
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


def set_attendance(registration: Registration, attended: bool, actor=None) -> Registration:
    """Tick (or untick) a registrant at the door."""
    session = registration.session
    if session.status not in (SessionStatus.SCHEDULED, SessionStatus.HELD):
        raise TransitionError(_("Attendance can no longer be changed for this session."))
    if registration.status != RegistrationStatus.REGISTERED:
        raise TransitionError(_("Only registered residents can be marked present."))
    registration.attended = attended
    registration.attended_at = utcnow() if attended else None
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
    session: HearingSession, name: str = "", building_id: int | None = None, actor=None
) -> WalkIn:
    """Count someone who came without registering; name and building are optional."""
    if session.status not in (SessionStatus.SCHEDULED, SessionStatus.HELD):
        raise TransitionError(_("Attendance can no longer be changed for this session."))
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
    actions: list[tuple[str, int | None, date | None]] | None = None,
    speakers: list[tuple[str, bool, str]] | None = None,
    correction_note: str = "",
    actor=None,
) -> Minutes:
    """Publish the minutes, or a dated correction of them as a new revision (published minutes never change)."""
    if not summary.strip():
        raise TransitionError(_("The minutes need a summary."))
    last = db.session.scalar(
        select(func.max(Minutes.revision)).where(Minutes.session_id == session.id)
    )
    revision = (last or 0) + 1
    if revision > 1 and not correction_note.strip():
        raise TransitionError(_("Say what this correction changes."))
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
    for name, consent, points in speakers or []:
        if points.strip():
            minutes.speakers.append(
                Speaker(
                    name=(name or "").strip()[:50] if consent else "",
                    consent=bool(consent),
                    points=points.strip(),
                )
            )
    session.minutes.append(minutes)
    db.session.flush()
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


# --- suggestions ---------------------------------------------------------------


def next_number(year: int) -> tuple[int, str]:
    """The next tracking number of `year`; the unique constraint on (year, seq) guards races."""
    last = db.session.scalar(select(func.max(Suggestion.seq)).where(Suggestion.year == year)) or 0
    seq = last + 1
    return seq, f"S-{year}-{seq:06d}"


def _event(
    s: Suggestion,
    kind: str,
    actor=None,
    note: str = "",
    rating: Rating | None = None,
    at: datetime | None = None,
) -> SuggestionEvent:
    ev = SuggestionEvent(
        suggestion_id=s.id,
        kind=kind,
        at=at or utcnow(),
        status=s.status,
        note=note,
        body_id=s.body_id,
        rating=rating,
        due_date=s.due_date,
        actor_id=actor.id if actor is not None else None,
    )
    s.events.append(ev)
    return ev


def _check_text(summary: str, text: str) -> None:
    if not summary.strip():
        raise TransitionError(_("Write what your suggestion is about."))
    if len(summary.strip()) > SUMMARY_MAX:
        raise TransitionError(
            _("The summary is too long (at most %(num)d characters).", num=SUMMARY_MAX)
        )
    if len(text or "") > TEXT_MAX:
        raise TransitionError(_("The text is too long (at most %(num)d characters).", num=TEXT_MAX))


def submit_suggestion(
    *,
    community_id: int,
    category: Category,
    summary: str,
    text: str = "",
    building_id: int | None = None,
    submitter=None,
    walk_in_name: str = "",
    source: SuggestionSource = SuggestionSource.ONLINE,
    session_id: int | None = None,
    station_id: int | None = None,
    recorded_by=None,
    actor=None,
    submitted_at: datetime | None = None,
) -> Suggestion:
    """File a suggestion (online, or recorded for someone at a session or reception) with a tracking number."""
    _check_text(summary, text)
    when = submitted_at or utcnow()
    year = to_local(when).year
    fields = dict(
        community_id=community_id,
        year=year,
        category=category,
        building_id=building_id,
        summary=summary.strip(),
        text=(text or "").strip(),
        status=SuggestionStatus.SUBMITTED,
        source=source,
        submitter_id=submitter.id if submitter is not None else None,
        walk_in_name=(walk_in_name or "").strip()[:50],
        recorded_by_id=recorded_by.id if recorded_by is not None else None,
        session_id=session_id,
        station_id=station_id,
        submitted_at=when,
    )
    # Two submissions at once may draw the same number (PostgreSQL, READ COMMITTED): the unique
    # constraint refuses the second, which then draws again inside a savepoint.
    for attempt in range(5):
        seq, number = next_number(year)
        s = Suggestion(number=number, seq=seq, **fields)
        try:
            with db.session.begin_nested():
                db.session.add(s)
                db.session.flush()
            break
        except IntegrityError:
            if attempt == 4:
                raise
    actor = actor or recorded_by or submitter
    _event(s, "submitted", actor=actor, at=when)
    audit.record(
        "suggestion.submit",
        s,
        community=community_id,
        actor=actor,
        detail=f"{number} {source.value}",
    )
    from app.accounts.queries import secretaries_of

    notify(
        secretaries_of(community_id),
        N_("New suggestion %(number)s: %(summary)s"),
        link=suggestion_link(s),
        number=number,
        summary=s.summary[:60],
    )
    if submitter is not None and recorded_by is not None and submitter.id != recorded_by.id:
        notify(
            submitter,
            N_("Your suggestion was recorded as %(number)s."),
            link=suggestion_link(s),
            number=number,
        )
    return s


def _notify_submitter(s: Suggestion, message: str, **params) -> None:
    if s.submitter is not None:
        notify(s.submitter, message, link=suggestion_link(s), number=s.number, **params)


def _check_body(s: Suggestion, body) -> None:
    if body is None or not body.serves(s.community):
        raise TransitionError(_("Choose a body that serves this community."))


def accept_suggestion(
    s: Suggestion,
    body,
    *,
    due_date: date | None = None,
    note: str = "",
    actor=None,
    today: date | None = None,
) -> Suggestion:
    """Accept a suggestion and route it to the body that must answer, with a due date (15 working days)."""
    _check_body(s, body)
    today = today or local_today()
    if due_date is not None and due_date < today:
        raise TransitionError(_("The due date cannot be in the past."))
    s._move(SuggestionStatus.ACCEPTED)
    s.body_id = body.id
    s.body = body
    s.accepted_at = utcnow()
    s.due_date = due_date or add_working_days(today, DEFAULT_DUE_WORKING_DAYS)
    db.session.flush()
    _event(s, "accepted", actor=actor, note=note.strip())
    audit.record(
        "suggestion.accept",
        s,
        community=s.community_id,
        actor=actor,
        detail=f"{s.number} → body {body.id}, due {s.due_date.isoformat()}",
    )
    _notify_submitter(
        s,
        N_("Your suggestion %(number)s was accepted and sent to %(body)s, due %(due)s."),
        body=body.name,
        due=s.due_date.isoformat(),
    )
    notify(
        handlers_of_body(body.id),
        N_("Suggestion %(number)s was routed to your body, due %(due)s."),
        link=suggestion_link(s),
        number=s.number,
        due=s.due_date.isoformat(),
    )
    return s


def reroute_suggestion(s: Suggestion, body, note: str = "", actor=None) -> Suggestion:
    """Send an accepted suggestion to another body (the due date stays)."""
    if s.status not in (SuggestionStatus.ACCEPTED, SuggestionStatus.REOPENED):
        raise TransitionError(_("Only a suggestion awaiting an answer can be re-routed."))
    _check_body(s, body)
    if body.id == s.body_id:
        raise TransitionError(_("The suggestion is with this body already."))
    s.body_id = body.id
    s.body = body
    db.session.flush()
    _event(s, "rerouted", actor=actor, note=note.strip())
    audit.record(
        "suggestion.reroute", s, community=s.community_id, actor=actor, detail=f"→ body {body.id}"
    )
    _notify_submitter(s, N_("Your suggestion %(number)s was passed to %(body)s."), body=body.name)
    notify(
        handlers_of_body(body.id),
        N_("Suggestion %(number)s was routed to your body, due %(due)s."),
        link=suggestion_link(s),
        number=s.number,
        due=s.due_date.isoformat() if s.due_date else "",
    )
    return s


def decline_suggestion(s: Suggestion, reason: str, actor=None) -> Suggestion:
    """Decline with a public reason."""
    if not reason.strip():
        raise TransitionError(_("Give a reason for declining."))
    s._move(SuggestionStatus.DECLINED)
    s.decline_reason = reason.strip()[:500]
    s.closed_at = utcnow()
    db.session.flush()
    _event(s, "declined", actor=actor, note=s.decline_reason)
    audit.record(
        "suggestion.decline", s, community=s.community_id, actor=actor, detail=s.decline_reason
    )
    _notify_submitter(
        s, N_("Your suggestion %(number)s was declined: %(reason)s"), reason=s.decline_reason
    )
    return s


def answer_suggestion(
    s: Suggestion, answer: str, actor=None, body_ids: list[int] | None = None
) -> Suggestion:
    """The responsible body's answer; only a handler of that body may give it (checked by `body_ids`)."""
    if body_ids is not None and s.body_id not in body_ids:
        raise TransitionError(_("This suggestion is routed to another body."))
    if not answer.strip():
        raise TransitionError(_("Write the answer."))
    if len(answer) > TEXT_MAX:
        raise TransitionError(_("The text is too long (at most %(num)d characters).", num=TEXT_MAX))
    s._move(SuggestionStatus.ANSWERED)
    now = utcnow()
    s.answer = answer.strip()
    s.answered_at = now
    if s.first_answered_at is None:
        s.first_answered_at = now
    s.rating = None
    s.rated_at = None
    db.session.flush()
    _event(s, "answered", actor=actor, note=s.answer)
    audit.record("suggestion.answer", s, community=s.community_id, actor=actor, detail=s.number)
    _notify_submitter(s, N_("Your suggestion %(number)s was answered. Please rate the answer."))
    return s


def rate_suggestion(
    s: Suggestion, rating: Rating, user, comment: str = "", today: date | None = None
) -> Suggestion:
    """The submitter rates the answer; 不满意 reopens it once for a second answer, otherwise it closes."""
    if s.submitter_id is None or user is None or s.submitter_id != user.id:
        raise TransitionError(_("Only the person who made the suggestion can rate the answer."))
    if s.status != SuggestionStatus.ANSWERED:
        raise TransitionError(_("Only an answered suggestion can be rated."))
    s.rating = rating
    s.rated_at = utcnow()
    db.session.flush()
    _event(s, "rated", actor=user, note=comment.strip()[:500], rating=rating)
    audit.record("suggestion.rate", s, community=s.community_id, actor=user, detail=rating.value)
    if rating == Rating.UNSATISFIED and s.may_reopen:
        s._move(SuggestionStatus.REOPENED)
        s.reopen_count += 1
        s.due_date = add_working_days(today or local_today(), DEFAULT_DUE_WORKING_DAYS)
        db.session.flush()
        _event(s, "reopened", actor=user)
        audit.record("suggestion.reopen", s, community=s.community_id, actor=user, detail=s.number)
        if s.body_id:
            notify(
                handlers_of_body(s.body_id),
                N_("Suggestion %(number)s was reopened: the submitter was not satisfied."),
                link=suggestion_link(s),
                number=s.number,
            )
    else:
        _close(s, actor=user)
    return s


def _close(s: Suggestion, actor=None) -> None:
    s._move(SuggestionStatus.CLOSED)
    s.closed_at = utcnow()
    db.session.flush()
    _event(s, "closed", actor=actor)
    audit.record("suggestion.close", s, community=s.community_id, actor=actor, detail=s.number)


def close_suggestion(s: Suggestion, actor=None) -> Suggestion:
    """Close an answered suggestion that its submitter did not rate in time (or cannot: a walk-in)."""
    if s.status == SuggestionStatus.ANSWERED and not s.can_close_unrated(local_today()):
        raise TransitionError(
            _(
                "The submitter may rate the answer until %(date)s; it can be closed without a rating after that.",
                date=s.rating_deadline.isoformat(),
            )
        )
    _close(s, actor=actor)
    _notify_submitter(s, N_("Your suggestion %(number)s was closed."))
    return s


def mark_candidate_project(
    suggestion: Suggestion, title: str, description: str, cost: int | None, actor=None
) -> Suggestion:
    """Propose a suggestion as a candidate livelihood project, which a vote can then include."""
    if suggestion.status == SuggestionStatus.DECLINED:
        raise TransitionError(_("A declined suggestion cannot become a project."))
    if not title.strip():
        raise TransitionError(_("Give the project a title."))
    if cost is not None and cost < 0:
        raise TransitionError(_("The cost cannot be negative."))
    suggestion.is_candidate_project = True
    suggestion.candidate_title = title.strip()[:200]
    suggestion.candidate_description = (description or "").strip()
    suggestion.candidate_cost = cost
    db.session.flush()
    _event(suggestion, "candidate", actor=actor, note=suggestion.candidate_title)
    audit.record(
        "suggestion.candidate",
        suggestion,
        community=suggestion.community_id,
        actor=actor,
        detail=f"{suggestion.candidate_title} ¥{cost}",
    )
    _notify_submitter(
        suggestion, N_("Your suggestion %(number)s was proposed as a livelihood project.")
    )
    return suggestion


def unmark_candidate_project(suggestion: Suggestion, actor=None) -> Suggestion:
    suggestion.is_candidate_project = False
    db.session.flush()
    audit.record(
        "suggestion.uncandidate", suggestion, community=suggestion.community_id, actor=actor
    )
    return suggestion
