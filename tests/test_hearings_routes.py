"""Request tests: who may do what on the hearings pages, and what bad input gets back."""

from datetime import date, timedelta

import icalendar
import pytest
from sqlalchemy import func, select

from app.core.time import utcnow
from app.hearings import operations as ops
from app.hearings.models import (
    HearingSession,
    Registration,
    RegistrationStatus,
    SessionKind,
    SessionStatus,
)
from app.org.models import BodyKind
from app.suggestions import operations as sops
from app.suggestions.models import Category, Rating, Suggestion, SuggestionStatus
from tests import hearings_factories as hf


@pytest.fixture
def english(client):
    client.set_cookie("lang", "en")
    return client


@pytest.fixture
def world(make, app):
    """Two communities: a resident, a secretary, a handler of the property company, a deputy."""
    c = make.community(name="梅园居民区")
    other = make.community(name="锦绣苑居民区")
    b = make.building(c, households=3)
    w = type("World", (), {})()
    w.c, w.other, w.building = c, other, b
    w.resident = make.user("resident", community=c, building=b, name="王秀英")
    w.neighbour = make.user("resident", community=c, building=b)
    w.outsider = make.user("resident", community=other)
    w.secretary = make.user("secretary", community=c)
    w.property = make.body(c, BodyKind.PROPERTY_COMPANY, name="梅园物业")
    w.owners = make.body(c, BodyKind.OWNERS_COMMITTEE, name="梅园业委会")
    w.handler = make.user("handler", body=w.property)
    w.owners_handler = make.user("handler", body=w.owners)
    w.station = make.station([c, other], name="新华路联络站")
    w.deputy = make.user("deputy", station=w.station, name="周代表")
    return w


def _post(client, url, data=None, **kw):
    return client.post(url, data=data or {}, **kw)


# --- suggestions -------------------------------------------------------------


def test_resident_submits_and_gets_a_tracking_number(client, english, login, world, db):
    login(world.resident)
    page = client.get(f"/hearings/community/{world.c.id}/suggestions/new?category=lift")
    assert page.status_code == 200
    assert "梅园物业" in page.get_data(as_text=True)  # the guide names the property company
    r = _post(
        client,
        f"/hearings/community/{world.c.id}/suggestions/new",
        {
            "category": "lift",
            "summary": "3号楼电梯经常停运",
            "text": "我家老人出不了门",
            "building": world.building.id,
        },
    )
    assert r.status_code == 303
    s = db.session.scalar(select(Suggestion))
    assert r.headers["Location"].endswith(f"/hearings/suggestions/{s.number}")
    assert s.submitter_id == world.resident.id and s.status == SuggestionStatus.SUBMITTED


def test_empty_and_overlong_suggestions_are_refused_with_input_kept(
    client, english, login, world, db
):
    login(world.resident)
    url = f"/hearings/community/{world.c.id}/suggestions/new"
    r = _post(client, url, {"category": "lift", "summary": ""})
    assert r.status_code == 400
    assert "Please write your suggestion." in r.get_data(as_text=True)
    r = _post(client, url, {"category": "lift", "summary": "长" * 201, "text": "保留我的文字"})
    assert r.status_code == 400
    assert "保留我的文字" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Suggestion.id))) == 0


def test_submission_is_rate_limited_per_user(client, login, world):
    login(world.resident)
    url = f"/hearings/community/{world.c.id}/suggestions/new"
    codes = [
        _post(client, url, {"category": "other", "summary": f"建议{i}"}).status_code
        for i in range(6)
    ]
    assert codes[:5] == [303] * 5 and codes[5] == 429


def test_only_residents_of_the_community_may_submit(client, login, world):
    url = f"/hearings/community/{world.c.id}/suggestions/new"
    assert client.get(url).status_code in (302, 401)
    login(world.outsider)
    assert _post(client, url, {"category": "lift", "summary": "x"}).status_code == 403


def test_public_page_hides_the_text_and_the_submitter(client, world, make):
    s = hf.suggestion(world.c, world.resident, text="我家电话 13900000000")
    body = client.get(f"/hearings/suggestions/{s.number}").get_data(as_text=True)
    assert s.summary in body
    assert "13900000000" not in body and "王秀英" not in body


