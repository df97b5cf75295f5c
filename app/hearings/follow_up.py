"""Marking a follow-up action of the minutes done: the write, its audit and who is told.

An operation like those in `operations.py` (kept apart for size): it checks who acts and the
rule, audits, notifies and flushes; a refusal is a `DomainError`.
"""

from sqlalchemy import select

from app.accounts.queries import secretaries_of
from app.core import audit
from app.core.db import is_postgres
from app.core.errors import NotAllowed
from app.core.notifications import N_, notify
from app.core.time import utcnow
from app.extensions import db
from app.hearings import permissions
from app.hearings.actions import ActionCompletion, attach
from app.hearings.models import FollowUpAction
from app.hearings.operations import session_link


def _lock_action(action: FollowUpAction) -> None:
    """Serialise completions of one action (SQLite already holds the write lock: BEGIN IMMEDIATE)."""
    if is_postgres():
        db.session.execute(
            select(FollowUpAction.id).where(FollowUpAction.id == action.id).with_for_update()
        )
        db.session.expire(action, ["completion"])


def mark_action_done(action: FollowUpAction, *, actor, note: str = "") -> ActionCompletion:
    """Record a follow-up action of the latest minutes as done, once; a handler's tells the secretary."""
    if not action.can_mark_done(actor):
        raise NotAllowed()
    _lock_action(action)
    action.check_markable()
    session = action.minutes.session
    completion = ActionCompletion(
        action_id=action.id, done_at=utcnow(), done_by_id=actor.id, note=note.strip()[:500]
    )
    db.session.add(completion)
    db.session.flush()
    attach(action, completion)
    audit.record(
        "hearing.action_done",
        action,
        community=session.community_id,
        actor=actor,
        detail=action.text[:200],
    )
    if not permissions.is_secretary_for(actor, session):
        secretaries = {u.id: u for cid in session.community_ids for u in secretaries_of(cid)}
        notify(
            list(secretaries.values()),
            N_("%(body)s marked the follow-up action “%(text)s” of “%(title)s” done."),
            link=session_link(session),
            body=action.body.name if action.body else "",
            text=action.text[:80],
            title=session.title,
        )
    return completion
