"""The suggestions' share of `flask tick`: reminders, escalations (督办), the return-visit list.

Each effect is claimed once (core/schedule.py) in the transaction that makes it, keyed by the
suggestion and its current due date (a reopened suggestion, with a new due date, gets its own),
so running the tick again or in two processes at once never repeats one. Each is audited.
"""

from datetime import datetime

from sqlalchemy import select

from app.accounts.queries import handlers_of_body, secretaries_of
from app.core import audit
from app.core.notifications import N_, notify
from app.core.schedule import claim_once
from app.core.time import to_local
from app.core.workdays import add_working_days, latest_working_day
from app.extensions import db
from app.suggestions.followup import escalate_overdue_suggestion
from app.suggestions.models import (
    AWAITING_ANSWER,
    REMINDER_WORKING_DAYS,
    Suggestion,
    SuggestionStatus,
)
from app.suggestions.operations import suggestion_link


def _due_key(s: Suggestion) -> str:
    return f"{s.id}:{s.due_date.isoformat() if s.due_date else ''}"


def remind_handlers(now: datetime) -> str | None:
    """Two working days before a due date, the body's handlers are reminded (once per due date)."""
    today = to_local(now).date()
    horizon = add_working_days(today, REMINDER_WORKING_DAYS)
    rows = db.session.scalars(
        select(Suggestion)
        .where(
            Suggestion.status.in_(AWAITING_ANSWER),
            Suggestion.body_id.is_not(None),
            Suggestion.due_date >= today,
            Suggestion.due_date <= horizon,
        )
        .order_by(Suggestion.id)
    ).all()
    sent = 0
    for s in rows:
        if s.body_id is None or not claim_once("suggestion.remind", _due_key(s), now):
            continue
        notify(
            handlers_of_body(s.body_id),
            N_("Reminder: suggestion %(number)s is due on %(due)s."),
            link=suggestion_link(s),
            number=s.number,
            due=s.due_date.isoformat() if s.due_date else "",
        )
        audit.record("suggestion.remind", s, community=s.community_id, detail=_due_key(s))
        sent += 1
    return f"{sent} reminder(s)" if sent else None


def escalate_overdue(now: datetime) -> str | None:
    """On the first working day after a due date, the suggestion is escalated (督办), once."""
    cutoff = latest_working_day(to_local(now).date())
    rows = db.session.scalars(
        select(Suggestion)
        .where(Suggestion.status.in_(AWAITING_ANSWER), Suggestion.due_date < cutoff)
        .order_by(Suggestion.id)
    ).all()
    done = 0
    for s in rows:
        if not claim_once("suggestion.escalate", _due_key(s), now):
            continue
        if s.escalated_at is not None:
            continue  # the secretary escalated it by hand already
        escalate_overdue_suggestion(s, now)
        done += 1
    return f"{done} escalation(s)" if done else None


def list_return_visits(now: datetime) -> str | None:
    """An answer left unrated past its window goes on the secretary's return-visit list (told once)."""
    today = to_local(now).date()
    rows = db.session.scalars(
        select(Suggestion)
        .where(Suggestion.status == SuggestionStatus.ANSWERED, Suggestion.rating.is_(None))
        .order_by(Suggestion.id)
    ).all()
    listed = 0
    for s in rows:
        if not s.needs_return_visit(today):
            continue
        key = f"{s.id}:{s.answered_at.isoformat() if s.answered_at else ''}"
        if not claim_once("suggestion.return_visit_due", key, now):
            continue
        notify(
            secretaries_of(s.community_id),
            N_("Suggestion %(number)s awaits a return visit (回访): its answer was not rated."),
            link=suggestion_link(s),
            number=s.number,
        )
        audit.record("suggestion.return_visit_due", s, community=s.community_id, detail=key)
        listed += 1
    return f"{listed} return visit(s) listed" if listed else None
