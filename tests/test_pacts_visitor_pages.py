"""A visitor's pact and clause pages are cached whole (issue 13): what must still be the visitor's
own (their CSRF token, their flashed messages, their language and text size) is, what depends
on the clock follows the clock, and nothing is ever shown that the visitor may not see.

Each kind of write is tested for visitors (and residents) in tests/test_pacts_cache.py."""

import re
from datetime import timedelta

import pytest

from app.core import time as clock
from app.extensions import db
from app.org.models import Community
from app.pacts.models import Pact
from tests.test_pacts_cache import world  # noqa: F401 - the fixture

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _urls(w) -> list[str]:  # noqa: F811
    return [f"/pacts/{w.pact_id}", f"/pacts/{w.pact_id}/clauses/{w.clause_id}"]


@pytest.fixture(autouse=True)
def _own_contexts(client):
    """Every request in its own app context, as in a server (the `client` fixture's class)."""


def _visitor(w):  # noqa: F811
    return w.app.test_client()


def test_each_visitor_gets_their_own_working_csrf_token_in_the_cached_page(world):  # noqa: F811
    for url in _urls(world):
        first, second = _visitor(world), _visitor(world)
        page_a = first.get(url).get_data(as_text=True)
        page_b = second.get(url).get_data(as_text=True)
        tokens_a, tokens_b = set(TOKEN.findall(page_a)), set(TOKEN.findall(page_b))
        assert len(tokens_a) == 1 and len(tokens_b) == 1 and tokens_a != tokens_b
        assert f'"X-CSRFToken": "{next(iter(tokens_a))}"' in page_a
        # The token in the cached page is the visitor's own: the language switch accepts it.
        answer = first.post(
            "/language",
            data={"lang": "en", "next": url, "csrf_token": next(iter(tokens_a))},
            csrf=False,
        )
        assert answer.status_code in (302, 303), answer.get_data(as_text=True)[:300]
        # ... and refuses the other visitor's.
        refused = first.post(
            "/language",
            data={"lang": "en", "next": url, "csrf_token": next(iter(tokens_b))},
            csrf=False,
        )
        assert refused.status_code == 400


def test_a_visitors_language_and_text_size_get_their_own_copy(world):  # noqa: F811
    for url in _urls(world):
        chinese = _visitor(world).get(url).get_data(as_text=True)
        english_reader = _visitor(world)
        english_reader.set_cookie("lang", "en", domain="localhost")
        english = english_reader.get(url).get_data(as_text=True)
        large_reader = _visitor(world)
        large_reader.set_cookie("text_size", "large", domain="localhost")
        large = large_reader.get(url).get_data(as_text=True)
        assert "登录" in chinese and 'class="large-text"' not in chinese
        assert "Log in" in english and "登录" not in english
        assert 'class="large-text"' in large and "登录" in large


def test_a_visitor_with_a_message_waiting_sees_it_once(world):  # noqa: F811
    visitor = _visitor(world)
    url = _urls(world)[0]
    visitor.get(url)  # cached
    with visitor.session_transaction() as session:
        session["_flashes"] = [("info", "只给这位访客的消息")]
    assert "只给这位访客的消息" in visitor.get(url).get_data(as_text=True)
    assert "只给这位访客的消息" not in visitor.get(url).get_data(as_text=True)
    assert "只给这位访客的消息" not in _visitor(world).get(url).get_data(as_text=True)


def test_the_days_left_and_the_closing_of_the_window_follow_the_clock(world, monkeypatch):  # noqa: F811
    pages = [_visitor(world).get(u).get_data(as_text=True) for u in _urls(world)]
    assert all("距征求意见截止还有10天" in p for p in pages)
    real = clock.utcnow

    def travel(days: float) -> None:
        later = lambda: real() + timedelta(days=days)  # noqa: E731
        for module in ("app.pacts.models", "app.pacts.fragments"):
            monkeypatch.setattr(f"{module}.utcnow", later)

    travel(3)
    pages = [_visitor(world).get(u).get_data(as_text=True) for u in _urls(world)]
    assert all("距征求意见截止还有7天" in p for p in pages)
    travel(11)
    pages = [_visitor(world).get(u).get_data(as_text=True) for u in _urls(world)]
    assert all("征求意见期已结束。" in p and "距征求意见截止" not in p for p in pages)


def test_a_new_community_name_shows_at_once(world):  # noqa: F811
    url = _urls(world)[0]
    _visitor(world).get(url)
    pact = db.session.get(Pact, world.pact_id)
    db.session.get(Community, pact.community_id).name = "新名字社区"
    db.session.commit()
    assert "新名字社区" in _visitor(world).get(url).get_data(as_text=True)


def test_a_clause_of_another_pact_or_a_draft_is_never_served_from_the_cache(world, app):  # noqa: F811
    visitor = _visitor(world)
    for url in _urls(world):
        visitor.get(url)
    other = Pact(community_id=db.session.get(Pact, world.pact_id).community_id, title="草稿")
    db.session.add(other)
    db.session.commit()
    assert visitor.get(f"/pacts/{other.id}").status_code == 404  # a draft
    assert visitor.get(f"/pacts/{other.id}/clauses/{world.clause_id}").status_code == 404
    assert visitor.get(f"/pacts/{world.pact_id}/clauses/{world.clause_id + 999}").status_code == 404


@pytest.mark.parametrize("query", ["?page=1", "?utm=1"])
def test_pages_asked_with_other_arguments_are_whole_pages_too(world, query):  # noqa: F811
    for url in _urls(world):
        page = _visitor(world).get(url + query)
        assert page.status_code == 200 and "爱护公共环境" in page.get_data(as_text=True)