def test_submitter_and_secretary_see_the_text(client, login, world):
    s = hf.suggestion(world.c, world.resident, text="细节文字")
    login(world.resident)
    assert "细节文字" in client.get(f"/hearings/suggestions/{s.number}").get_data(as_text=True)
    login(world.secretary)
    assert "细节文字" in client.get(f"/hearings/suggestions/{s.number}").get_data(as_text=True)


def test_full_workflow_over_http(client, english, login, world, db):
    s = hf.suggestion(world.c, world.resident)
    number = s.number
    db.session.commit()
    url = f"/hearings/suggestions/{number}"
    # A resident cannot triage; the secretary can.
    login(world.neighbour)
    assert _post(client, url + "/accept", {"accept-body": world.property.id}).status_code == 403
    login(world.secretary)
    r = _post(client, url + "/accept", {"accept-body": world.property.id})
    assert r.status_code == 303
    # The owners' committee's handler cannot answer for the property company.
    login(world.owners_handler)
    r = _post(client, url + "/answer", {"answer-answer": "不是我们"})
    assert r.status_code == 403 and "This suggestion is routed to another body." in r.get_data(
        as_text=True
    )
    login(world.handler)
    assert _post(client, url + "/answer", {"answer-answer": "已报修"}).status_code == 303
    # Someone else cannot rate it.
    login(world.neighbour)
    assert _post(client, url + "/rate", {"rate-rating": "unsatisfied"}).status_code == 403
    login(world.resident)
    assert _post(client, url + "/rate", {"rate-rating": "unsatisfied"}).status_code == 303
    s = db.session.scalar(select(Suggestion).where(Suggestion.number == number))
    db.session.refresh(s)
    assert s.status == SuggestionStatus.REOPENED
    login(world.handler)
    assert _post(client, url + "/answer", {"answer-answer": "已更换"}).status_code == 303
    login(world.resident)
    assert _post(client, url + "/rate", {"rate-rating": "satisfied"}).status_code == 303
    db.session.refresh(s)
    assert s.status == SuggestionStatus.CLOSED
    page = client.get(url).get_data(as_text=True)
    assert "已报修" in page and "已更换" in page  # both answers stay in the history


def test_a_refused_transition_says_why_and_changes_nothing(client, english, login, world, db):
    s = hf.suggestion(world.c, world.resident)
    db.session.commit()
    login(world.resident)
    r = _post(
        client,
        f"/hearings/suggestions/{s.number}/rate",
        {"rate-rating": "satisfied"},
        follow_redirects=True,
    )
    assert "Only an answered suggestion can be rated." in r.get_data(as_text=True)
    db.session.refresh(s)
    assert s.status == SuggestionStatus.SUBMITTED and s.rating is None


def test_accepting_with_a_past_due_date_says_why_and_keeps_the_input(
    client, english, login, world, db
):
    s = hf.suggestion(world.c, world.resident)
    db.session.commit()
    login(world.secretary)
    r = _post(
        client,
        f"/hearings/suggestions/{s.number}/accept",
        {
            "accept-body": world.property.id,
            "accept-due_date": "2020-01-06",
            "accept-note": "请尽快处理",
        },
    )
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert "The due date cannot be in the past." in page and 'value="请尽快处理"' in page
    db.session.refresh(s)
    assert s.status == SuggestionStatus.SUBMITTED and s.due_date is None


def test_closing_an_answer_the_submitter_can_still_rate_is_refused_with_a_reason(
    client, english, login, world, db
):
    s = hf.suggestion(world.c, world.resident)
    hf.accept_suggestion(s, world.property)
    hf.answer_suggestion(s, "已处理")
    db.session.commit()
    login(world.secretary)
    page = client.get(f"/hearings/suggestions/{s.number}").get_data(as_text=True)
    assert (
        "Close without a rating" not in page and "The submitter may rate the answer until" in page
    )
    r = _post(client, f"/hearings/suggestions/{s.number}/close", follow_redirects=True)
    assert "The submitter may rate the answer until" in r.get_data(as_text=True)
    db.session.refresh(s)
    assert s.status == SuggestionStatus.ANSWERED


def test_secretary_cannot_route_to_a_body_of_another_community(client, login, world, make, db):
    foreign = make.body(world.other, BodyKind.PROPERTY_COMPANY)
    s = hf.suggestion(world.c)
    login(world.secretary)
    r = _post(client, f"/hearings/suggestions/{s.number}/accept", {"accept-body": foreign.id})
    assert r.status_code == 400  # not among the choices
    db.session.refresh(s)
    assert s.status == SuggestionStatus.SUBMITTED


