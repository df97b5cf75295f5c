"""A refused action on a suggestion or a session says why, in Chinese and English, with the
status of the one refusal path, and saves nothing; a refused form keeps what the user typed."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.hearings.models import Registration, SessionStatus, WalkIn
from app.org.models import BodyKind
from app.suggestions.models import Suggestion, SuggestionEvent, SuggestionStatus
from tests import hearings_factories as hf


@pytest.fixture
def world(make, db):
    c = make.community(name="梅园居民区")
    w = type("World", (), {})()
    w.c = c
    w.resident = make.user("resident", community=c, name="王秀英")
    w.secretary = make.user("secretary", community=c)
    w.property = make.body(c, BodyKind.PROPERTY_COMPANY, name="梅园物业")
    w.handler = make.user("handler", body=w.property)
    db.session.commit()
    return w


def _in(client, lang):
    client.set_cookie("lang", lang)
    return client


def _events(db):
    return db.session.scalar(select(func.count(SuggestionEvent.id)))


@pytest.mark.parametrize(
    "lang,message",
    [
        ("en", "Only an answered suggestion can be rated."),
        ("zh_Hans_CN", "只有已答复的意见建议才能评价。"),
    ],
)
def test_rating_an_unanswered_suggestion_is_a_409_with_the_reason(
    client, login, world, db, lang, message
):
    s = hf.suggestion(world.c, world.resident)
    db.session.commit()
    before = _events(db)
    login(world.resident)
    r = _in(client, lang).post(
        f"/hearings/suggestions/{s.number}/rate", data={"rate-rating": "satisfied"}
    )
    assert r.status_code == 409 and message in r.get_data(as_text=True)
    db.session.refresh(s)
    assert s.status == SuggestionStatus.SUBMITTED and s.rating is None and _events(db) == before


@pytest.mark.parametrize("lang", ["en", "zh_Hans_CN"])
def test_closing_before_the_rating_window_ends_is_a_409_with_the_date(
    client, login, world, db, lang
):
    s = hf.suggestion(world.c, world.resident)
    hf.accept_suggestion(s, world.property)
    hf.answer_suggestion(s, "已处理")
    db.session.commit()
    deadline = s.rating_deadline.isoformat()
    login(world.secretary)
    r = _in(client, lang).post(f"/hearings/suggestions/{s.number}/close")
    page = r.get_data(as_text=True)
    expected = {
        "en": f"The submitter may rate the answer until {deadline}",
        "zh_Hans_CN": deadline,
    }[lang]
    assert r.status_code == 409 and expected in page
    db.session.refresh(s)
    assert s.status == SuggestionStatus.ANSWERED and s.closed_at is None


def test_answer_by_a_handler_of_another_body_is_403_with_the_reason_in_both_languages(
    client, login, world, make, db
):
    s = hf.suggestion(world.c, world.resident)
    hf.accept_suggestion(s, world.property)
    other = make.user("handler", body=make.body(world.c, BodyKind.OWNERS_COMMITTEE))
    db.session.commit()
    login(other)
    for lang, message in (
        ("en", "This suggestion is routed to another body."),
        ("zh_Hans_CN", "该意见建议已转交其他单位办理。"),
    ):
        r = _in(client, lang).post(
            f"/hearings/suggestions/{s.number}/answer", data={"answer-answer": "我们来答"}
        )
        assert r.status_code == 403 and message in r.get_data(as_text=True)
    db.session.refresh(s)
    assert s.status == SuggestionStatus.ACCEPTED and s.answer == ""


@pytest.mark.parametrize(
    "lang,message",
    [
        ("en", "The suggestion is with this body already."),
        ("zh_Hans_CN", "该意见建议已在此单位办理。"),
    ],
)
def test_a_refused_reroute_re_renders_the_form_with_the_note_and_the_reason(
    client, login, world, db, lang, message
):
    s = hf.suggestion(world.c, world.resident)
    hf.accept_suggestion(s, world.property)
    db.session.commit()
    before = _events(db)
    login(world.secretary)
    r = _in(client, lang).post(
        f"/hearings/suggestions/{s.number}/reroute",
        data={"reroute-body": world.property.id, "reroute-note": "请物业再看看"},
    )
    page = r.get_data(as_text=True)
    assert r.status_code == 400 and 'value="请物业再看看"' in page
    assert message in page
    assert _events(db) == before


@pytest.mark.parametrize(
    "lang,message",
    [
        ("en", "You have registered for this session already."),
        ("zh_Hans_CN", "您已经报名了本次会议。"),
    ],
)
def test_registering_twice_is_a_409_and_keeps_one_registration(
    client, login, world, db, lang, message
):
    s = hf.session(world.c, capacity=3)
    db.session.commit()
    login(world.resident)
    assert client.post(f"/hearings/sessions/{s.id}/register").status_code == 303
    r = _in(client, lang).post(f"/hearings/sessions/{s.id}/register")
    assert r.status_code == 409 and message in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Registration.id))) == 1


@pytest.mark.parametrize(
    "lang,message",
    [
        ("en", "Attendance can no longer be changed for this session."),
        ("zh_Hans_CN", "本次会议的签到已不能再修改。"),
    ],
)
def test_a_walk_in_after_the_minutes_is_a_409_and_not_saved(
    client, login, world, db, lang, message
):
    s = hf.session(world.c, starts_in=timedelta(hours=-2))
    hf.publish_minutes(s, summary="纪要")
    db.session.commit()
    login(world.secretary)
    r = _in(client, lang).post(f"/hearings/sessions/{s.id}/attendance", data={"name": "迟到的人"})
    assert r.status_code == 409 and message in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count(WalkIn.id))) == 0
    assert db.session.get(type(s), s.id).status == SessionStatus.MINUTES_PUBLISHED


def test_a_refused_submission_keeps_the_text(client, login, world, db, monkeypatch):
    from app.suggestions import models

    monkeypatch.setattr(models, "SUMMARY_MAX", 200)
    login(world.resident)
    r = _in(client, "en").post(
        f"/hearings/community/{world.c.id}/suggestions/new",
        data={"category": "lift", "summary": "   ", "text": "电梯坏了三天"},
    )
    assert r.status_code == 400 and "电梯坏了三天" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Suggestion.id))) == 0


def test_a_candidate_suggestion_is_offered_on_the_projects_page(client, login, world, db):
    s = hf.suggestion(world.c, world.resident)
    hf.mark_candidate_project(s, "3号楼加装电梯", "方便老人", 780000)
    db.session.commit()
    login(world.secretary)
    page = client.get(f"/votes/community/{world.c.id}/projects").get_data(as_text=True)
    assert "3号楼加装电梯" in page and s.number in page
