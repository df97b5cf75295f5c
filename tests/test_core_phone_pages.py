"""Phone-first pages (issue 11): the clause page leads with the text, the resident's own
position and the comment box; a published vote leads with who won and why, the hashes below;
a visitor is told how to take part; a clause heading is not doubled ("第1条 第一条 …")."""

import pytest

from app.extensions import db
from app.votes import operations as vops
from tests import pacts_factories as pf
from tests import votes_factories as vf


@pytest.fixture
def world(make, app):
    c = make.community(name="梅园居民区")
    b = make.building(c, name="1号楼", households=2)
    sec = make.user("secretary", community=c)
    r1 = make.user("resident", community=c, household=b.households[0])
    with pf.request_context(app):
        pact = pf.pact(c, sec)
    db.session.commit()
    return type("W", (), {"c": c, "sec": sec, "r1": r1, "pact": pact})


def _order(page: str, *markers: str) -> list[int]:
    return [page.index(m) for m in markers]


def test_the_clause_heading_is_not_doubled(client, world):
    clause = world.pact.latest_version.clauses[0]
    assert clause.text.startswith("第一条")
    page = client.get(f"/pacts/{world.pact.id}/clauses/{clause.id}").get_data(as_text=True)
    assert '<h2 id="clause-h">第1条</h2>' in page
    text = page[page.index('<div class="clause-text">') :]
    text = text[len('<div class="clause-text">') : text.index("</div>")]
    assert text == clause.text.removeprefix("第一条").strip()
    # The pact's list of clauses keeps the full text, which has no heading of its own.
    pact_page = client.get(f"/pacts/{world.pact.id}").get_data(as_text=True)
    assert clause.text in pact_page


def test_a_clause_text_without_a_number_is_shown_whole(client, world, app):
    with pf.request_context(app):
        pact = pf.pact(world.c, world.sec, clauses=["爱护公共环境。", "第十二条"], title="短公约")
    db.session.commit()
    first, only_number = pact.latest_version.clauses
    page = client.get(f"/pacts/{pact.id}/clauses/{first.id}").get_data(as_text=True)
    assert '<div class="clause-text">爱护公共环境。</div>' in page
    page = client.get(f"/pacts/{pact.id}/clauses/{only_number.id}").get_data(as_text=True)
    assert '<div class="clause-text">第十二条</div>' in page  # nothing left to show otherwise


def test_the_clause_page_leads_with_text_position_and_comment_box(client, world, login):
    clause = world.pact.latest_version.clauses[0]
    login(world.r1)
    page = client.get(f"/pacts/{world.pact.id}/clauses/{clause.id}").get_data(as_text=True)
    text, position, comment, figures, talk, amendments = _order(
        page,
        'class="clause-text"',
        'class="position-form"',
        'id="comment-form"',
        'id="consensus-h"',
        'id="discussion-h"',
        'id="amendments-h"',
    )
    assert text < position < comment < figures < talk < amendments
    # The amendment form is folded, so the comment box is the one the thumb reaches first.
    assert '<details class="panel propose-fold" id="propose">' in page


def test_an_amendment_with_errors_opens_its_folded_form_again(client, world, login):
    clause = world.pact.latest_version.clauses[0]
    login(world.r1)
    r = client.post(
        f"/pacts/{world.pact.id}/clauses/{clause.id}/amendments",
        data={"am-text": "", "am-reason": ""},
    )
    page = r.get_data(as_text=True)
    assert '<details class="panel propose-fold" id="propose" open>' in page


@pytest.mark.parametrize(
    ("lang", "says", "log_in", "register"),
    [
        ("zh_Hans_CN", "登录后可发表意见，并对每一条表明是否支持。", "登录", "注册"),
        ("en", "Log in to comment and say whether you support each clause.", "Log in", "Register"),
    ],
)
def test_a_visitor_is_told_how_to_take_part_in_a_pact(client, world, lang, says, log_in, register):
    client.set_cookie("lang", lang)
    clause = world.pact.latest_version.clauses[0]
    for url in (f"/pacts/{world.pact.id}", f"/pacts/{world.pact.id}/clauses/{clause.id}"):
        page = client.get(url).get_data(as_text=True)
        hint = page[page.index('id="how-to-take-part"') :]
        hint = hint[: hint.index("</div>")]
        assert says in hint
        assert f'<a class="button" href="/login?next={url}">{log_in}</a>' in hint
        assert f'<a class="button secondary" href="/register">{register}</a>' in hint
        assert page.count('id="how-to-take-part"') == 1


def test_a_visitor_is_told_how_to_take_part_on_other_pages(client, world):
    for url in (f"/communities/{world.c.id}", "/communities", "/about"):
        page = client.get(url).get_data(as_text=True)
        assert "居民登录后可以对公约发表意见、报名参加议事会、提意见建议和投票。" in page, url
    # The home page says it in its introduction, with the same two buttons, once.
    home = client.get("/").get_data(as_text=True)
    assert 'id="how-to-take-part"' not in home
    assert home.count('href="/register"') == 2  # the header's link and the introduction's button
    assert 'id="how-to-take-part"' not in client.get("/login").get_data(as_text=True)


def test_a_resident_is_not_shown_the_visitor_hint(client, world, login):
    login(world.r1)
    page = client.get(f"/pacts/{world.pact.id}").get_data(as_text=True)
    assert 'id="how-to-take-part"' not in page


def test_a_published_vote_leads_with_who_won_and_why_then_the_hashes(client, login):
    client.set_cookie("lang", "en")
    w = vf.world(n_deputies=3)
    vote = vf.vote(w)
    p = vf.ids(w.projects)
    for deputy in w.deputies:
        vops.cast_ballot(vote, deputy, {"approve": [p[0]]})
    vops.close_vote(vote, w.secretary)
    vops.publish_vote(vote, w.secretary)
    db.session.commit()
    page = client.get(f"/votes/{vote.id}").get_data(as_text=True)
    verdict, winners, final_root, method, manifest = _order(
        page,
        'class="result-verdict"',
        'class="winners"',
        'id="final-root"',
        "<dt>Method</dt>",
        "<dt>Manifest hash</dt>",
    )
    assert page.index("<h1>") < verdict < winners < final_root < method < manifest
    assert w.projects[0].title in page[winners : page.index("</ol>", winners)]
