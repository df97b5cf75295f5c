"""Browser: the secretary sees an escalated (督办) suggestion, records a return visit (回访) as
"not satisfied", and the suggestion reopens, its public history showing each step."""

from datetime import timedelta

from playwright.sync_api import expect

from app.core.db import begin_write
from app.core.time import local_today, utcnow
from app.org.models import BodyKind
from app.suggestions import jobs
from app.suggestions.models import Suggestion
from tests import hearings_factories as hf
from tests.e2e.conftest import axe_violations, login_in_browser
from tests.factories import PASSWORD


def test_escalated_suggestion_gets_a_return_visit_and_reopens(page, make, db, commit):
    c = make.community(name="梅园居民区")
    secretary = make.user("secretary", community=c, name="陈书记")
    prop = make.body(c, BodyKind.PROPERTY_COMPANY, name="梅园物业服务中心")
    handler = make.user("handler", body=prop, name="物业钱经理")
    s = hf.suggestion(c, summary="消防通道被杂物堵塞", walk_in_name="孙阿姨")
    hf.accept_suggestion(s, prop)
    s.due_date = local_today() - timedelta(days=20)
    commit()
    # The scheduler (flask tick) escalates it: its due date is long past.
    assert jobs.escalate_overdue(utcnow()) == "1 escalation(s)"
    commit()
    number = s.number
    url = f"/hearings/suggestions/{number}"

    login_in_browser(page, secretary.phone, PASSWORD)
    page.goto(f"/hearings/community/{c.id}/suggestions")
    row = page.locator(".suggestion-list li", has_text=number)
    expect(row).to_contain_text("已督办")
    row.locator("a").click()
    expect(page.locator("#status")).to_contain_text("已督办")
    expect(page.locator("#history")).to_contain_text("逾期未答复，已督办")

    # The body answers; the walk-in has no account to rate it, so it goes on the return-visit list.
    db.session.rollback()
    begin_write()  # the live server writes too: take SQLite's write lock before reading
    hf.answer_suggestion(db.session.get(Suggestion, s.id), "已清理通道杂物。", actor=handler)
    commit()
    page.goto(f"/hearings/community/{c.id}/suggestions/return-visits")
    page.locator(".suggestion-list a", has_text=number).click()
    page.wait_for_url(f"**{url}")
    page.locator("input[name='visit-outcome'][value=unsatisfied]").check()
    page.locator("#visit-note").fill("孙阿姨说杂物又堆回来了。")
    page.locator("form[action$='/return-visit'] button[type=submit]").click()
    expect(page.locator(".flash")).to_contain_text("回访已记录")
    expect(page.locator("#status")).to_contain_text("重新")
    history = page.locator("#history li")
    expect(history).to_have_count(6)
    steps = ["提交", "受理", "逾期未答复，已督办", "答复", "回访", "重新"]
    for i, text in enumerate(steps):
        expect(history.nth(i)).to_contain_text(text)
    expect(history.nth(4)).to_contain_text("不满意")
    # The visit's note is for staff: the public history does not show it.
    expect(page.locator("#history")).not_to_contain_text("杂物又堆回来了")


def test_return_visit_page_has_no_serious_accessibility_violations(axe_page, make, db, commit):
    c = make.community(name="梅园居民区")
    secretary = make.user("secretary", community=c, name="陈书记")
    prop = make.body(c, BodyKind.PROPERTY_COMPANY, name="梅园物业服务中心")
    s = hf.suggestion(c, summary="楼道灯不亮", walk_in_name="赵大爷")
    hf.accept_suggestion(s, prop)
    hf.answer_suggestion(s, "已更换灯泡。")
    commit()
    login_in_browser(axe_page, secretary.phone, PASSWORD)
    axe_page.goto(f"/hearings/suggestions/{s.number}")
    expect(axe_page.locator("#return-visit")).to_be_visible()
    assert axe_violations(axe_page) == []
