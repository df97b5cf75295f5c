"""The elderly-friendly (适老化) mode, measured in the browser at 390 px, never read from the CSS.

China's 2021 web rules for elderly users (工业和信息化部《互联网网站适老化通用设计规范》), the
parts a machine can test: in the large-text mode body text of at least 18 pt (24 CSS px), line
spacing of at least 1.3, text contrast of at least 4.5 : 1, touch targets of at least 60 x 60
CSS px (44 x 44 in the normal mode), colour never the only cue, no pop-ups, no time limits on
forms, and a prominent switch that works without JavaScript. Each figure comes from the page as
Chromium laid it out: getComputedStyle, getBoundingClientRect, colours composited over the
backgrounds behind the text. axe-core runs on the same pages in both modes.
"""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.core import audit
from app.core.time import utcnow
from app.pacts import operations as pacts
from app.projects import operations as projects
from app.votes import operations as votes
from app.votes.models import ElectorateKind, Method, Secrecy
from tests import pacts_factories as pf
from tests.e2e.conftest import axe_violations, login_in_browser
from tests.factories import PASSWORD

PHONE = {"width": 390, "height": 844}

#: What one page measures: every failure, described so that a failing test says where.
MEASURE = """
({minFont, minTarget}) => {
  const MIN_LINE = 1.3, MIN_CONTRAST = 4.5;
  const out = {font: [], line: [], contrast: [], target: [], cue: [], popup: [], counted: {}};
  const viewport = document.documentElement.clientWidth;
  const shown = (el) => {
    if (!el.checkVisibility({opacityProperty: true, visibilityProperty: true})) return false;
    const r = el.getBoundingClientRect();
    // Off-screen (the skip link until focused) or clipped to 1 px (screen-reader-only text).
    return r.width > 1 && r.height > 1 && r.right > 0 && r.left < viewport;
  };
  const describe = (el) => {
    const text = (el.innerText || el.value || el.getAttribute("aria-label") || "").trim();
    return `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : ""} "${text.slice(0, 30)}"`;
  };
  const rgba = (s) => {
    const m = s.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const over = (top, under) => ({
    r: top.r * top.a + under.r * (1 - top.a),
    g: top.g * top.a + under.g * (1 - top.a),
    b: top.b * top.a + under.b * (1 - top.a),
    a: 1,
  });
  const background = (el) => {
    const layers = [];
    for (let a = el; a; a = a.parentElement) {
      const cs = getComputedStyle(a);
      if (cs.backgroundImage !== "none") return null;  // cannot be computed from colours
      const c = rgba(cs.backgroundColor);
      if (c && c.a > 0) { layers.push(c); if (c.a === 1) break; }
    }
    let bg = {r: 255, g: 255, b: 255, a: 1};  // the canvas
    for (const layer of layers.reverse()) bg = over(layer, bg);
    return bg;
  };
  const luminance = (c) => {
    const ch = [c.r, c.g, c.b].map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
  };
  const contrast = (a, b) => {
    const [l1, l2] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (l1 + 0.05) / (l2 + 0.05);
  };

  // Text: every element that holds visible text of its own.
  const SKIP = "script, style, noscript, template, option, meter, title, svg";
  let texts = 0;
  for (const el of document.body.querySelectorAll("*")) {
    if (el.matches(SKIP) || el.closest(SKIP)) continue;
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || !shown(el)) continue;
    texts++;
    const cs = getComputedStyle(el);
    const size = parseFloat(cs.fontSize);
    if (size < minFont - 0.01) out.font.push(`${describe(el)} ${size}px`);
    const ratio = cs.lineHeight === "normal" ? 0 : parseFloat(cs.lineHeight) / size;
    if (ratio < MIN_LINE - 0.005) out.line.push(`${describe(el)} line-height ${cs.lineHeight} at ${size}px`);
    const bg = background(el), fg = rgba(cs.color);
    if (bg === null) { out.contrast.push(`${describe(el)} has a background image`); continue; }
    const k = contrast(over(fg, bg), bg);
    if (k < MIN_CONTRAST) out.contrast.push(`${describe(el)} ${k.toFixed(2)}:1 (${cs.color} on rgb(${bg.r|0},${bg.g|0},${bg.b|0}))`);
  }

  // Touch targets: every visible link, button, field and disclosure; a checkbox or a radio
  // is tapped through its label, so its label is what is measured.
  let targets = 0;
  for (const el of document.querySelectorAll("a[href], button, input:not([type=hidden]), select, textarea, summary")) {
    let box = el;
    if (el.matches("input[type=checkbox], input[type=radio]")) box = el.closest("label") || (el.labels && el.labels[0]) || el;
    if (!shown(box)) continue;
    targets++;
    const r = box.getBoundingClientRect();
    if (r.width < minTarget - 0.5 || r.height < minTarget - 0.5)
      out.target.push(`${describe(el)} ${r.width.toFixed(0)}x${r.height.toFixed(0)}`);
  }

  // Colour is never the only cue: links in the page's text are underlined (or drawn as
  // buttons), a pressed button carries a mark, a badge says what it means in words.
  for (const a of document.querySelectorAll("main a[href]")) {
    if (!shown(a)) continue;
    const cs = getComputedStyle(a);
    const underlined = cs.textDecorationLine.includes("underline");
    const boxed = parseFloat(cs.borderTopWidth) > 0 && cs.borderTopStyle !== "none";
    if (!underlined && !boxed) out.cue.push(`link ${describe(a)} is told apart by colour only`);
  }
  for (const b of document.querySelectorAll("[aria-pressed=true]")) {
    if (shown(b) && !b.textContent.includes("✓")) out.cue.push(`pressed ${describe(b)} has no mark`);
  }
  for (const b of document.querySelectorAll(".badge")) {
    if (shown(b) && !b.textContent.trim()) out.cue.push(`badge ${describe(b)} has no words`);
  }
  for (const svg of document.querySelectorAll("main svg")) {
    if (shown(svg) && !(svg.getAttribute("aria-label") || "").trim()) out.cue.push("a chart without words");
  }

  // No pop-ups: no open dialog, nothing fixed over the page, no link opening a new window;
  // no time limits: no page that reloads or moves on by itself.
  for (const el of document.querySelectorAll("dialog[open], [role=dialog], [role=alertdialog], a[target=_blank], form[target=_blank]")) out.popup.push(describe(el));
  for (const el of document.body.querySelectorAll("*")) {
    if (shown(el) && ["fixed", "sticky"].includes(getComputedStyle(el).position)) out.popup.push(`fixed ${describe(el)}`);
  }
  for (const el of document.querySelectorAll("meta[http-equiv=refresh i]")) out.popup.push("meta refresh");

  out.counted = {texts, targets, scrollWidth: document.documentElement.scrollWidth, viewport};
  return out;
}
"""

