"""Follow-up actions in the minutes are marked done, once, by the community's secretary or a
handler of the responsible body; a done action is no longer reminded nor flagged overdue, and a
correction of the minutes that repeats it keeps it done."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.core.audit import AuditEntry
from app.core.errors import Conflict, NotAllowed
from app.core.notifications import Notification
from app.core.time import from_local, to_local
from app.hearings.follow_up import mark_action_done
from app.hearings.jobs import remind_follow_up_actions
from app.hearings.models import ActionCompletion, FollowUpAction
from app.org.models import BodyKind
from tests import hearings_factories as hf

ALREADY = {
    "en": "This follow-up action is already marked done.",
    "zh": "该后续事项已经标记为完成。",
}
DONE_NOTICE = "%(body)s marked the follow-up action “%(text)s” of “%(title)s” done."


@pytest.fixture
def world(make, db):
    """A held session of 梅园 with minutes holding one action for the property company."""
    c = make.community(name="梅园居民区")
    other = make.community(name="锦绣苑居民区")
    w = type("World", (), {})()
    w.c, w.other = c, other
    w.secretary = make.user("secretary", community=c)
    w.other_secretary = make.user("secretary", community=other)
    w.property = make.body(c, BodyKind.PROPERTY_COMPANY, name="梅园物业")
    w.owners = make.body(c, BodyKind.OWNERS_COMMITTEE, name="梅园业委会")
    w.handler = make.user("handler", body=w.property)
    w.owners_handler = make.user("handler", body=w.owners)
    w.resident = make.user("resident", community=c)
    w.session = hf.session(c, starts_in=timedelta(hours=-3), actor=w.secretary)
    hf.mark_session_held(w.session, actor=w.secretary)
    w.due = date.today() + timedelta(days=30)
    minutes = hf.publish_minutes(
        w.session,
        summary="讨论了加装电梯",
        actions=[("物业提交报价", w.property.id, w.due)],
        actor=w.secretary,
    )
    w.action = minutes.actions[0]
    db.session.commit()
    return w


def _completions() -> int:
    from app.extensions import db

    return db.session.scalar(select(func.count(ActionCompletion.id)))


def _action(action_id: int) -> FollowUpAction:
    from app.extensions import db

    return db.session.get(FollowUpAction, action_id)


# --- rules -------------------------------------------------------------------


def test_the_secretary_and_a_handler_of_the_body_may_mark_an_action_done(world):
    a = world.action
    assert a.can_mark_done(world.secretary)
    assert a.can_mark_done(world.handler)
    assert not a.can_mark_done(world.other_secretary)
    assert not a.can_mark_done(world.owners_handler)
    assert not a.can_mark_done(world.resident)
    assert not a.can_mark_done(None)


def test_an_action_without_a_body_is_marked_done_by_the_secretary_only(world):
    minutes = hf.publish_minutes(
        world.session,
        summary="讨论了加装电梯",
        actions=[("居委会张贴通知", None, None)],
        correction_note="补充事项",
        actor=world.secretary,
    )
    a = minutes.actions[0]
    assert a.can_mark_done(world.secretary)
    assert not a.can_mark_done(world.handler)


def test_marking_done_records_who_and_when_audits_and_tells_the_secretary(world, db):
    completion = mark_action_done(world.action, actor=world.handler, note="报价已张贴")
    db.session.commit()
    assert completion.done_by_id == world.handler.id and completion.note == "报价已张贴"
    assert _action(world.action.id).is_done
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "hearing.action_done"))
    assert entry is not None and entry.actor_id == world.handler.id
    assert entry.community_id == world.c.id
    told = db.session.scalars(
        select(Notification.user_id).where(Notification.message == DONE_NOTICE)
    ).all()
    assert told == [world.secretary.id]


def test_the_secretary_marking_done_is_not_told_about_it(world, db):
    mark_action_done(world.action, actor=world.secretary)
    db.session.commit()
    count = db.session.scalar(
        select(func.count(Notification.id)).where(Notification.message == DONE_NOTICE)
    )
    assert count == 0


def test_a_second_completion_is_refused(world, db):
    mark_action_done(world.action, actor=world.handler)
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        mark_action_done(_action(world.action.id), actor=world.secretary)
    assert str(refused.value.message) == ALREADY["zh"]
    db.session.rollback()
    assert _completions() == 1


def test_someone_else_may_not_mark_it_done(world, db):
    with pytest.raises(NotAllowed):
        mark_action_done(world.action, actor=world.other_secretary)
    with pytest.raises(NotAllowed):
        mark_action_done(world.action, actor=world.owners_handler)
    db.session.rollback()
    assert _completions() == 0


def test_an_action_of_superseded_minutes_cannot_be_marked_done(world, db):
    old = world.action
    hf.publish_minutes(
        world.session,
        summary="讨论了加装电梯",
        actions=[("物业提交两份报价", world.property.id, world.due)],
        correction_note="改正事项",
        actor=world.secretary,
    )
    with pytest.raises(Conflict):
        mark_action_done(old, actor=world.secretary)


def test_a_correction_repeating_a_done_action_keeps_it_done(world, db):
    first = mark_action_done(world.action, actor=world.handler, note="已完成")
    db.session.commit()
    minutes = hf.publish_minutes(
        world.session,
        summary="讨论了加装电梯",
        actions=[("物业提交报价", world.property.id, world.due), ("新事项", None, None)],
        correction_note="补充事项",
        actor=world.secretary,
    )
    db.session.commit()
    repeated, new = (_action(a.id) for a in minutes.actions)
    assert repeated.is_done and repeated.completion.done_by_id == world.handler.id
    assert repeated.completion.done_at == first.done_at and repeated.completion.note == "已完成"
    assert not new.is_done


def test_a_completion_is_never_edited(world, db):
    completion = mark_action_done(world.action, actor=world.secretary)
    db.session.commit()
    completion.note = "改"
    with pytest.raises(RuntimeError):
        db.session.flush()
    db.session.rollback()


def test_a_done_action_is_not_overdue(world, db):
    minutes = hf.publish_minutes(
        world.session,
        summary="讨论了加装电梯",
        actions=[("物业提交报价", world.property.id, date(2000, 1, 3))],
        correction_note="改期",
        actor=world.secretary,
    )
    db.session.commit()
    action = _action(minutes.actions[0].id)
    assert action.is_overdue
    mark_action_done(action, actor=world.secretary)
    db.session.commit()
    assert not _action(action.id).is_overdue


# --- reminders ---------------------------------------------------------------


def test_a_done_action_is_not_reminded(make, db):
    c = make.community()
    body = make.body(c, BodyKind.PROPERTY_COMPANY)
    handler = make.user("handler", body=body)
    s = hf.session(c, starts_in=timedelta(hours=-3))
    hf.mark_session_held(s)
    due = date(2026, 2, 24)
    minutes = hf.publish_minutes(
        s, summary="讨论", actions=[("物业报价", body.id, due), ("清理楼道", body.id, due)]
    )
    db.session.commit()
    mark_action_done(minutes.actions[0], actor=handler)
    db.session.commit()
    assert remind_follow_up_actions(from_local(datetime(2026, 2, 13, 10))) == (
        "1 follow-up reminder(s)"
    )
    db.session.commit()
    texts = [
        n.params["text"]
        for n in db.session.scalars(
            select(Notification).where(
                Notification.user_id == handler.id,
                Notification.message.like("Reminder:%"),
            )
        )
    ]
    assert texts == ["清理楼道"]


# --- pages -------------------------------------------------------------------


def _url(world) -> str:
    return f"/hearings/actions/{world.action.id}/done"


def test_the_secretary_marks_an_action_done_from_the_session_page(client, login, world, db):
    login(world.secretary)
    page = client.get(f"/hearings/sessions/{world.session.id}").get_data(as_text=True)
    assert f'action="{_url(world)}"' in page and "标记为完成" in page
    response = client.post(_url(world), data={f"action-{world.action.id}-note": "已在公告栏张贴"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/hearings/sessions/{world.session.id}#minutes")
    completion = _action(world.action.id).completion
    assert completion is not None and completion.note == "已在公告栏张贴"
    page = client.get(f"/hearings/sessions/{world.session.id}").get_data(as_text=True)
    assert "已完成" in page and "已在公告栏张贴" in page
    assert f'action="{_url(world)}"' not in page
    day = to_local(completion.done_at).strftime("%Y")
    assert day in page


def test_the_public_sees_that_an_action_is_done_but_no_form(client, world, db):
    mark_action_done(world.action, actor=world.handler)
    db.session.commit()
    page = client.get(f"/hearings/sessions/{world.session.id}").get_data(as_text=True)
    assert "已完成" in page and 'class="mark-done"' not in page


def test_a_handler_marks_it_done_and_the_secretary_is_told(client, login, world, db):
    login(world.handler)
    assert client.post(_url(world)).status_code == 303
    assert _action(world.action.id).is_done
    assert db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == world.secretary.id, Notification.message == DONE_NOTICE
        )
    )


def test_the_secretary_of_another_community_is_refused_and_nothing_is_saved(
    client, login, world, db
):
    login(world.other_secretary)
    assert client.post(_url(world)).status_code == 403
    assert _completions() == 0
    audits = db.session.scalar(
        select(func.count(AuditEntry.id)).where(AuditEntry.action == "hearing.action_done")
    )
    assert audits == 0


def test_a_handler_of_another_body_is_refused_and_nothing_is_saved(client, login, world, db):
    login(world.owners_handler)
    assert client.post(_url(world)).status_code == 403
    assert _completions() == 0


def test_anonymous_is_sent_to_log_in(client, world, db):
    response = client.post(_url(world))
    assert response.status_code in (302, 401)
    assert _completions() == 0


def test_a_post_without_the_csrf_token_is_refused(client, login, world, db):
    login(world.secretary)
    assert client.post(_url(world), data={}, csrf=False).status_code == 400
    assert _completions() == 0


def test_a_too_long_note_re_renders_the_page_with_the_input(client, login, world, db):
    login(world.secretary)
    note = "长" * 501
    response = client.post(_url(world), data={f"action-{world.action.id}-note": note})
    assert response.status_code == 400
    assert note in response.get_data(as_text=True)
    assert _completions() == 0


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_second_completion_is_refused_with_a_clear_message(client, login, world, db, lang):
    mark_action_done(world.action, actor=world.handler, note="第一次")
    db.session.commit()
    if lang == "en":
        client.set_cookie("lang", "en")
    login(world.secretary)
    response = client.post(_url(world), data={f"action-{world.action.id}-note": "第二次"})
    assert response.status_code == 409
    assert ALREADY[lang] in response.get_data(as_text=True)
    assert _completions() == 1
    assert _action(world.action.id).completion.note == "第一次"


def test_an_unknown_action_is_not_found(client, login, world):
    login(world.secretary)
    assert client.post("/hearings/actions/999999/done").status_code == 404


def test_the_hearings_ledger_section_says_which_actions_are_done(world, db):
    from app.hearings.ledger import ledger_section

    mark_action_done(world.action, actor=world.secretary)
    db.session.commit()
    today = date.today()
    data = ledger_section(world.c, today - timedelta(days=5), today + timedelta(days=5))
    (action,) = data["sessions"][0]["follow_up_actions"]
    assert action["done"] is True and action["done_at"] is not None
