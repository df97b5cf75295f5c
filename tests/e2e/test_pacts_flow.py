"""Browser: the whole pact path, from a pasted document to a compared version 2."""

import re

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.pacts.models import Amendment, Pact
from tests.e2e.conftest import axe_violations, login_in_browser
from tests.factories import PASSWORD

DOCUMENT = """梅园居民公约（征求意见稿）
第一条 爱护公共环境，垃圾分类投放。
第二条 楼道内不堆放杂物，
电动自行车不进楼。
第三条 晚上十点后不装修。
第四条 文明养犬，出门牵绳。"""


def _switch(page, user):
    page.context.clear_cookies()
    login_in_browser(page, user.phone, PASSWORD)


def test_paste_consult_amend_publish_and_compare(page, make, commit):
    c = make.community(name="梅园居民区")
    b1 = make.building(c, name="1号楼", households=2)
    b2 = make.building(c, name="2号楼", households=2)
    secretary = make.user("secretary", community=c, name="陈书记")
    wang = make.user("resident", community=c, household=b1.households[0], name="王秀英")
    li = make.user("resident", community=c, household=b2.households[0], name="李建国")
    commit()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    # The secretary pastes a document and fixes the split: the title line is not a clause,
    # and clause 4 gets a better wording.
    _switch(page, secretary)
    page.goto(f"/pacts/community/{c.id}")
    page.locator(f"a[href='/pacts/community/{c.id}/new']").click()
    page.locator("#title").fill("梅园居民公约")
    page.locator("#text").fill(DOCUMENT)
    page.locator("form button[type=submit]").last.click()
    expect(page.locator("textarea[name=clause]")).to_have_count(5)
    expect(page.locator("#clause-0")).to_have_value("梅园居民公约（征求意见稿）")
    page.locator("button[name=op][value='remove:0']").click()
    expect(page.locator("textarea[name=clause]")).to_have_count(4)
    expect(page.locator("#clause-1")).to_have_value("第二条 楼道内不堆放杂物，\n电动自行车不进楼。")
    page.locator("#clause-3").fill("第四条 文明养犬，出门牵绳，及时清理粪便。")
    page.locator("button[name=op][value=save]").click()
    expect(page).to_have_url(re.compile(r"/pacts/\d+/draft$"))
    pact_id = int(re.search(r"/pacts/(\d+)/draft", page.url).group(1))
    expect(page.locator("#clauses textarea")).to_have_count(4)

    # Opens the consultation with the suggested dates (today to two weeks on).
    page.locator("form[action$='/consultation'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/pacts/{pact_id}$"))
    expect(page.locator("#consultation-window")).to_contain_text("14")

    commit()  # end the test session's read snapshot so it sees what the server wrote
    pact = db.session.get(Pact, pact_id)
    clause1, clause3 = pact.latest_version.clauses[0], pact.latest_version.clauses[2]

    # Wang (1号楼) supports clause 1, comments on clause 3 and proposes an amendment.
    _switch(page, wang)
    page.goto(f"/pacts/{pact_id}")
    # The pact page lists each clause with the resident's own position and a link to take one.
    page.locator(f"#clause-{clause1.id} .position-now a").click()
    page.locator("#position button[name=stance][value=support]").click()
    expect(page.locator("#position button[name=stance][value=support]")).to_have_attribute(
        "aria-pressed", "true"
    )
    page.goto(f"/pacts/{pact_id}")
    expect(page.locator(f"#clause-{clause1.id} .position-now")).to_contain_text("支持")
    page.goto(f"/pacts/{pact_id}/clauses/{clause3.id}")
    page.locator("#comment-form textarea").fill("晚上**九点**以后就应该安静了。")
    page.locator("#comment-form button[type=submit]").click()
    expect(page.locator(".comment-body strong")).to_have_text("九点")
    page.locator("#propose summary").click()  # the amendment form is folded on the page
    page.locator("#am-text").fill("第三条 晚上九点后不装修。")
    page.locator("#am-reason").fill("老人孩子休息早。")
    page.locator("#amendment-form button[type=submit]").click()
    expect(page.locator(".amendment")).to_have_count(1)

    # Li (2号楼) opposes clause 1, replies to Wang, agrees with her, proposes another amendment.
    _switch(page, li)
    page.goto(f"/pacts/{pact_id}/clauses/{clause1.id}")
    page.locator("#position button[name=stance][value=oppose]").click()
    page.goto(f"/pacts/{pact_id}/clauses/{clause3.id}")
    root = page.locator(".thread .comment").first
    # The cached thread links to the reply box; htmx puts the box (open) in its place.
    root.locator(".comment-respond a").first.click()
    root.locator("textarea[name=body]").fill("上班族只有晚上能装修，九点太早。")
    root.locator("form[action$='/comments'] button[type=submit]").click()
    expect(page.locator(".comment.reply")).to_contain_text("九点太早")
    page.locator(".thread > .comment").first.locator("form[action$='/agree'] button").click()
    expect(page.locator(".thread > .comment").first).to_contain_text("1")
    expect(
        page.locator(".thread > .comment").first.locator("form[action$='/agree']")
    ).to_have_count(0)
    page.locator("#propose summary").click()
    page.locator("#am-text").fill("第三条 晚上十一点后不装修。")
    page.locator("#am-reason").fill("给上班族留时间。")
    page.locator("#amendment-form button[type=submit]").click()
    expect(page.locator(".amendment")).to_have_count(2)

    # The secretary accepts Wang's amendment and rejects Li's, with reasons; publishes version 2.
    commit()  # end the test session's read snapshot so it sees what the server wrote
    accepted, rejected = db.session.scalars(select(Amendment).order_by(Amendment.id)).all()
    _switch(page, secretary)
    page.goto(f"/pacts/{pact_id}/clauses/{clause3.id}")
    form = page.locator(f"#amendment-{accepted.id} form.decide-form")
    form.locator("input[value=accept]").check()
    form.locator("textarea").fill("采纳：多数楼组支持九点。")
    form.locator("button[type=submit]").click()
    expect(page.locator(f"#amendment-{accepted.id}")).to_contain_text("采纳：多数楼组支持九点。")
    form = page.locator(f"#amendment-{rejected.id} form.decide-form")
    form.locator("input[value=reject]").check()
    form.locator("textarea").fill("十一点太晚，影响休息。")
    form.locator("button[type=submit]").click()
    expect(page.locator(f"#amendment-{rejected.id}")).to_contain_text("十一点太晚，影响休息。")
    # ...answers Wang's comment in its thread, which then shows as answered.
    root = page.locator(".thread > .comment").first
    expect(root).to_contain_text("尚未答复")
    root.locator(".comment-respond a", has_text="答复").click()
    root.locator("textarea[name=body]").fill("谢谢，修订稿会采纳九点。")
    root.locator("form[action$='/comments'] button[type=submit]").click()
    expect(page.locator(".thread > .comment").first).to_contain_text("已答复")
    expect(page.locator(".comment.reply").last).to_contain_text("书记")
    page.goto(f"/pacts/{pact_id}")
    page.once("dialog", lambda dialog: dialog.accept())  # "Close the consultation now?"
    page.locator("form[action$='/consultation/close'] button").click()
    expect(page.locator("form[action$='/revision'] button")).to_be_visible()
    page.locator("form[action$='/revision'] button").click()
    expect(page).to_have_url(re.compile(r"/draft$"))
    expect(page.locator("#clauses textarea").nth(2)).to_have_value("第三条 晚上九点后不装修。")
    page.locator("#note").fill("采纳王**的修正：九点后不装修。")
    page.locator("form[action$='/publish'] button[type=submit]").click()
    expect(page.locator("h1 + p")).to_contain_text("2")

    # A resident compares version 1 and 2 and follows the change to its amendment.
    _switch(page, li)
    page.goto(f"/pacts/{pact_id}")
    page.locator(f"a[href='/pacts/{pact_id}/compare']").click()
    changed = page.locator(".diff-changed")
    expect(changed).to_have_count(1)
    expect(changed.locator("ins")).to_have_text(
        "[新增：] 九"
    )  # the bracket is for screen readers only
    expect(changed.locator("del")).to_have_text("[删除：] 十")
    assert changed.locator("ins .visually-hidden").bounding_box()["width"] <= 1
    changed.locator("a.amendment-link").click()
    expect(page).to_have_url(re.compile(rf"#amendment-{accepted.id}$"))
    expect(page.locator(f"#amendment-{accepted.id}")).to_contain_text("采纳：多数楼组支持九点。")
    assert errors == []