SWITCH = "form[action='/text-size'] button"


@pytest.fixture
def town(make, commit, app):
    """A community with a pact in consultation (a long thread, positions, an amendment), an
    open residents' vote, one ballot already cast (for its receipt) and a suggestion form."""
    c = make.community(name="梅园居民区")
    building = make.building(c, name="3号楼", households=4)
    sec = make.user("secretary", community=c, name="陈书记")
    wang = make.user("resident", community=c, household=building.households[0], name="王秀英")
    li = make.user("resident", community=c, household=building.households[1], name="李建国")
    zhao = make.user("resident", community=c, household=building.households[2], name="赵阿姨")
    with pf.request_context(app):
        pact = pf.pact(c, sec, title="梅园居民区居民公约")
        clause = pact.latest_version.clauses[0]
        pacts.set_position(pact, clause, li, "support")
        pacts.set_position(pact, clause, zhao, "oppose")
        root = pacts.post_comment(pact, li, "垃圾房**晚上**也要开。", clause=clause)
        for i, who in enumerate((zhao, li, zhao, li)):
            pacts.post_comment(pact, who, f"第{i + 1}条回复：同意楼组长的意见。", parent=root)
        pacts.post_comment(
            pact,
            zhao,
            "分类桶再多放两个，参考 https://www.example.org/garbage-sorting/guide/"
            "a-very-long-address-without-any-place-to-break-it-0123456789",
            clause=clause,
        )
        pacts.propose_amendment(pact, clause, zhao, "第一条 垃圾分类，定时投放。", "更清楚")
    items = [
        projects.create_project(c, title=t, estimated_cost=cost, proponent="居民", actor=sec)
        for t, cost in (("加装电梯", 300_000), ("楼道照明改造", 80_000), ("老年助餐点", 120_000))
    ]
    now = utcnow()
    vote = votes.create_vote(
        c,
        title="2027年社区微更新",
        electorate_kind=ElectorateKind.RESIDENTS,
        station_id=None,
        method=Method.APPROVAL,
        secrecy=Secrecy.SECRET,
        params={"max_choices": 2, "seats": 2},
        opens_at=now,
        closes_at=now + timedelta(days=3),
        projects=items,
        actor=sec,
    )
    votes.open_vote(vote, sec)
    ballot = votes.cast_ballot(vote, li, {"approve": [str(items[0].id)]})
    commit()
    return type(
        "Town",
        (),
        {
            "c": c,
            "sec": sec,
            "wang": wang,
            "pact": pact,
            "clause": clause,
            "vote": vote,
            "receipt": ballot.hash,
        },
    )


