"""Browser: 20 paper ballots entered at the desk by keyboard alone, counted, all in the log once."""

import re

from playwright.sync_api import expect
from sqlalchemy import func, select

from app.extensions import db
from app.projects import operations as pops
from app.votes import operations as ops
from app.votes.models import Ballot, ElectorateKind, Method, Participation, Secrecy, Vote
from tests.e2e.conftest import axe_violations, login_in_browser
from tests.factories import PASSWORD

#: 24 residents of 梅园 (family name, given name); each is found by typing their given name.
RESIDENTS = [
    ("王", "秀英"), ("李", "桂兰"), ("张", "建国"), ("刘", "淑珍"), ("陈", "志强"), ("杨", "玉兰"),
    ("赵", "德明"), ("黄", "美华"), ("周", "国庆"), ("吴", "凤英"), ("徐", "海涛"), ("孙", "丽娟"),
    ("胡", "振华"), ("朱", "红梅"), ("高", "永胜"), ("林", "晓燕"), ("何", "宝山"), ("郭", "春花"),
    ("马", "文斌"), ("罗", "素琴"), ("梁", "立新"), ("宋", "金凤"), ("郑", "长福"), ("谢", "雅琴"),
]  # fmt: skip
ENTERED = 20
#: How long an expectation waits (ms): 80 page loads on a machine shared by many test runs.
PATIENCE = 20_000


def _room(make, commit):
    c = make.community(name="梅园居民区")
    secretary = make.user("secretary", community=c, name="陈书记")
    buildings = [make.building(c, name=f"{n}号楼") for n in (3, 5, 7)]
    residents = []
    for i, (family, given) in enumerate(RESIDENTS):
        household = make.household(buildings[i % 3], number=f"{(i // 3) + 1}0{i % 3 + 1}")
        residents.append(make.user("resident", c, name=family + given, household=household))
    projects = [
        pops.create_project(c, title=t, estimated_cost=cost, actor=secretary)
        for t, cost in (("加装电梯", 780000), ("楼道照明改造", 120000), ("非机动车充电棚", 160000))
    ]
    vote = ops.create_vote(
        c,
        title="梅园2027年民生实事项目票决",
        electorate_kind=ElectorateKind.RESIDENTS,
        station_id=None,
        method=Method.APPROVAL,
        secrecy=Secrecy.SECRET,
        params={"max_choices": 2, "seats": 2},
        opens_at=_now(),
        closes_at=_now(days=3),
        projects=projects,
        actor=secretary,
    )
    ops.open_vote(vote, secretary)
    commit()
    return secretary, residents, vote


def _now(days: int = 0):
    from datetime import timedelta

    from app.core.time import utcnow

    return utcnow() + timedelta(days=days)


def test_twenty_paper_ballots_entered_by_keyboard_alone(page, make, commit, axe_page):
    expect.set_options(timeout=PATIENCE)
    try:
        _enter_twenty(page, make, commit, axe_page)
    finally:
        expect.set_options(timeout=5_000)  # Playwright's default, for the tests that follow


