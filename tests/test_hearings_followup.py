"""Follow-up actions in minutes are tracked like suggestions: the body is reminded two working
days before the due date, once (a correction repeating the action does not remind again), and
an action is overdue once a working day has passed since its due date."""

from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from app.core.notifications import Notification
from app.core.time import from_local
from app.hearings.jobs import remind_follow_up_actions
from app.hearings.models import FollowUpAction
from app.org.models import BodyKind
from tests import hearings_factories as hf

REMINDER = "Reminder: the follow-up action “%(text)s” is due on %(due)s."


def test_a_follow_up_action_is_reminded_once_before_the_spring_festival(make, db):
    c = make.community()
    body = make.body(c, BodyKind.PROPERTY_COMPANY)
    handler = make.user("handler", body=body)
    s = hf.session(c, starts_in=timedelta(hours=-3))
    hf.mark_session_held(s)
    due = date(2026, 2, 24)  # the first working day after the 2026 Spring Festival
    hf.publish_minutes(s, summary="讨论了加装电梯", actions=[("物业报价", body.id, due)])
    db.session.commit()
    assert remind_follow_up_actions(from_local(datetime(2026, 2, 12, 10))) is None
    assert remind_follow_up_actions(from_local(datetime(2026, 2, 13, 10))) == (
        "1 follow-up reminder(s)"
    )
    db.session.commit()
    hf.publish_minutes(
        s,
        summary="讨论了加装电梯",
        actions=[("物业报价", body.id, due)],
        correction_note="补充参会人数",
    )
    db.session.commit()
    assert remind_follow_up_actions(from_local(datetime(2026, 2, 14, 10))) is None
    db.session.commit()
    count = db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == handler.id, Notification.message == REMINDER
        )
    )
    assert count == 1


def test_an_action_is_overdue_only_after_a_working_day_has_passed(make, db):
    from app.core.workdays import is_overdue

    # Due Friday 13 February 2026: late on Saturday the 14th, a make-up working day.
    # Due Saturday the 14th: not late during the festival (15–23 February), late on the 24th.
    assert is_overdue(date(2026, 2, 13), today=date(2026, 2, 14))
    assert not is_overdue(date(2026, 2, 14), today=date(2026, 2, 23))
    assert is_overdue(date(2026, 2, 14), today=date(2026, 2, 24))
    action = FollowUpAction(text="x", due_date=date(2000, 1, 3))
    assert action.is_overdue