def test_secretary_of_another_community_cannot_triage(client, login, world, make):
    s = hf.suggestion(world.c)
    login(make.user("secretary", community=world.other))
    assert (
        _post(
            client, f"/hearings/suggestions/{s.number}/decline", {"decline-reason": "x"}
        ).status_code
        == 403
    )


@pytest.mark.parametrize(
    "raw,status", [("S-2026-1", 303), ("garbage", 400), ("S-1999-000001", 404)]
)
def test_lookup_by_tracking_number_while_logged_out(client, world, raw, status):
    s = hf.suggestion(world.c)
    raw = s.number.replace("000001", "1") if raw == "S-2026-1" else raw
    r = client.get("/hearings/suggestions/lookup", query_string={"number": raw})
    assert r.status_code == status
    if status == 303:
        assert r.headers["Location"].endswith(s.number)


def test_malformed_number_in_the_path_is_404(client):
    assert client.get("/hearings/suggestions/not-a-number").status_code == 404


def test_board_filters_and_body_statistics(client, english, world):
    a = hf.suggestion(world.c, summary="甲")
    b = hf.suggestion(world.c, summary="乙", category=Category.PROPERTY_COMPANY_CHOICE)
    hf.accept_suggestion(
        a,
        world.property,
        due_date=date.today() - timedelta(days=2),
        today=date.today() - timedelta(days=30),
    )
    hf.accept_suggestion(b, world.owners)
    hf.answer_suggestion(b, "已答复")
    body = client.get(f"/hearings/community/{world.c.id}/suggestions").get_data(as_text=True)
    assert "甲" in body and "乙" in body and "梅园物业" in body and "How each body answers" in body
    overdue = client.get(f"/hearings/community/{world.c.id}/suggestions?overdue=1").get_data(
        as_text=True
    )
    assert "甲" in overdue and "乙" not in overdue
    by_body = client.get(
        f"/hearings/community/{world.c.id}/suggestions?body={world.owners.id}"
    ).get_data(as_text=True)
    assert "乙" in by_body and "甲" not in by_body.split("How each body answers")[0]


def test_candidate_project_by_secretary_only(client, login, world, db):
    s = hf.suggestion(world.c)
    url = f"/hearings/suggestions/{s.number}/candidate"
    data = {
        "candidate-title": "加装电梯",
        "candidate-description": "3号楼",
        "candidate-cost": "800000",
    }
    login(world.resident)
    assert _post(client, url, data).status_code == 403
    login(world.secretary)
    assert _post(client, url, data).status_code == 303
    db.session.refresh(s)
    assert s.is_candidate_project and s.candidate_cost == 800000


# --- sessions ----------------------------------------------------------------


