"""Follow-through (督办 and 回访): reminders and escalation on real holiday dates, once each;
escalation by hand and return visits with their permissions and refusals; time limits per topic."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.cli import run_tick
from app.core.audit import AuditEntry
from app.core.notifications import Notification
from app.core.time import from_local, local_today
from app.core.workdays import add_working_days
from app.org.models import BodyKind
from app.suggestions import jobs
from app.suggestions import operations as ops
from app.suggestions.models import (
    Category,
    CategoryTimeLimit,
    Rating,
    ReturnVisit,
    Suggestion,
    SuggestionEvent,
    SuggestionStatus,
)
from tests import hearings_factories as hf
from tests.factories import logout


@pytest.fixture
def world(make, db):
    c = make.community(name="梅园居民区")
    w = type("World", (), {})()
    w.c = c
    w.resident = make.user("resident", community=c, name="王秀英")
    w.secretary = make.user("secretary", community=c)
    w.admin = make.user("admin")
    w.property = make.body(c, BodyKind.PROPERTY_COMPANY, name="梅园物业")
    w.handler = make.user("handler", body=w.property)
    other = make.community(name="桃园居民区")
    w.other_secretary = make.user("secretary", community=other)
    db.session.commit()
    return w


def _local(y, m, d, hour=10) -> datetime:
    return from_local(datetime(y, m, d, hour, 0))


def _accepted(world, db, due: date, submitter=None) -> Suggestion:
    s = hf.suggestion(world.c, submitter)
    hf.accept_suggestion(s, world.property)
    s.due_date = due  # a due date in the past, as if accepted then
    db.session.commit()
    return s


def _count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _notes(db, user, text: str) -> int:
    return _count(db, Notification, Notification.user_id == user.id, Notification.message == text)


REMINDER = "Reminder: suggestion %(number)s is due on %(due)s."
ESCALATED = "Suggestion %(number)s is escalated (督办): %(summary)s"


# --- reminders and escalation on the 2026 Spring Festival -------------------------------


def test_reminder_for_a_due_date_after_the_spring_festival_comes_before_the_holiday(world, db):
    # Off 15–23 February 2026; Saturday 14 February is a make-up working day. Two working days
    # before Tuesday 24 February are Saturday 14 and Friday 13: the reminder goes on the 13th.
    s = _accepted(world, db, date(2026, 2, 24))
    assert jobs.remind_handlers(_local(2026, 2, 12)) is None
    assert jobs.remind_handlers(_local(2026, 2, 13)) == "1 reminder(s)"
    db.session.commit()
    assert jobs.remind_handlers(_local(2026, 2, 13, 15)) is None
    assert jobs.remind_handlers(_local(2026, 2, 14)) is None
    db.session.commit()
    assert _notes(db, world.handler, REMINDER) == 1
    assert _count(db, AuditEntry, AuditEntry.action == "suggestion.remind") == 1
    assert s.id


def test_escalation_waits_for_the_first_working_day_after_the_due_date(world, db):
    friday = _accepted(world, db, date(2026, 2, 13))
    saturday = _accepted(world, db, date(2026, 2, 14))
    # Saturday 14 February is a make-up working day: Friday's suggestion is late then.
    assert jobs.escalate_overdue(_local(2026, 2, 14)) == "1 escalation(s)"
    db.session.commit()
    # Saturday's is not late during the holiday, only on Tuesday 24 February.
    for day in range(15, 24):
        assert jobs.escalate_overdue(_local(2026, 2, day)) is None
    assert jobs.escalate_overdue(_local(2026, 2, 24)) == "1 escalation(s)"
    db.session.commit()
    assert jobs.escalate_overdue(_local(2026, 2, 25)) is None
    db.session.commit()
    for s in (friday, saturday):
        got = db.session.get(Suggestion, s.id)
        assert got.is_escalated
        kinds = [e.kind for e in got.events]
        assert kinds.count("escalated") == 1
    assert _notes(db, world.secretary, ESCALATED) == 2
    assert _notes(db, world.admin, ESCALATED) == 2
    assert _count(db, AuditEntry, AuditEntry.action == "suggestion.escalate") == 2


def test_flask_tick_runs_every_job_and_a_second_run_changes_nothing(app, world, db):
    today = local_today()
    _accepted(world, db, today - timedelta(days=20))
    _accepted(world, db, add_working_days(today, 1))
    lines: list[str] = []
    assert run_tick(_local(today.year, today.month, today.day), echo=lambda m, **k: lines.append(m))
    assert any("1 escalation(s)" in line for line in lines)
    assert any("1 reminder(s)" in line for line in lines)
    before = _count(db, Notification)
    again: list[str] = []
    assert run_tick(_local(today.year, today.month, today.day), echo=lambda m, **k: again.append(m))
    assert not any("escalation" in line or "reminder" in line for line in again)
    assert _count(db, Notification) == before
    runner = app.test_cli_runner()
    result = runner.invoke(args=["tick"])
    assert result.exit_code == 0, result.output


def test_a_reopened_suggestion_is_reminded_and_escalated_again_for_its_new_due_date(world, db):
    s = _accepted(world, db, date(2026, 2, 13), submitter=world.resident)
    assert jobs.escalate_overdue(_local(2026, 2, 14))
    db.session.commit()
    hf.answer_suggestion(s, "已处理")
    ops.rate_suggestion(s, Rating.UNSATISFIED, world.resident)
    db.session.commit()
    s = db.session.get(Suggestion, s.id)
    assert s.is_reopened and not s.is_escalated
    s.due_date = date(2026, 3, 2)
    db.session.commit()
    assert jobs.escalate_overdue(_local(2026, 3, 3)) == "1 escalation(s)"


# --- escalation by hand ------------------------------------------------------------------


def test_the_secretary_escalates_by_hand_with_a_public_reason(client, login, world, db):
    s = _accepted(world, db, local_today() + timedelta(days=10))
    login(world.secretary)
    r = client.post(
        f"/hearings/suggestions/{s.number}/escalate", data={"escalate-reason": "居民多次来电"}
    )
    assert r.status_code == 303
    page = client.get(f"/hearings/suggestions/{s.number}").get_data(as_text=True)
    assert "居民多次来电" in page and "书记督办" in page
    got = db.session.get(Suggestion, s.id)
    assert got.is_escalated
    # the schedule does not escalate it a second time when it falls due
    assert jobs.escalate_overdue(_local(2099, 1, 5)) is None


@pytest.mark.parametrize(
    "lang,message", [("en", "Give a reason for escalating."), ("zh_Hans_CN", "请写明督办理由。")]
)
def test_escalating_without_a_reason_is_refused(client, login, world, db, lang, message):
    s = _accepted(world, db, local_today() + timedelta(days=10))
    login(world.secretary)
    client.set_cookie("lang", lang)
    r = client.post(f"/hearings/suggestions/{s.number}/escalate", data={"escalate-reason": " "})
    assert r.status_code == 400 and message in r.get_data(as_text=True)
    assert db.session.get(Suggestion, s.id).escalated_at is None


def test_a_secretary_of_another_community_cannot_escalate_or_record_a_return_visit(
    client, login, world, db
):
    s = _accepted(world, db, local_today() + timedelta(days=10))
    answered = hf.suggestion(world.c)
    hf.accept_suggestion(answered, world.property)
    hf.answer_suggestion(answered, "已处理")
    db.session.commit()
    events = _count(db, SuggestionEvent)
    login(world.other_secretary)
    r = client.post(
        f"/hearings/suggestions/{s.number}/escalate", data={"escalate-reason": "越权督办"}
    )
    assert r.status_code == 403
    r = client.post(
        f"/hearings/suggestions/{answered.number}/return-visit",
        data={"visit-outcome": "unsatisfied", "visit-note": "越权回访"},
    )
    assert r.status_code == 403
    assert (
        client.get(f"/hearings/community/{world.c.id}/suggestions/return-visits").status_code == 403
    )
    assert db.session.get(Suggestion, s.id).escalated_at is None
    got = db.session.get(Suggestion, answered.id)
    assert got.is_answered and got.rating is None
    assert _count(db, ReturnVisit) == 0 and _count(db, SuggestionEvent) == events


# --- return visits -------------------------------------------------------------------------


def _answered_walk_in(world, db) -> Suggestion:
    s = hf.suggestion(world.c, walk_in_name="孙阿姨")
    hf.accept_suggestion(s, world.property)
    hf.answer_suggestion(s, "已安排志愿者上门")
    db.session.commit()
    return s


@pytest.mark.parametrize(
    "lang,message",
    [
        (
            "en",
            "Choose the outcome of the return visit: satisfied, not satisfied or could not be reached.",
        ),
        ("zh_Hans_CN", "请选择回访结果：满意、不满意或未能联系上。"),
    ],
)
def test_a_return_visit_without_an_outcome_is_refused_and_saves_nothing(
    client, login, world, db, lang, message
):
    s = _answered_walk_in(world, db)
    events = _count(db, SuggestionEvent)
    login(world.secretary)
    client.set_cookie("lang", lang)
    r = client.post(
        f"/hearings/suggestions/{s.number}/return-visit",
        data={"visit-note": "电话无人接听前的记录"},
    )
    body = r.get_data(as_text=True)
    assert r.status_code == 400 and message in body
    assert "电话无人接听前的记录" in body  # the note typed is kept
    assert _count(db, ReturnVisit) == 0 and _count(db, SuggestionEvent) == events
    assert db.session.get(Suggestion, s.id).is_answered


def test_a_walk_in_is_on_the_return_visit_list_and_not_satisfied_reopens_it(
    client, login, world, db
):
    s = _answered_walk_in(world, db)
    assert jobs.list_return_visits(_local(2099, 1, 5)) == "1 return visit(s) listed"
    db.session.commit()
    assert jobs.list_return_visits(_local(2099, 1, 6)) is None
    login(world.secretary)
    page = client.get(f"/hearings/community/{world.c.id}/suggestions/return-visits")
    assert page.status_code == 200 and s.number in page.get_data(as_text=True)
    r = client.post(
        f"/hearings/suggestions/{s.number}/return-visit",
        data={"visit-outcome": "unsatisfied", "visit-note": "志愿者只来过一次"},
    )
    assert r.status_code == 303
    got = db.session.get(Suggestion, s.id)
    assert got.status == SuggestionStatus.REOPENED and got.rating == Rating.UNSATISFIED
    assert [e.kind for e in got.events][-2:] == ["visited", "reopened"]
    visit = db.session.scalar(select(ReturnVisit))
    assert visit.note == "志愿者只来过一次" and visit.visited_by_id == world.secretary.id
    # the note is for staff: the public page does not show it
    logout(client)
    public = client.get(f"/hearings/suggestions/{s.number}").get_data(as_text=True)
    assert "志愿者只来过一次" not in public and "回访" in public


def test_a_satisfied_return_visit_closes_it_and_unreachable_keeps_it_answered(
    client, login, world, db
):
    a, b = _answered_walk_in(world, db), _answered_walk_in(world, db)
    login(world.secretary)
    client.post(
        f"/hearings/suggestions/{a.number}/return-visit", data={"visit-outcome": "satisfied"}
    )
    client.post(
        f"/hearings/suggestions/{b.number}/return-visit", data={"visit-outcome": "unreachable"}
    )
    got_a, got_b = db.session.get(Suggestion, a.id), db.session.get(Suggestion, b.id)
    assert got_a.status == SuggestionStatus.CLOSED and got_a.rating == Rating.SATISFIED
    assert got_b.is_answered and got_b.rating is None and got_b.events[-1].kind == "visit_failed"


# --- time limits per category --------------------------------------------------------------


def test_the_secretary_sets_a_time_limit_that_the_resident_sees_and_acceptance_uses(
    client, login, world, db
):
    url = f"/hearings/community/{world.c.id}/suggestions/time-limits"
    login(world.resident)
    assert client.get(url).status_code == 403
    assert client.post(url, data={"category": "security", "working_days": "5"}).status_code == 403
    login(world.other_secretary)
    assert client.post(url, data={"category": "security", "working_days": "5"}).status_code == 403
    assert _count(db, CategoryTimeLimit) == 0
    login(world.secretary)
    client.set_cookie("lang", "en")
    r = client.post(url, data={"category": "security", "working_days": "0"})
    assert r.status_code == 400 and "Between 1 and 60 working days." in r.get_data(as_text=True)
    r = client.post(url, data={"category": "security", "working_days": ""})
    assert r.status_code == 400 and "Give the number of working days." in r.get_data(as_text=True)
    assert _count(db, CategoryTimeLimit) == 0
    assert client.post(url, data={"category": "security", "working_days": "5"}).status_code == 303
    assert _count(db, AuditEntry, AuditEntry.action == "suggestion.time_limit") == 1
    login(world.resident)
    form = client.get(f"/hearings/community/{world.c.id}/suggestions/new?category=security")
    text = form.get_data(as_text=True)
    assert "The body has 5 working days to answer, from acceptance." in text
    assert "Answer within 15 working days." in text  # the other topics keep the default
    s = hf.suggestion(world.c, world.resident, category=Category.SECURITY)
    hf.accept_suggestion(s, world.property)
    db.session.commit()
    assert db.session.get(Suggestion, s.id).due_date == add_working_days(local_today(), 5)
