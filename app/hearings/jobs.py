"""The hearings' share of `flask tick`: follow-up actions in minutes are reminded like suggestions.

Two working days before an action's due date, the handlers of its body are reminded, once (the
key is the session, the action's text, body and due date, so a correction of the minutes that
repeats the action does not remind again). Only the latest revision of the minutes counts, and
an action recorded as done (`actions.ActionCompletion`) is not reminded.
"""

import hashlib
from datetime import datetime

from sqlalchemy import func, select

from app.accounts.queries import handlers_of_body
from app.core import audit
from app.core.notifications import N_, notify
from app.core.schedule import claim_once
from app.core.time import to_local
from app.core.workdays import add_working_days
from app.extensions import db
from app.hearings.models import FollowUpAction, HearingSession, Minutes
from app.hearings.operations import session_link
from app.suggestions.models import REMINDER_WORKING_DAYS


def remind_follow_up_actions(now: datetime) -> str | None:
    """Remind the responsible body of each follow-up action due within two working days."""
    today = to_local(now).date()
    horizon = add_working_days(today, REMINDER_WORKING_DAYS)
    latest = (
        select(Minutes.session_id, func.max(Minutes.revision).label("revision"))
        .group_by(Minutes.session_id)
        .subquery()
    )
    rows = db.session.execute(
        select(FollowUpAction, Minutes.session_id)
        .join(Minutes, FollowUpAction.minutes_id == Minutes.id)
        .join(
            latest,
            (latest.c.session_id == Minutes.session_id) & (latest.c.revision == Minutes.revision),
        )
        .where(
            FollowUpAction.body_id.is_not(None),
            ~FollowUpAction.completion.has(),
            FollowUpAction.due_date >= today,
            FollowUpAction.due_date <= horizon,
        )
        .order_by(FollowUpAction.id)
    ).all()
    sent = 0
    for action, session_id in rows:
        text_hash = hashlib.sha256(action.text.encode()).hexdigest()[:16]
        key = f"{session_id}:{text_hash}:{action.body_id}:{action.due_date}"
        if action.body_id is None or not claim_once("minutes_action.remind", key, now):
            continue
        session = db.session.get(HearingSession, session_id)
        notify(
            handlers_of_body(action.body_id),
            N_("Reminder: the follow-up action “%(text)s” is due on %(due)s."),
            link=session_link(session) if session is not None else "",
            text=action.text[:80],
            due=action.due_date.isoformat() if action.due_date else "",
        )
        audit.record(
            "minutes_action.remind",
            action,
            community=session.community_id if session is not None else None,
            detail=key,
        )
        sent += 1
    return f"{sent} follow-up reminder(s)" if sent else None