def _pages(town) -> dict[str, str]:
    return {
        "home": "/",
        "pact": f"/pacts/{town.pact.id}",
        "clause": f"/pacts/{town.pact.id}/clauses/{town.clause.id}",
        "suggestion form": f"/hearings/community/{town.c.id}/suggestions/new",
        "ballot": f"/votes/{town.vote.id}/ballot",
        "receipt": f"/votes/{town.vote.id}/receipt/{town.receipt}",
        # Not required by the rules' list, but main pages all the same.
        "vote": f"/votes/{town.vote.id}",
        "suggestion board": f"/hearings/community/{town.c.id}/suggestions",
        "community": f"/communities/{town.c.id}",
    }


@pytest.fixture
def phone(browser, base_url):
    """A 390 px phone; the CSP is bypassed only so that axe-core can be injected."""
    context = browser.new_context(
        base_url=base_url,
        viewport=PHONE,
        bypass_csp=True,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    page = context.new_page()
    popups = []
    page.on("dialog", lambda d: (popups.append(d.message), d.dismiss()))
    context.on("page", lambda p: popups.append(p.url))
    page.popups = popups
    yield page
    context.close()


def _measure(page, large: bool) -> dict:
    return page.evaluate(MEASURE, {"minFont": 24 if large else 0, "minTarget": 60 if large else 44})


def _check_all(page, town, large: bool) -> None:
    problems = {}
    for name, path in _pages(town).items():
        page.goto(path)
        expect(page.locator("html")).to_have_class("large-text" if large else "")
        m = _measure(page, large)
        assert m["counted"]["texts"] > 10 and m["counted"]["targets"] > 5, (name, m["counted"])
        found = {k: v for k, v in m.items() if k != "counted" and v}
        if m["counted"]["scrollWidth"] > m["counted"]["viewport"]:
            found["scroll"] = [f"{m['counted']['scrollWidth']} px wide at {PHONE['width']}"]
        # The switch is prominent: in the first screen, a target of full size, never a plain link.
        switch = page.locator(SWITCH)
        box = switch.bounding_box()
        if box["y"] + box["height"] > 300 or box["height"] < (60 if large else 44):
            found["switch"] = [str(box)]
        if violations := axe_violations(page):
            found["axe"] = violations
        if found:
            problems[name] = found
    assert page.popups == []
    assert problems == {}


def test_the_large_text_mode_meets_the_elderly_rules_on_the_main_pages(phone, town):
    login_in_browser(phone, town.wang.phone, PASSWORD)
    _check_all(phone, town, large=False)
    phone.locator(SWITCH).click()
    expect(phone.locator("html")).to_have_class("large-text")
    _check_all(phone, town, large=True)
    # The measurements above looked at what they should: the large-text mode really is larger.
    phone.goto(_pages(town)["clause"])
    size = phone.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.clause-text')).fontSize)"
    )
    assert size >= 24