def test_new_session_prefills_from_query_args(client, login, world):
    from app.projects.operations import create_project

    project = create_project(world.c, title="小区主干道路面修缮", actor=world.secretary)
    login(world.secretary)
    r = client.get(
        f"/hearings/sessions/new?community_id={world.c.id}&subject_type=project"
        f"&subject_id={project.id}&kind=review"
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert '<option selected value="review">' in html, html[html.find('id="kind"') :][:600]
    # The subject is chosen by its title from a searchable list, not typed as a number.
    assert 'list="subject-options"' in html and 'value="项目：小区主干道路面修缮"' in html
    assert '<option value="项目：小区主干道路面修缮">' in html


def test_only_the_secretary_schedules_sessions(client, login, world):
    url = f"/hearings/sessions/new?community_id={world.c.id}"
    login(world.resident)
    assert client.get(url).status_code == 403


def test_schedule_a_session_over_http(client, english, login, world, db):
    from app.projects.operations import create_project

    project = create_project(world.c, title="Road repair", actor=world.secretary)
    login(world.secretary)
    start = (utcnow() + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    end = (utcnow() + timedelta(days=10, hours=2)).strftime("%Y-%m-%dT%H:%M")
    r = _post(
        client,
        f"/hearings/sessions/new?community_id={world.c.id}",
        {
            "kind": "hearing",
            "title": "加装电梯听证会",
            "starts_at": start,
            "ends_at": end,
            "place": "会议室",
            "capacity": "2",
            "agenda": "介绍方案\n居民发言",
            "subject": "Project: Road repair",
        },
    )
    assert r.status_code == 303
    s = db.session.scalar(select(HearingSession))
    assert [a.text for a in s.agenda] == ["介绍方案", "居民发言"]
    assert (s.subject_type, s.subject_id) == ("project", project.id)
    page = client.get(f"/hearings/sessions/{s.id}").get_data(as_text=True)
    assert f'href="/votes/projects/{project.id}">Project: Road repair</a>' in page
    assert f"#{project.id}" not in page
    unknown = _post(
        client,
        f"/hearings/sessions/new?community_id={world.c.id}",
        {
            "kind": "hearing",
            "title": "x",
            "starts_at": start,
            "ends_at": end,
            "place": "会议室",
            "subject": "Project: nothing like it",
        },
    )
    assert unknown.status_code == 400
    assert "Please choose the subject from the list." in unknown.get_data(as_text=True)
    bad = _post(
        client,
        f"/hearings/sessions/new?community_id={world.c.id}",
        {"kind": "hearing", "title": "x", "starts_at": end, "ends_at": start, "place": "会议室"},
    )
    assert bad.status_code == 400 and "cannot end before it starts" in bad.get_data(as_text=True)


def test_registration_capacity_waiting_list_and_refusals(client, english, login, world, make, db):
    s = hf.session(world.c, capacity=1)
    db.session.commit()
    url = f"/hearings/sessions/{s.id}"
    login(world.resident)
    assert _post(client, url + "/register", {"speak_topic": "电梯费用分摊"}).status_code == 303
    r = _post(client, url + "/register", follow_redirects=True)
    assert "You have registered for this session already." in r.get_data(as_text=True)
    login(world.neighbour)
    r = _post(client, url + "/register", follow_redirects=True)
    assert "waiting list" in r.get_data(as_text=True)
    login(world.outsider)
    assert _post(client, url + "/register").status_code == 403
    login(world.resident)
    assert _post(client, url + "/unregister").status_code == 303
    db.session.expire_all()
    neighbour_reg = s.registration_of(world.neighbour)
    assert neighbour_reg.status == RegistrationStatus.REGISTERED


def test_registering_for_a_cancelled_session_is_refused(client, english, login, world, db):
    s = hf.session(world.c)
    hf.cancel_session(s, "场地维修")
    db.session.commit()
    login(world.resident)
    r = _post(client, f"/hearings/sessions/{s.id}/register", follow_redirects=True)
    assert "This session was cancelled." in r.get_data(as_text=True)
    assert s.registrations == []


def test_attendance_walk_ins_and_minutes(client, english, login, world, db):
    s = hf.session(world.c, starts_in=timedelta(hours=-1))
    # Registration closed when the session began, so seat the resident directly.
    r = Registration(
        session_id=s.id, user_id=world.resident.id, status=RegistrationStatus.REGISTERED
    )
    db.session.add(r)
    db.session.commit()
    url = f"/hearings/sessions/{s.id}"
    login(world.resident)
    assert client.get(url + "/attendance").status_code == 403
    login(world.secretary)
    assert _post(client, f"{url}/attendance/{r.id}", {"present": "1"}).status_code == 303
    assert _post(client, url + "/attendance", {"name": "", "building": ""}).status_code == 303
    assert (
        _post(
            client, url + "/attendance", {"name": "李阿姨", "building": world.building.id}
        ).status_code
        == 303
    )
    assert client.get(url + "/sign-in-sheet").status_code == 200
    data = {
        "summary": "讨论加装电梯",
        "decisions": "同意进入方案征询",
        "actions-0-text": "物业两周内提交报价",
        "actions-0-body": world.property.id,
        "actions-0-due_date": "2026-12-15",
        "speakers-0-name": "王秀英",
        "speakers-0-consent": "y",
        "speakers-0-points": "支持加装",
        "speakers-1-name": "张三",
        "speakers-1-points": "担心噪音",
    }
    assert _post(client, url + "/minutes", data).status_code == 303
    db.session.expire_all()
    assert s.status == SessionStatus.MINUTES_PUBLISHED
    m = s.current_minutes
    assert (m.attendance_registered, m.attendance_walk_ins) == (1, 2)
    page = client.get(url).get_data(as_text=True)
    assert "物业两周内提交报价" in page and "王秀英" in page and "张三" not in page
    # Changing attendance after publication is refused; a correction needs a note.
    r2 = _post(client, url + "/attendance", {"name": "迟到的人"}, follow_redirects=True)
    assert "can no longer be changed" in r2.get_data(as_text=True)
    bad = _post(client, url + "/minutes", {"summary": "更正"})
    assert bad.status_code == 400
    assert (
        _post(
            client, url + "/minutes", {"summary": "更正后的纪要", "correction_note": "补充决定"}
        ).status_code
        == 303
    )
    page = client.get(url).get_data(as_text=True)
    assert "Correction no. 1" in page and "讨论加装电梯" in page


def test_rescheduling_notifies_registrants(client, login, world, db):
    from app.core.notifications import Notification

    s = hf.session(world.c, capacity=5)
    ops.register_for_session(s, world.resident)
    db.session.commit()
    login(world.secretary)
    start = (utcnow() + timedelta(days=12)).strftime("%Y-%m-%dT%H:%M")
    end = (utcnow() + timedelta(days=12, hours=1)).strftime("%Y-%m-%dT%H:%M")
    r = _post(
        client,
        f"/hearings/sessions/{s.id}/edit",
        {"starts_at": start, "ends_at": end, "place": "新会议室", "capacity": "5"},
    )
    assert r.status_code == 303
    assert (
        db.session.scalar(
            select(func.count(Notification.id)).where(Notification.user_id == world.resident.id)
        )
        == 1
    )


# --- stations, deputies, calendars, home ---------------------------------------


def test_deputy_records_a_walk_in_suggestion_at_a_reception(client, english, login, world, db):
    reception = hf.session(
        station=world.station,
        kind=SessionKind.RECEPTION,
        title="周代表接待日",
        starts_in=timedelta(hours=-1),
        host_id=world.deputy.id,
    )
    db.session.commit()
    login(world.deputy)
    r = _post(
        client,
        f"/hearings/sessions/{reception.id}/suggestions/new",
        {
            "community": world.c.id,
            "category": "streets",
            "summary": "路口需要红绿灯",
            "walk_in_name": "赵大爷",
        },
    )
    assert r.status_code == 303
    s = db.session.scalar(select(Suggestion))
    assert (
        s.station_id == world.station.id
        and s.recorded_by_id == world.deputy.id
        and s.submitter_id is None
    )
    station_page = client.get(f"/hearings/station/{world.station.id}").get_data(as_text=True)
    assert (
        "路口需要红绿灯" in station_page
        and "周代表" in station_page
        and "赵大爷" not in station_page
    )
    deputy_page = client.get(f"/hearings/deputy/{world.deputy.id}").get_data(as_text=True)
    assert "周代表接待日" in deputy_page and "路口需要红绿灯" in deputy_page
    login(world.resident)
    assert client.get(f"/hearings/sessions/{reception.id}/suggestions/new").status_code == 403


def test_ical_feeds_parse_with_a_real_parser(client, world, db):
    long_title = "关于3号楼加装电梯、楼道照明与非机动车充电桩的听证会;议程,含特殊字符\\"
    s = hf.session(world.c, title=long_title)
    cancelled = hf.session(world.c, title="取消的会")
    hf.cancel_session(cancelled, "场地冲突")
    hf.session(station=world.station, kind=SessionKind.RECEPTION, title="代表接待")
    db.session.commit()
    r = client.get(f"/hearings/community/{world.c.id}/calendar.ics")
    assert r.status_code == 200 and r.mimetype == "text/calendar"
    raw = r.get_data()
    for line in raw.split(b"\r\n"):
        assert len(line) <= 75
    assert b"\n" not in raw.replace(b"\r\n", b"")
    cal = icalendar.Calendar.from_ical(raw)
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    # The community's own sessions and the station's reception for all its communities.
    assert len(events) == 3
    ev = events[f"session-{s.id}@localhost"]
    assert str(ev["SUMMARY"]).endswith(long_title)
    assert ev.decoded("DTSTART").replace(tzinfo=None) == s.starts_at
    assert ev.decoded("DTSTART").utcoffset() == timedelta(0)
    assert str(events[f"session-{cancelled.id}@localhost"]["STATUS"]) == "CANCELLED"
    station = icalendar.Calendar.from_ical(
        client.get(f"/hearings/station/{world.station.id}/calendar.ics").get_data()
    )
    assert len(list(station.walk("VEVENT"))) == 1


def test_calendar_apps_can_subscribe_and_add_one_session(client, world, db):
    s = hf.session(world.c, title="加装电梯听证会")
    cancelled = hf.session(world.c, title="取消的会")
    hf.cancel_session(cancelled, "场地冲突")
    db.session.commit()
    page = client.get(f"/hearings/community/{world.c.id}").get_data(as_text=True)
    # webcal:// makes a phone offer to subscribe; the https address is there to copy.
    assert f'href="webcal://localhost/hearings/community/{world.c.id}/calendar.ics"' in page
    assert f'value="http://localhost/hearings/community/{world.c.id}/calendar.ics"' in page
    station_page = client.get(f"/hearings/station/{world.station.id}").get_data(as_text=True)
    assert (
        f'href="webcal://localhost/hearings/station/{world.station.id}/calendar.ics"'
        in station_page
    )
    feed = icalendar.Calendar.from_ical(
        client.get(f"/hearings/community/{world.c.id}/calendar.ics").get_data()
    )
    assert (
        str(feed["X-WR-CALNAME"]).startswith(world.c.name)
        and str(feed["X-WR-CALNAME"]) != world.c.name
    )
    assert feed.decoded("REFRESH-INTERVAL") == timedelta(hours=1)
    events = {str(e["UID"]): e for e in feed.walk("VEVENT")}
    # Apps that ignore STATUS:CANCELLED still show the word in the title.
    assert "已取消" in str(events[f"session-{cancelled.id}@localhost"]["SUMMARY"])
    assert "已取消" not in str(events[f"session-{s.id}@localhost"]["SUMMARY"])
    # One session as a file to add to one's own calendar, linked from its page.
    assert f"/hearings/sessions/{s.id}/calendar.ics" in client.get(
        f"/hearings/sessions/{s.id}"
    ).get_data(as_text=True)
    one = icalendar.Calendar.from_ical(
        client.get(f"/hearings/sessions/{s.id}/calendar.ics").get_data()
    )
    [event] = one.walk("VEVENT")
    assert str(event["UID"]) == f"session-{s.id}@localhost"
    assert event.decoded("DTEND").replace(tzinfo=None) == s.ends_at
    assert client.get("/hearings/sessions/99999/calendar.ics").status_code == 404


def test_home_sections_per_role(client, english, login, world, db):
    late = hf.suggestion(world.c, world.resident, summary="逾期的建议")
    hf.accept_suggestion(
        late,
        world.property,
        due_date=date.today() - timedelta(days=5),
        today=date.today() - timedelta(days=30),
    )
    hf.suggestion(world.c, world.neighbour, summary="新的建议")
    answered = hf.suggestion(world.c, world.resident, summary="已答复的建议")
    hf.accept_suggestion(answered, world.property)
    hf.answer_suggestion(answered, "已处理")
    s = hf.session(world.c, capacity=3, title="即将召开的听证会")
    ops.register_for_session(s, world.resident)
    hf.session(
        station=world.station,
        kind=SessionKind.RECEPTION,
        title="代表接待日",
        host_id=world.deputy.id,
    )
    db.session.commit()
    login(world.secretary)
    home = client.get("/").get_data(as_text=True)
    assert (
        "Overdue suggestions" in home
        and "逾期的建议" in home
        and "新的建议" in home
        and "即将召开的听证会" in home
    )
    login(world.handler)
    home = client.get("/").get_data(as_text=True)
    assert "逾期的建议" in home and "新的建议" not in home
    assert f"/hearings/community/{world.c.id}/suggestions?body={world.property.id}" in home
    login(world.resident)
    home = client.get("/").get_data(as_text=True)
    assert "Please rate the answer" in home and "即将召开的听证会" in home
    login(world.deputy)
    assert "代表接待日" in client.get("/").get_data(as_text=True)


def test_a_resident_reaches_the_suggestion_form_from_the_home_page(
    client, english, login, world, db
):
    login(world.neighbour)
    home = client.get("/").get_data(as_text=True)
    assert f'href="/hearings/community/{world.c.id}/suggestions/new"' in home
    login(world.secretary)
    assert "/suggestions/new" not in client.get("/").get_data(as_text=True)


def test_the_board_invites_a_visitor_to_log_in_to_make_a_suggestion(client, english, world):
    page = client.get(f"/hearings/community/{world.c.id}/suggestions").get_data(as_text=True)
    assert "Log in to make a suggestion" in page
    assert f"next=/hearings/community/{world.c.id}/suggestions/new" in page.replace("%2F", "/")


def test_the_rating_form_says_the_comment_is_public_and_a_new_suggestion_is_from_today(
    client, english, login, world, db
):
    s = hf.suggestion(world.c, world.resident)
    hf.accept_suggestion(s, world.property)
    hf.answer_suggestion(s, "已处理")
    db.session.commit()
    login(world.resident)
    page = client.get(f"/hearings/suggestions/{s.number}").get_data(as_text=True)
    assert "Shown publicly with your rating; your name is not." in page
    assert "0 days ago" not in page and "today" in page


def test_rating_values_are_checked(client, login, world, db):
    s = hf.suggestion(world.c, world.resident)
    hf.accept_suggestion(s, world.property)
    hf.answer_suggestion(s, "x")
    db.session.commit()
    login(world.resident)
    assert (
        _post(
            client, f"/hearings/suggestions/{s.number}/rate", {"rate-rating": "ecstatic"}
        ).status_code
        == 400
    )
    db.session.refresh(s)
    assert s.status == SuggestionStatus.ANSWERED
    assert Rating.SATISFIED.value == "satisfied"


def test_personal_data_export_includes_suggestions_and_registrations(world, app):
    from app.accounts.operations import export_personal_data

    hf.suggestion(world.c, world.resident, summary="我的建议")
    ops.register_for_session(hf.session(world.c), world.resident)
    with app.test_request_context():
        data = export_personal_data(world.resident)
    assert data["suggestions"]["suggestions"][0]["summary"] == "我的建议"
    assert len(data["hearings"]["registrations"]) == 1


def test_board_query_count_does_not_grow_with_suggestions(client, world, db):
    from sqlalchemy import event

    def count_queries(n):
        for i in range(n):
            s = hf.suggestion(world.c, summary=f"建议{i}")
            hf.accept_suggestion(s, world.property if i % 2 else world.owners)
        db.session.commit()
        counter = {"n": 0}

        def before(*_args, **_kw):
            counter["n"] += 1

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            assert client.get(f"/hearings/community/{world.c.id}/suggestions").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", before)
        return counter["n"]

    few = count_queries(2)
    many = count_queries(20)
    assert many == few


def test_session_pages_query_count_does_not_grow_with_registrants(client, login, world, make, db):
    from sqlalchemy import event

    session_id = hf.session(world.c).id
    building_id = world.building.id

    def count_queries(n):
        session = db.session.get(HearingSession, session_id)
        community = session.community
        for _ in range(n):
            user = make.user(
                "resident", community=community, building=make.building(community, households=1)
            )
            ops.register_for_session(session, user)
            hf.add_walk_in(session, "赵大爷", building_id)
        for r in session.registered:
            hf.set_attendance(r, True)
        db.session.commit()
        counts = []
        for path in ("", "/attendance", "/sign-in-sheet"):
            db.session.expunge_all()
            queries = []

            def before(*args, queries=queries, **_kw):
                queries.append(args[2])

            event.listen(db.engine, "before_cursor_execute", before)
            try:
                assert client.get(f"/hearings/sessions/{session_id}{path}").status_code == 200
            finally:
                event.remove(db.engine, "before_cursor_execute", before)
            counts.append(len(queries))
        return counts

    login(world.secretary)
    few = count_queries(2)
    many = count_queries(8)
    assert many == few


def test_a_deputy_schedules_a_reception_at_the_station(client, login, world, db):
    login(world.deputy)
    start = (utcnow() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    end = (utcnow() + timedelta(days=5, hours=3)).strftime("%Y-%m-%dT%H:%M")
    form = client.get(f"/hearings/sessions/new?station_id={world.station.id}")
    assert form.status_code == 200
    r = _post(
        client,
        f"/hearings/sessions/new?station_id={world.station.id}",
        {
            "kind": "reception",
            "title": "周代表接待日",
            "starts_at": start,
            "ends_at": end,
            "place": "联络站",
            "community": "",
            "host": world.deputy.id,
        },
    )
    assert r.status_code == 303
    s = db.session.scalar(select(HearingSession))
    assert (
        s.station_id == world.station.id and s.community_id is None and s.host_id == world.deputy.id
    )
    # Both communities served by the station list it; residents of either may register.
    assert "周代表接待日" in client.get(f"/hearings/community/{world.other.id}").get_data(
        as_text=True
    )
    login(world.outsider)
    assert _post(client, f"/hearings/sessions/{s.id}/register").status_code == 303
    login(world.resident)
    assert client.get(f"/hearings/sessions/new?station_id={world.station.id}").status_code == 403


def test_attendance_toggle_returns_the_list_fragment_to_htmx(client, login, world, db):
    s = hf.session(world.c, starts_in=timedelta(hours=-1))
    r = Registration(
        session_id=s.id, user_id=world.resident.id, status=RegistrationStatus.REGISTERED
    )
    db.session.add(r)
    login(world.secretary)
    resp = _post(
        client,
        f"/hearings/sessions/{s.id}/attendance/{r.id}",
        {"present": "1"},
        headers={"HX-Request": "true"},
    )
    html = resp.get_data(as_text=True)
    assert (
        resp.status_code == 200
        and html.startswith('<div id="attendance-list">')
        and "<html" not in html
    )
    refused = _post(client, f"/hearings/sessions/{s.id}/attendance/99999", {"present": "1"})
    assert refused.status_code == 404


def test_a_clashing_tracking_number_is_drawn_again(world, db, monkeypatch):
    first = hf.suggestion(world.c)
    real = sops.next_number
    calls = {"n": 0}

    def clashing(year):
        calls["n"] += 1
        return (first.seq, first.number) if calls["n"] == 1 else real(year)

    monkeypatch.setattr(sops, "next_number", clashing)
    second = hf.suggestion(world.c)
    assert second.number != first.number and calls["n"] == 2


def test_a_correction_starts_from_the_published_actions_and_speakers(client, login, world, db):
    s = hf.session(world.c, starts_in=timedelta(hours=-2))
    hf.publish_minutes(
        s,
        summary="初稿",
        actions=[("物业报价", world.property.id, date(2026, 12, 1))],
        speakers=[("王秀英", True, "支持")],
    )
    db.session.commit()
    login(world.secretary)
    html = client.get(f"/hearings/sessions/{s.id}/minutes").get_data(as_text=True)
    assert 'value="物业报价"' in html and "支持" in html and 'value="2026-12-01"' in html


def test_cancelling_needs_a_reason_and_tells_registrants(client, english, login, world, db):
    from app.core.notifications import Notification

    s = hf.session(world.c, capacity=5)
    ops.register_for_session(s, world.resident)
    db.session.commit()
    login(world.secretary)
    bad = _post(client, f"/hearings/sessions/{s.id}/cancel", {"cancel-reason": " "})
    assert bad.status_code == 400 and "Please give a reason." in bad.get_data(as_text=True)
    assert (
        _post(
            client, f"/hearings/sessions/{s.id}/cancel", {"cancel-reason": "会议室漏水"}
        ).status_code
        == 303
    )
    db.session.refresh(s)
    assert s.status == SessionStatus.CANCELLED and s.cancel_reason == "会议室漏水"
    note = db.session.scalar(select(Notification).where(Notification.user_id == world.resident.id))
    assert "会议室漏水" in note.params["reason"]
    assert "会议室漏水" in client.get(f"/hearings/sessions/{s.id}").get_data(as_text=True)


def test_routing_notifies_the_bodys_handlers_and_the_submitter(world, db):
    from app.core.notifications import Notification

    s = hf.suggestion(world.c, world.resident)
    hf.accept_suggestion(s, world.property)
    recipients = set(db.session.scalars(select(Notification.user_id)))
    assert {world.handler.id, world.resident.id, world.secretary.id} <= recipients
    assert world.owners_handler.id not in recipients


def test_concurrent_registrations_never_exceed_capacity(app, client, make, db):
    import threading

    from tests.factories import login_as

    c = make.community()
    users = [make.user("resident", community=c) for _ in range(8)]
    s = hf.session(c, capacity=3)
    db.session.commit()
    clients = [login_as(app.test_client(), u) for u in users]
    barrier = threading.Barrier(len(clients))
    codes = []

    def register(cl):
        with app.app_context():
            barrier.wait()
            codes.append(cl.post(f"/hearings/sessions/{s.id}/register").status_code)

    threads = [threading.Thread(target=register, args=(cl,)) for cl in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [303] * 8
    db.session.rollback()  # a fresh snapshot: SQLite WAL keeps the old one until the transaction ends
    statuses = sorted(r.status.value for r in s.registrations)
    assert statuses.count("registered") == 3 and statuses.count("waiting") == 5