def _enter_twenty(page, make, commit, axe_page):
    page.set_default_timeout(PATIENCE)
    secretary, residents, vote = _room(make, commit)
    login_in_browser(page, secretary.phone, PASSWORD)
    desk_url = f"/votes/{vote.id}/paper"
    page.goto(desk_url)
    search = page.locator("#paper-q")
    figures = page.locator("#paper-count-figures")
    expect(figures).to_have_text("已录入 0 / 到场：尚未清点")
    # The desk's list and a voter's ballot are accessible (axe, in a context without the CSP).
    axe_page.context.add_cookies(page.context.cookies())
    for url in (f"{desk_url}?q=", f"{desk_url}?voter_id={residents[-1].id}"):
        axe_page.goto(url)
        assert axe_violations(axe_page) == [], url

    # The head count at the door: 22 of the 24 came. Typed, then Enter.
    page.locator("#present").focus()
    page.keyboard.type("22")
    page.keyboard.press("Enter")
    expect(figures).to_have_text("已录入 0 / 到场 22")

    for n, voter in enumerate(residents[:ENTERED], start=1):
        given = voter.display_name[1:]
        expect(search).to_be_focused()  # the next empty ballot starts at the search
        page.keyboard.type(given)
        # htmx narrows the list as she types; then Enter opens the one match.
        expect(page.locator("#paper-voters .paper-voter")).to_have_count(1)
        expect(page.locator("#paper-voters .paper-voter")).to_contain_text(voter.display_name)
        page.keyboard.press("Enter")
        expect(page.locator("h1")).to_have_text(f"{voter.display_name} 的纸质选票")
        first = page.locator("input[name=approve]").first
        expect(first).to_be_focused()
        # A third of the ballots are blank, a third approve the first project, a third two.
        if n % 3 >= 1:
            page.keyboard.press("Space")
        if n % 3 == 2:
            page.keyboard.press("Tab")
            page.keyboard.press("Space")
        page.keyboard.press("Enter")
        expect(page.locator("h1")).to_have_text(f"核对 {voter.display_name} 的纸质选票")
        expect(page.locator("#cast-button")).to_be_focused()
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(rf"{desk_url}$"))
        expect(page.locator(".flash-success")).to_contain_text(
            f"为 {voter.display_name} 录入的纸质选票已保存"
        )
        expect(figures).to_have_text(f"已录入 {n} / 到场 22")

    # Someone already entered is no longer offered.
    page.keyboard.type(residents[0].display_name[1:])
    expect(page.locator("#paper-matches")).to_contain_text("没有尚未投票的投票人")

    # All 20 are in the log, once each: 20 records, 20 participants, each entered by her.
    db.session.rollback()
    records = list(db.session.scalars(select(Ballot).where(Ballot.vote_id == vote.id)))
    assert len(records) == ENTERED
    assert {b.entered_by_id for b in records} == {secretary.id}
    assert len({b.hash for b in records}) == ENTERED
    assert sorted(b.seq for b in records) == list(range(ENTERED))
    names = set(
        db.session.scalars(select(Participation.user_id).where(Participation.vote_id == vote.id))
    )
    assert names == {r.id for r in residents[:ENTERED]}
    # Closed and published, the exported log holds the same 20 ballots and verifies.
    vote = db.session.get(Vote, vote.id)
    ops.close_vote(vote, secretary)
    ops.publish_vote(vote, secretary)
    commit()
    exported = page.request.get(f"/votes/{vote.id}/ballot-log.json").json()
    assert len(exported["ballots"]) == ENTERED
    assert len({b["hash"] for b in exported["ballots"]}) == ENTERED
    assert len(exported["participation"]) == ENTERED
    assert exported["result"]["ballots"] == ENTERED
    assert (
        db.session.scalar(select(func.count(Ballot.id)).where(Ballot.vote_id == vote.id)) == ENTERED
    )


def test_a_name_typed_before_the_page_has_loaded_still_narrows_the_list(page, make, commit):
    """The search has focus as soon as it is parsed; what she types before htmx listens counts."""
    secretary, residents, vote = _room(make, commit)
    login_in_browser(page, secretary.phone, PASSWORD)
    held = []  # htmx's script is held back until she has typed
    page.route("**/htmx-*.js", lambda route: held.append(route))
    page.goto(f"/votes/{vote.id}/paper", wait_until="commit")
    search = page.locator("#paper-q")
    expect(search).to_be_focused()
    page.keyboard.type(residents[3].display_name[1:])  # 淑珍, while htmx is still held back
    expect(page.locator("#paper-voters .paper-voter")).to_have_count(0)
    assert held, "htmx was not held back"
    for route in held:
        route.continue_()
    expect(page.locator("#paper-voters .paper-voter")).to_have_count(1)
    expect(page.locator("#paper-voters .paper-voter")).to_contain_text(residents[3].display_name)
