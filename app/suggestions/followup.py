"""Follow-through by hand (the 12345 loop's 督办 and 回访): time limits per category, escalation
with a reason, and the return visit whose outcome counts as the submitter's rating.

Each operation checks who acts, changes the model, writes the public history and the audit log,
notifies, and flushes; a refusal is a `DomainError`, so the request keeps nothing.
"""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts.queries import handlers_of_body, secretaries_of
from app.core import audit
from app.core.errors import InvalidInput, NotAllowed
from app.core.notifications import N_, notify
from app.core.time import utcnow
from app.extensions import db
from app.suggestions import permissions
from app.suggestions.models import (
    MAX_TIME_LIMIT,
    Category,
    CategoryTimeLimit,
    Rating,
    ReturnVisit,
    Suggestion,
    VisitOutcome,
)
from app.suggestions.operations import (
    after_rating,
    event,
    notify_submitter,
    require_triage,
    suggestion_link,
)
from app.suggestions.queries import admins

VISIT_NOTE_MAX = 1000


def set_time_limit(community_id: int, category: Category, working_days: int | None, *, actor):
    """Set how many working days bodies have to answer one category in the community."""
    if not permissions.can_set_time_limits(actor, community_id):
        raise NotAllowed()
    if working_days is None or not 1 <= working_days <= MAX_TIME_LIMIT:
        raise InvalidInput(
            _l(
                "A time limit is between 1 and %(max)d working days.",
                max=MAX_TIME_LIMIT,
            )
        )
    row = db.session.scalar(
        select(CategoryTimeLimit).where(
            CategoryTimeLimit.community_id == community_id, CategoryTimeLimit.category == category
        )
    )
    if row is None:
        row = CategoryTimeLimit(community_id=community_id, category=category, working_days=0)
        db.session.add(row)
    row.working_days, row.set_by_id, row.set_at = working_days, actor.id, utcnow()
    db.session.flush()
    audit.record(
        "suggestion.time_limit",
        row,
        community=community_id,
        actor=actor,
        detail=f"{category.value}: {working_days} working days",
    )
    return row


def tell_of_escalation(s: Suggestion) -> None:
    """The secretary, the subdistrict's administrators and the body's handlers hear of it."""
    params = dict(link=suggestion_link(s), number=s.number, summary=s.summary[:60])
    notify(
        secretaries_of(s.community_id) + admins(),
        N_("Suggestion %(number)s is escalated (督办): %(summary)s"),
        **params,
    )
    if s.body_id:
        notify(
            handlers_of_body(s.body_id),
            N_("Suggestion %(number)s routed to your body is escalated (督办): %(summary)s"),
            **params,
        )


def escalate_overdue_suggestion(s: Suggestion, now: datetime) -> None:
    """The schedule escalates a suggestion whose due date passed (the caller claimed it once)."""
    s.escalate(now)
    db.session.flush()
    event(s, "escalated", at=now)
    audit.record(
        "suggestion.escalate",
        s,
        community=s.community_id,
        detail=f"{s.number} overdue since {s.due_date.isoformat() if s.due_date else ''}",
    )
    tell_of_escalation(s)
    notify_submitter(s, N_("Your suggestion %(number)s is overdue and was escalated (督办)."))


def escalate_suggestion(s: Suggestion, reason: str, *, actor, now: datetime | None = None):
    """The secretary escalates (督办) a suggestion by hand, with a public reason."""
    require_triage(s, actor)
    if not (reason or "").strip():
        raise InvalidInput(_l("Give a reason for escalating."))
    s.escalate(now or utcnow())
    db.session.flush()
    event(s, "escalated_by_hand", actor=actor, note=reason.strip()[:500])
    audit.record(
        "suggestion.escalate", s, community=s.community_id, actor=actor, detail=reason.strip()
    )
    tell_of_escalation(s)
    return s


def record_return_visit(
    s: Suggestion,
    outcome: VisitOutcome | None,
    note: str = "",
    *,
    actor,
    today: date | None = None,
) -> ReturnVisit:
    """Record a return visit (回访): satisfied closes it, not satisfied reopens it as a rating would."""
    require_triage(s, actor)
    if outcome is None:
        raise InvalidInput(
            _l(
                "Choose the outcome of the return visit: satisfied, not satisfied or could not be reached."
            )
        )
    if len(note or "") > VISIT_NOTE_MAX:
        raise InvalidInput(
            _l("The text is too long (at most %(num)d characters).", num=VISIT_NOTE_MAX)
        )
    s.check_visitable()
    visit = ReturnVisit(
        suggestion_id=s.id,
        outcome=outcome,
        note=(note or "").strip(),
        visited_by_id=actor.id,
        visited_at=utcnow(),
    )
    db.session.add(visit)
    db.session.flush()
    audit.record(
        "suggestion.return_visit",
        visit,
        community=s.community_id,
        actor=actor,
        detail=f"{s.number} {outcome.value}",
    )
    if outcome == VisitOutcome.UNREACHABLE:
        event(s, "visit_failed", actor=actor)
        return visit
    rating = Rating.SATISFIED if outcome == VisitOutcome.SATISFIED else Rating.UNSATISFIED
    s.rate(rating, utcnow())
    db.session.flush()
    event(s, "visited", actor=actor, rating=rating)
    after_rating(s, actor, today)
    return visit
