"""The header of every page is rendered once per kind of reader and kept in the cache
(core/web.py, `site_header`): what differs between readers (signed in or not, the unread
count, the text size, the language) picks the copy, and each reader's own CSRF token and the
page's own path are put in per request."""

import re

from app.core.notifications import notify
from app.extensions import db
from tests.test_pacts_cache import world  # noqa: F401 - the fixture

__all__ = ["world"]

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _header(html: str) -> str:
    return html[html.index('<header class="site-header">') : html.index("</header>")]


def test_each_reader_gets_their_own_token_and_the_page_they_are_on(app, make, login):
    first, second = app.test_client(), app.test_client()
    login(make.user("resident"), first)
    login(make.user("resident"), second)

    about = _header(first.get("/about").get_data(as_text=True))
    privacy = _header(second.get("/privacy?x=1&y=2").get_data(as_text=True))

    assert 'name="next" value="/about"' in about
    assert 'name="next" value="/privacy?x=1&amp;y=2"' in privacy
    assert len(set(CSRF.findall(about))) == 1 and len(set(CSRF.findall(privacy))) == 1
    assert set(CSRF.findall(about)) != set(CSRF.findall(privacy))
    assert "slot" not in about + privacy and "csrf" not in "".join(CSRF.findall(about))


def test_a_visitor_and_a_resident_each_get_their_own_links(app, make, login):
    resident = app.test_client()
    login(make.user("resident"), resident)

    for_resident = _header(resident.get("/about").get_data(as_text=True))
    for_visitor = _header(app.test_client().get("/about").get_data(as_text=True))

    assert "退出登录" in for_resident and "我的账号" in for_resident
    assert 'href="/login"' not in for_resident
    assert 'href="/login"' in for_visitor and "退出登录" not in for_visitor


def test_a_new_notification_and_a_read_one_change_the_count_at_once(app, make, login):
    user = make.user("resident")
    db.session.commit()
    client = app.test_client()
    login(user, client)
    assert 'id="unread-count"' not in _header(client.get("/about").get_data(as_text=True))

    notify([user], "有新的答复")
    db.session.commit()
    assert 'id="unread-count">1<' in _header(client.get("/about").get_data(as_text=True))

    client.post("/notifications/read-all")
    assert 'id="unread-count"' not in _header(client.get("/about").get_data(as_text=True))


def test_the_text_size_and_the_language_pick_their_own_copy(app):
    client = app.test_client()
    assert "大字模式" in _header(client.get("/about").get_data(as_text=True))

    client.post("/text-size", data={"size": "large", "next": "/about"})
    large = _header(client.get("/about").get_data(as_text=True))
    assert "标准字号" in large and 'value="large"' not in large

    client.post("/language", data={"lang": "en", "next": "/about"})
    english = _header(client.get("/about").get_data(as_text=True))
    assert "Normal text" in english and "Log in" in english and "登录" not in english
    assert "中文" in english


def test_after_a_form_comes_back_with_errors_the_header_brings_the_reader_to_that_page(
    world, login
):
    """An empty comment comes back with its error; switching the text size or the language from
    that page must lead back to the clause page the form was on, not to the POST's address
    (which a GET answers with 405), and never to another site's page."""
    client = world.app.test_client()
    login(world.reader, client)
    clause = f"/pacts/{world.pact_id}/clauses/{world.clause_id}"

    shown = client.post(
        f"{clause}/comments", data={"body": ""}, headers={"Referer": f"http://localhost{clause}"}
    )
    elsewhere = client.post(
        f"{clause}/comments", data={"body": ""}, headers={"Referer": "http://evil.example/x"}
    )

    assert shown.status_code == 400 and "该字段是必填字段。" in shown.get_data(as_text=True)
    nexts = re.findall(r'name="next" value="([^"]+)"', _header(shown.get_data(as_text=True)))
    assert nexts == [clause, clause]
    assert client.get(nexts[0]).status_code == 200
    assert re.findall(
        r'name="next" value="([^"]+)"', _header(elsewhere.get_data(as_text=True))
    ) == [
        "/",
        "/",
    ]


def test_the_footer_and_head_links_come_in_the_readers_language_and_under_the_apps_root(client):
    # Rendered once per process, language and root path (core/web.py, `page_part`).
    client.set_cookie("lang", "en")
    english = client.get("/about").get_data(as_text=True)
    client.set_cookie("lang", "zh_Hans_CN")
    chinese = client.get("/about").get_data(as_text=True)
    mounted = client.get("/about", environ_overrides={"SCRIPT_NAME": "/civic"}).get_data(
        as_text=True
    )
    assert '<a href="/hearings/suggestions/lookup">Track a suggestion</a>' in english
    assert "Track a suggestion" not in chinese and "/hearings/suggestions/lookup" in chinese
    assert 'href="/static/css/app.css"' in english and 'href="/static/css/app.css"' in chinese
    assert 'href="/civic/static/css/app.css"' in mounted
    assert 'href="/civic/hearings/suggestions/lookup"' in mounted