def test_pact_pages_have_no_serious_accessibility_violations(axe_page, make, commit, app):
    from tests import pacts_factories as pf

    c = make.community(name="梅园居民区")
    b1 = make.building(c, name="1号楼", households=2)
    secretary = make.user("secretary", community=c)
    resident = make.user("resident", community=c, household=b1.households[0])
    with pf.request_context(app):
        pact = pf.pact(c, secretary)
        from app.pacts import operations as ops

        ops.post_comment(pact, resident, "我支持")
        ops.post_comment(pact, resident, "第一条要具体些", clause=pact.latest_version.clauses[0])
        ops.propose_amendment(
            pact,
            pact.latest_version.clauses[0],
            resident,
            "第一条 垃圾定时定点分类投放。",
            "更具体",
        )
    commit()
    login_in_browser(axe_page, resident.phone, PASSWORD)
    for url in (
        f"/pacts/community/{c.id}",
        f"/pacts/{pact.id}",
        f"/pacts/{pact.id}/clauses/{pact.latest_version.clauses[0].id}",
    ):
        axe_page.goto(url)
        assert axe_violations(axe_page) == [], url
    # The secretary's pages: what waits for an answer, answer and decision forms.
    axe_page.context.clear_cookies()
    login_in_browser(axe_page, secretary.phone, PASSWORD)
    for url in (
        f"/pacts/{pact.id}",
        f"/pacts/{pact.id}/clauses/{pact.latest_version.clauses[0].id}",
    ):
        axe_page.goto(url)
        assert axe_violations(axe_page) == [], url
