"""Every write on suggestions: each operation checks who acts, moves the model, records history,
audits, notifies and flushes. A refusal is a `DomainError`; the request then keeps nothing.
"""

import logging
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.accounts.queries import handlers_of_body, secretaries_of
from app.core import audit
from app.core.errors import Conflict, InvalidInput, NotAllowed
from app.core.notifications import N_, notify
from app.core.time import local_today, to_local, utcnow
from app.core.workdays import add_working_days
from app.extensions import db
from app.org.models import Body
from app.suggestions import permissions
from app.suggestions.models import (
    SUMMARY_MAX,
    TEXT_MAX,
    Category,
    Rating,
    Suggestion,
    SuggestionEvent,
    SuggestionSource,
    SuggestionStatus,
)
from app.suggestions.queries import time_limit_for

log = logging.getLogger("yishiting.suggestions")


def suggestion_link(s: Suggestion) -> str:
    """The suggestion's page, as stored in notifications (a path: operations may run outside a request)."""
    return f"/hearings/suggestions/{s.number}"


def next_number(year: int) -> tuple[int, str]:
    """The next tracking number of `year`; the unique constraint on (year, seq) guards races."""
    last = db.session.scalar(select(func.max(Suggestion.seq)).where(Suggestion.year == year)) or 0
    seq = last + 1
    return seq, f"S-{year}-{seq:06d}"


