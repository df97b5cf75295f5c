"""Browser: a hearing fills up, its waiting list moves up, attendance is taken and minutes published."""

from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import update

from app.core.db import begin_write
from app.core.time import utcnow
from app.hearings import operations as ops
from app.hearings.models import HearingSession, SessionKind
from app.org.models import BodyKind
from tests.e2e.conftest import axe_violations, login_in_browser
from tests.factories import PASSWORD


def _switch(page, user):
    page.context.clear_cookies()
    login_in_browser(page, user.phone, PASSWORD)


def test_capacity_waiting_list_attendance_and_minutes(page, make, commit, db):
    c = make.community(name="梅园居民区")
    b = make.building(c, name="5号楼", households=3)
    a, bb, cc = (
        make.user("resident", community=c, household=h, name=n)
        for h, n in zip(b.households, ["王秀英", "李建国", "张阿姨"], strict=True)
    )
    secretary = make.user("secretary", community=c, name="陈书记")
    prop = make.body(c, BodyKind.PROPERTY_COMPANY, name="梅园物业服务中心")
    starts = utcnow().replace(microsecond=0) + timedelta(days=3)
    session = ops.create_session(
        kind=SessionKind.HEARING,
        title="5号楼加装电梯听证会",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        place="居委会二楼",
        community_id=c.id,
        capacity=2,
        agenda=["方案介绍", "居民发言"],
        actor=secretary,
    )
    commit()
    session_id = session.id
    url = f"/hearings/sessions/{session_id}"

    # Two residents take the two seats.
    for user, topic in ((a, "费用分摊"), (bb, "")):
        _switch(page, user)
        page.goto(url)
        page.locator("#speak_topic").fill(topic)
        page.locator("#registration button[type=submit]").click()
        expect(page.locator("#registration")).to_contain_text("已报名")
    # The third lands on the waiting list.
    _switch(page, cc)
    page.goto(url)
    page.locator("#registration button[type=submit]").click()
    expect(page.locator("#registration")).to_contain_text("候补第 1 位")

    # The first cancels; the waiting resident moves up and is told.
    _switch(page, a)
    page.goto(url)
    page.once("dialog", lambda d: d.accept())
    page.locator("#registration form[action$='/unregister'] button").click()
    expect(page.locator("#registration button[type=submit]")).to_be_visible()
    _switch(page, cc)
    page.goto(url)
    expect(page.locator("#registration")).to_contain_text("已报名")
    page.goto("/notifications")
    expect(page.locator("main")).to_contain_text("5号楼加装电梯听证会")

    # The day comes: the secretary takes attendance with a walk-in.
    db.session.rollback()  # end the test's stale read transaction before writing (SQLite WAL)
    begin_write()
    new_start = utcnow().replace(microsecond=0) - timedelta(minutes=30)
    db.session.execute(
        update(HearingSession)
        .where(HearingSession.id == session_id)
        .values(starts_at=new_start, ends_at=new_start + timedelta(hours=2))
    )
    commit()
    _switch(page, secretary)
    page.goto(f"{url}/attendance")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    for i in range(2):
        rows.nth(i).locator("button").click()
        expect(rows.nth(i).locator(".badge-ok")).to_be_visible()
    page.locator("#name").fill("赵大爷")
    page.locator("#building").select_option(label=f"{c.name} 5号楼")
    page.locator("#walk-in-form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("赵大爷")
    expect(page.locator("#attendance-count")).to_contain_text("3")

    # Minutes with a follow-up action for the property company.
    page.goto(f"{url}/minutes")
    page.locator("#summary").fill("居民就加装电梯方案充分发表意见。")
    page.locator("#decisions").fill("同意进入方案公示。")
    page.locator("#actions-0-text").fill("物业两周内提交三家报价")
    page.locator("#actions-0-body").select_option(str(prop.id))
    page.locator("#actions-0-due_date").fill("2026-12-15")
    page.locator("#speakers-0-name").fill("王秀英")
    page.locator("#speakers-0-consent").check()
    page.locator("#speakers-0-points").fill("支持加装，希望低层住户少出钱。")
    page.locator("main form button[type=submit]").last.click()
    minutes = page.locator("#minutes")
    expect(minutes).to_contain_text("物业两周内提交三家报价")
    expect(minutes).to_contain_text("梅园物业服务中心")
    expect(minutes).to_contain_text("3")
    expect(page.locator("main .badge").nth(1)).to_have_text("纪要已发布")


def test_axe_session_page(axe_page, make, commit):
    c = make.community()
    resident = make.user("resident", community=c)
    s = ops.create_session(
        kind=SessionKind.HEARING,
        title="听证会",
        starts_at=utcnow() + timedelta(days=2),
        ends_at=utcnow() + timedelta(days=2, hours=1),
        place="会议室",
        community_id=c.id,
        capacity=5,
        actor=make.user("secretary", community=c),
    )
    commit()
    login_in_browser(axe_page, resident.phone, PASSWORD)
    axe_page.goto(f"/hearings/sessions/{s.id}")
    assert axe_violations(axe_page) == []
    axe_page.goto(f"/hearings/community/{c.id}")
    assert axe_violations(axe_page) == []


def test_axe_attendance_and_minutes_form(axe_page, make, commit):
    c = make.community()
    secretary = make.user("secretary", community=c)
    make.body(c, BodyKind.PROPERTY_COMPANY)
    s = ops.create_session(
        kind=SessionKind.REVIEW,
        title="评议会",
        starts_at=utcnow() - timedelta(hours=1),
        ends_at=utcnow() + timedelta(hours=1),
        place="会议室",
        community_id=c.id,
        actor=secretary,
    )
    commit()
    login_in_browser(axe_page, secretary.phone, PASSWORD)
    for path in ("attendance", "minutes", "sign-in-sheet", "suggestions/new"):
        axe_page.goto(f"/hearings/sessions/{s.id}/{path}")
        assert axe_violations(axe_page) == [], path