def test_a_visitor_gets_the_same_measurements(phone, town):
    phone.goto("/")
    phone.locator(SWITCH).click()
    for path in ("/", f"/pacts/{town.pact.id}", f"/pacts/{town.pact.id}/clauses/{town.clause.id}"):
        phone.goto(path)
        m = _measure(phone, large=True)
        assert {k: v for k, v in m.items() if k != "counted" and v} == {}, path
        assert m["counted"]["scrollWidth"] <= PHONE["width"]


def test_the_measurements_catch_what_they_measure(phone, live_server):
    # Guards the checks above against passing vacuously: a page that breaks each rule fails.
    phone.goto("/about")
    phone.set_content(
        '<html><body><main><p style="font-size:12px;line-height:1;color:#999">小字</p>'
        '<a href="/x" style="text-decoration:none">x</a>'
        '<button aria-pressed="true">支持</button>'
        '<div style="position:fixed;top:0">广告</div></main></body></html>'
    )
    m = _measure(phone, large=True)
    assert m["font"] and m["line"] and m["contrast"]
    assert any("/x" in t or '"x"' in t for t in m["target"])
    assert len(m["cue"]) == 2 and m["popup"]


def test_the_switch_works_without_javascript(browser, base_url, town):
    context = browser.new_context(base_url=base_url, viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"/pacts/{town.pact.id}")
    expect(page.locator("html")).not_to_have_class("large-text")
    page.locator(SWITCH).click()
    expect(page).to_have_url(f"{base_url}/pacts/{town.pact.id}")
    expect(page.locator("html")).to_have_class("large-text")
    page.goto("/")
    expect(page.locator("html")).to_have_class("large-text")
    page.locator(SWITCH).click()
    expect(page.locator("html")).not_to_have_class("large-text")
    context.close()


def test_forms_have_no_time_limit(app):
    # A form left open for an hour still posts: the CSRF token does not expire on its own.
    assert app.config["WTF_CSRF_TIME_LIMIT"] is None


@pytest.mark.parametrize("page_name", ["members", "roles", "audit"])
def test_tables_become_cards_without_sideways_scrolling(phone, make, commit, page_name):
    c = make.community(name="梅园居民区")
    building = make.building(c, name="12号楼", households=3)
    for i in range(3):
        make.user("resident", community=c, household=building.households[i], name=f"欧阳秀英{i}")
    sec = make.user("secretary", community=c, name="陈书记")
    admin = make.user("admin", name="街道管理员")
    for i in range(3):
        audit.record(
            "membership.approve",
            community=c,
            actor=sec,
            detail=f"欧阳秀英{i} 加入 12号楼，由陈书记审核通过（长长的说明文字不应撑宽页面）",
        )
    commit()
    who, path = {
        "members": (sec, f"/communities/{c.id}/members"),
        "roles": (admin, "/admin/roles"),
        "audit": (sec, f"/communities/{c.id}/audit"),
    }[page_name]
    login_in_browser(phone, who.phone, PASSWORD)
    for large in (False, True):
        phone.goto(path)
        if large:
            phone.locator(SWITCH).click()
            expect(phone.locator("html")).to_have_class("large-text")
        rows = phone.locator("table.stack tbody tr")
        assert rows.count() >= 1
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], (path, large, width)
        # A card shows each value under its column's name.
        label = phone.evaluate(
            "getComputedStyle(document.querySelector('table.stack td[data-label]'), '::before').content"
        )
        assert label not in ("none", "normal", '""')
        assert axe_violations(phone) == []