def event(
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
        raise InvalidInput(_l("Write what your suggestion is about."))
    if len(summary.strip()) > SUMMARY_MAX:
        raise InvalidInput(
            _l("The summary is too long (at most %(num)d characters).", num=SUMMARY_MAX)
        )
    if len(text or "") > TEXT_MAX:
        raise InvalidInput(_l("The text is too long (at most %(num)d characters).", num=TEXT_MAX))


def require_triage(s: Suggestion, actor) -> None:
    if not permissions.can_triage(actor, s.community_id):
        raise NotAllowed()


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
    actor = actor or recorded_by or submitter
    if recorded_by is not None:
        if not permissions.can_record(actor, community_id):
            raise NotAllowed()
    elif submitter is None or actor is None or actor.id != submitter.id:
        raise NotAllowed()
    elif not permissions.can_submit(actor, community_id):
        raise NotAllowed()
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
    event(s, "submitted", actor=actor, at=when)
    audit.record(
        "suggestion.submit",
        s,
        community=community_id,
        actor=actor,
        detail=f"{number} {source.value}",
    )
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


def notify_submitter(s: Suggestion, message: str, **params) -> None:
    if s.submitter is not None:
        notify(s.submitter, message, link=suggestion_link(s), number=s.number, **params)


def _check_body(s: Suggestion, body: Body | None) -> Body:
    if body is None or not body.serves(s.community):
        raise InvalidInput(_l("Choose a body that serves this community."))
    return body


def accept_suggestion(
    s: Suggestion,
    body: Body | None,
    *,
    actor,
    due_date: date | None = None,
    note: str = "",
    today: date | None = None,
) -> Suggestion:
    """Accept a suggestion and route it to the body that must answer, with a due date (the category's
    time limit in the community, 15 working days by default)."""
    require_triage(s, actor)
    body = _check_body(s, body)
    today = today or local_today()
    if due_date is not None and due_date < today:
        raise InvalidInput(_l("The due date cannot be in the past."))
    limit = time_limit_for(s.community_id, s.category)
    s.accept(body, due_date or add_working_days(today, limit), utcnow())
    db.session.flush()
    event(s, "accepted", actor=actor, note=note.strip())
    due = s.due_date.isoformat() if s.due_date else ""
    audit.record(
        "suggestion.accept",
        s,
        community=s.community_id,
        actor=actor,
        detail=f"{s.number} → body {body.id}, due {due}",
    )
    notify_submitter(
        s,
        N_("Your suggestion %(number)s was accepted and sent to %(body)s, due %(due)s."),
        body=body.name,
        due=due,
    )
    notify(
        handlers_of_body(body.id),
        N_("Suggestion %(number)s was routed to your body, due %(due)s."),
        link=suggestion_link(s),
        number=s.number,
        due=due,
    )
    return s


def reroute_suggestion(s: Suggestion, body: Body | None, *, actor, note: str = "") -> Suggestion:
    """Send an accepted suggestion to another body (the due date stays)."""
    require_triage(s, actor)
    s.check_reroutable()
    body = _check_body(s, body)
    s.reroute(body)
    db.session.flush()
    event(s, "rerouted", actor=actor, note=note.strip())
    audit.record(
        "suggestion.reroute", s, community=s.community_id, actor=actor, detail=f"→ body {body.id}"
    )
    notify_submitter(s, N_("Your suggestion %(number)s was passed to %(body)s."), body=body.name)
    notify(
        handlers_of_body(body.id),
        N_("Suggestion %(number)s was routed to your body, due %(due)s."),
        link=suggestion_link(s),
        number=s.number,
        due=s.due_date.isoformat() if s.due_date else "",
    )
    return s


def decline_suggestion(s: Suggestion, reason: str, *, actor) -> Suggestion:
    """Decline with a public reason."""
    require_triage(s, actor)
    s.decline(reason, utcnow())
    db.session.flush()
    event(s, "declined", actor=actor, note=s.decline_reason)
    audit.record(
        "suggestion.decline", s, community=s.community_id, actor=actor, detail=s.decline_reason
    )
    notify_submitter(
        s, N_("Your suggestion %(number)s was declined: %(reason)s"), reason=s.decline_reason
    )
    return s


def answer_suggestion(s: Suggestion, answer: str, *, actor) -> Suggestion:
    """The responsible body's answer; only a handler of the body it is routed to may give it."""
    if not permissions.can_answer(actor, s):
        raise NotAllowed(_l("This suggestion is routed to another body."))
    s.give_answer(answer, utcnow())
    db.session.flush()
    event(s, "answered", actor=actor, note=s.answer)
    audit.record("suggestion.answer", s, community=s.community_id, actor=actor, detail=s.number)
    notify_submitter(s, N_("Your suggestion %(number)s was answered. Please rate the answer."))
    return s


def rate_suggestion(
    s: Suggestion, rating: Rating, actor, comment: str = "", today: date | None = None
) -> Suggestion:
    """The submitter rates the answer; 不满意 reopens it once for a second answer, otherwise it closes."""
    if not permissions.can_rate(actor, s):
        raise NotAllowed(_l("Only the person who made the suggestion can rate the answer."))
    s.rate(rating, utcnow())
    db.session.flush()
    event(s, "rated", actor=actor, note=comment.strip()[:500], rating=rating)
    audit.record("suggestion.rate", s, community=s.community_id, actor=actor, detail=rating.value)
    after_rating(s, actor, today)
    return s


def after_rating(s: Suggestion, actor, today: date | None = None) -> None:
    """What a rating (or a return visit's outcome) does: 不满意 reopens it once, otherwise it closes."""
    if s.reopens_on:
        limit = time_limit_for(s.community_id, s.category)
        s.reopen(add_working_days(today or local_today(), limit))
        db.session.flush()
        event(s, "reopened", actor=actor)
        audit.record("suggestion.reopen", s, community=s.community_id, actor=actor, detail=s.number)
        if s.body_id:
            notify(
                handlers_of_body(s.body_id),
                N_("Suggestion %(number)s was reopened: the submitter was not satisfied."),
                link=suggestion_link(s),
                number=s.number,
            )
    else:
        _close(s, actor=actor)


def _close(s: Suggestion, actor) -> None:
    s.close(utcnow())
    db.session.flush()
    event(s, "closed", actor=actor)
    audit.record("suggestion.close", s, community=s.community_id, actor=actor, detail=s.number)


def close_suggestion(s: Suggestion, *, actor) -> Suggestion:
    """Close an answered suggestion that its submitter did not rate in time (or cannot: a walk-in)."""
    require_triage(s, actor)
    if s.is_answered and not s.can_close_unrated(local_today()):
        deadline = s.rating_deadline
        raise Conflict(
            _l(
                "The submitter may rate the answer until %(date)s; it can be closed without a rating after that.",
                date=deadline.isoformat() if deadline else "",
            )
        )
    _close(s, actor=actor)
    notify_submitter(s, N_("Your suggestion %(number)s was closed."))
    return s


def mark_candidate_project(
    suggestion: Suggestion, title: str, description: str, cost: int | None, *, actor
) -> Suggestion:
    """Propose a suggestion as a candidate livelihood project, which the projects domain can then record."""
    require_triage(suggestion, actor)
    suggestion.mark_candidate(title, description, cost)
    db.session.flush()
    event(suggestion, "candidate", actor=actor, note=suggestion.candidate_title)
    audit.record(
        "suggestion.candidate",
        suggestion,
        community=suggestion.community_id,
        actor=actor,
        detail=f"{suggestion.candidate_title} ¥{cost}",
    )
    notify_submitter(
        suggestion, N_("Your suggestion %(number)s was proposed as a livelihood project.")
    )
    return suggestion


def unmark_candidate_project(suggestion: Suggestion, *, actor) -> Suggestion:
    """Withdraw a suggestion from the candidate projects."""
    require_triage(suggestion, actor)
    suggestion.is_candidate_project = False
    db.session.flush()
    audit.record(
        "suggestion.uncandidate", suggestion, community=suggestion.community_id, actor=actor
    )
    return suggestion
