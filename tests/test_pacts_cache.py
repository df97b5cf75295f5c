"""Cached pact pages are never stale after a write (issue 13): each kind of write, then the pact
page and the clause page read by an anonymous visitor and by a logged-in resident, both of whom
had read (and so cached) the pages before the write."""

import pytest
from sqlalchemy import text

from app.extensions import db
from app.pacts import operations as ops
from app.pacts.models import Amendment, Comment, Pact
from tests import pacts_factories as pf

READERS = ("anonymous", "resident")


@pytest.fixture
def world(make, app):
    c = make.community()
    b1, b2 = (
        make.building(c, name="1号楼", households=2),
        make.building(c, name="2号楼", households=2),
    )
    sec = make.user("secretary", community=c)
    r1 = make.user("resident", community=c, household=b1.households[0])
    r2 = make.user("resident", community=c, household=b2.households[0])
    reader = make.user("resident", community=c, household=b1.households[1])
    with pf.request_context(app):
        pact = pf.pact(c, sec)
    db.session.commit()
    clause = pact.latest_version.clauses[0]
    return type(
        "W",
        (),
        {
            "app": app,
            "sec": sec,
            "r1": r1,
            "r2": r2,
            "reader": reader,
            "pact_id": pact.id,
            "clause_id": clause.id,
        },
    )


def _client(world, who, login):
    client = world.app.test_client()
    if who is not None:
        login(who, client)
    return client


def _read(client, world) -> tuple[str, str]:
    pact = client.get(f"/pacts/{world.pact_id}")
    clause = client.get(f"/pacts/{world.pact_id}/clauses/{world.clause_id}")
    assert pact.status_code == 200 and clause.status_code == 200
    return pact.get_data(as_text=True), clause.get_data(as_text=True)


@pytest.fixture(params=READERS)
def reader(request, world, login):
    """A client of the given kind that has read (and cached) both pages before the write."""
    client = _client(world, world.reader if request.param == "resident" else None, login)
    _read(client, world)
    _read(client, world)
    return client


def _as(world, user, login):
    return _client(world, user, login)


def _thread_root(world) -> Comment:
    db.session.expire_all()
    return db.session.scalars(
        db.select(Comment).where(Comment.clause_id == world.clause_id, Comment.root_id.is_(None))
    ).first()


def test_the_pages_are_served_from_the_cache(world, reader, login):
    """What the tests below prove is not vacuous: a change behind the application's back (no
    write through it, so no new revision) is not seen, because the pages come from the cache."""
    r1 = _as(world, world.r1, login)
    r1.post(
        f"/pacts/{world.pact_id}/clauses/{world.clause_id}/comments", data={"body": "原来的意见"}
    )
    assert "原来的意见" in _read(reader, world)[1]
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE pact_comments SET body = '偷偷改过'"))
    assert "原来的意见" in _read(reader, world)[1]


def test_a_comment_and_a_pact_level_comment_show_at_once(world, reader, login):
    r1 = _as(world, world.r1, login)
    r1.post(
        f"/pacts/{world.pact_id}/clauses/{world.clause_id}/comments",
        data={"body": "楼道要**亮灯**"},
    )
    r1.post(f"/pacts/{world.pact_id}/comments", data={"body": "整体很好"})
    pact_page, clause_page = _read(reader, world)
    assert "<strong>亮灯</strong>" in clause_page
    assert "整体很好" in pact_page
    card = pact_page[pact_page.index(f'id="clause-{world.clause_id}"') :]
    assert "1条留言" in card[: card.index("</article>")]


def test_a_reply_shows_at_once(world, reader, login):
    _as(world, world.r1, login).post(
        f"/pacts/{world.pact_id}/clauses/{world.clause_id}/comments", data={"body": "第一条意见"}
    )
    _read(reader, world)
    root = _thread_root(world)
    _as(world, world.r2, login).post(
        f"/pacts/{world.pact_id}/clauses/{world.clause_id}/comments",
        data={"body": "我来回复", "parent_id": root.id},
    )
    assert "我来回复" in _read(reader, world)[1]


def test_a_plus_one_shows_at_once_and_the_agreeing_resident_sees_their_own(world, reader, login):
    _as(world, world.r1, login).post(
        f"/pacts/{world.pact_id}/clauses/{world.clause_id}/comments", data={"body": "第一条意见"}
    )
    assert "0人赞同" in _read(reader, world)[1]
    root = _thread_root(world)
    r2 = _as(world, world.r2, login)
    assert f'action="/pacts/comments/{root.id}/agree"' in _read(r2, world)[1]
    assert r2.post(f"/pacts/comments/{root.id}/agree").status_code == 303
    assert "1人赞同" in _read(reader, world)[1]
    own = _read(r2, world)[1]
    assert "您已赞同" in own and f'action="/pacts/comments/{root.id}/agree"' not in own


def test_a_position_shows_at_once_in_the_figures_and_as_ones_own(world, reader, login):
    before_pact, before_clause = _read(reader, world)
    assert "暂无表态" in before_clause
    r1 = _as(world, world.r1, login)
    assert "尚未表态" in _read(r1, world)[0]
    r1.post(
        f"/pacts/{world.pact_id}/clauses/{world.clause_id}/position", data={"stance": "support"}
    )
    pact_page, clause_page = _read(reader, world)
    card = pact_page[pact_page.index(f'id="clause-{world.clause_id}"') :]
    assert "支持 1" in card[: card.index("</article>")]
    assert "支持 1" in clause_page and "1号楼" in clause_page
    own_pact, own_clause = _read(r1, world)
    card = own_pact[own_pact.index(f'id="clause-{world.clause_id}"') :]
    assert "您的态度：支持" in card[: card.index("</article>")]
    assert "您的态度：支持" in own_clause
    # Changing it changes the figures again.
    r1.post(f"/pacts/{world.pact_id}/clauses/{world.clause_id}/position", data={"stance": "oppose"})
    assert "反对 1" in _read(reader, world)[1]


def test_a_hidden_comment_disappears_at_once(world, reader, login):
    _as(world, world.r1, login).post(
        f"/pacts/{world.pact_id}/clauses/{world.clause_id}/comments", data={"body": "难听的话"}
    )
    assert "难听的话" in _read(reader, world)[1]
    root = _thread_root(world)
    sec = _as(world, world.sec, login)
    sec.post(f"/pacts/comments/{root.id}/hide", data={f"hide{root.id}-reason": "人身攻击"})
    clause_page = _read(reader, world)[1]
    assert "难听的话" not in clause_page
    assert "已被书记隐藏：人身攻击" in clause_page


def test_an_amendment_decision_and_a_new_version_show_at_once(world, reader, login):
    r1 = _as(world, world.r1, login)
    r1.post(
        f"/pacts/{world.pact_id}/clauses/{world.clause_id}/amendments",
        data={"am-text": "第一条 爱护环境，垃圾按时分类投放。", "am-reason": "更具体"},
    )
    pact_page, clause_page = _read(reader, world)
    assert "第一条 爱护环境，垃圾按时分类投放。" in clause_page
    card = pact_page[pact_page.index(f'id="clause-{world.clause_id}"') :]
    assert "1条修改建议" in card[: card.index("</article>")]  # none is not counted
    amendment = db.session.scalars(db.select(Amendment)).one()
    sec = _as(world, world.sec, login)
    sec.post(
        f"/pacts/amendments/{amendment.id}/decide",
        data={f"d{amendment.id}-decision": "accept", f"d{amendment.id}-response": "采纳，谢谢"},
    )
    clause_page = _read(reader, world)[1]
    assert "采纳，谢谢" in clause_page and "已采纳" in clause_page

    with pf.request_context(world.app):
        pact = db.session.get(Pact, world.pact_id)
        ops.close_consultation(pact, actor=world.sec)
        ops.start_revision(pact, actor=world.sec)
        ops.publish_version(pact, "按建议修改", actor=world.sec)
    db.session.commit()
    pact_page = reader.get(f"/pacts/{world.pact_id}").get_data(as_text=True)
    assert "第一条 爱护环境，垃圾按时分类投放。" in pact_page
    assert "爱护公共环境" not in pact_page


def test_a_new_name_shows_at_once(world, reader, login):
    """Names come from accounts, not pacts: a change there renews the community's pacts too."""
    _as(world, world.r1, login).post(
        f"/pacts/{world.pact_id}/clauses/{world.clause_id}/comments", data={"body": "第一条意见"}
    )
    before = _read(reader, world)[1]
    db.session.expire_all()
    user = db.session.get(type(world.r1), world.r1.id)
    old = user.display_name
    user.display_name = "欧阳新名"
    db.session.commit()
    after = _read(reader, world)[1]
    assert old[0] + "*" in before and "欧*" in after


def test_a_rolled_back_write_leaves_the_revision_alone(world, app):
    pact = db.session.get(Pact, world.pact_id)
    rev = pact.cache_rev
    with pf.request_context(app):
        ops.post_comment(pact, world.r1, "不会保存的意见")
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(Pact, world.pact_id).cache_rev == rev
    with pf.request_context(app):
        ops.post_comment(db.session.get(Pact, world.pact_id), world.r1, "会保存的意见")
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Pact, world.pact_id).cache_rev != rev


def _post_threads(world, login, n: int) -> None:
    r1 = _as(world, world.r1, login)
    for i in range(n):
        with pf.request_context(world.app):
            ops.post_comment(db.session.get(Pact, world.pact_id), world.r1, f"第{i}个话题")
    db.session.commit()
    del r1


def test_threads_beyond_the_first_page_follow_a_plain_link_without_js(world, client, login):
    _post_threads(world, login, 25)
    page = client.get(f"/pacts/{world.pact_id}").get_data(as_text=True)
    # Five threads a page under the clauses (twenty until the first page had to fit in 60 KB).
    assert "第4个话题" in page and "第5个话题" not in page
    more = f'href="/pacts/{world.pact_id}?page=2#threads"'
    assert more in page  # a link that works without JS (htmx, where present, swaps the threads)
    second = client.get(f"/pacts/{world.pact_id}?page=2")
    html = second.get_data(as_text=True)
    assert second.status_code == 200 and "<!doctype html>" in html.lower()
    assert "第5个话题" in html and "第9个话题" in html
    assert "第0个话题" not in html and "第10个话题" not in html
    # With htmx the same link returns only the threads, ready to swap in.
    part = client.get(
        f"/pacts/{world.pact_id}?page=2&part=threads", headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert part.lstrip().startswith('<div id="threads">') and "第5个话题" in part


def test_a_comments_boxes_open_on_its_own_page_without_js_and_in_place_with_htmx(world, login):
    _post_threads(world, login, 1)
    root = db.session.scalars(db.select(Comment)).one()
    r2 = _as(world, world.r2, login)
    page = r2.get(f"/pacts/{world.pact_id}").get_data(as_text=True)
    # The cached page links to the boxes instead of carrying a form for every comment.
    assert f'href="/pacts/comments/{root.id}/respond"' in page
    assert f'name="parent_id" value="{root.id}"' not in page
    own_page = r2.get(f"/pacts/comments/{root.id}/respond").get_data(as_text=True)
    assert '<details class="reply-box" open>' in own_page
    assert f'name="parent_id" value="{root.id}"' in own_page and "第0个话题" in own_page
    assert f'action="/pacts/comments/{root.id}/report"' in own_page
    answer = r2.get(f"/pacts/comments/{root.id}/respond", headers={"HX-Request": "true"})
    boxes = answer.get_data(as_text=True)
    assert "<!doctype" not in boxes.lower() and f'name="parent_id" value="{root.id}"' in boxes
    # The links carry no target of their own (bytes on every comment): the answer names it.
    assert "hx-target" not in page[page.index('id="threads"') :].split("</div>\n</section>")[0]
    assert answer.headers["HX-Retarget"] == "closest p"
    assert answer.headers["HX-Reswap"] == "outerHTML"
    agreed = r2.post(f"/pacts/comments/{root.id}/agree", headers={"HX-Request": "true"})
    assert agreed.headers["HX-Retarget"] == f"#comment-{root.id}"
    assert agreed.headers["HX-Reswap"] == "outerHTML"
    assert (
        agreed.get_data(as_text=True)
        .lstrip()
        .startswith(f'<article class="comment card" id="comment-{root.id}"')
    )
    # A visitor is asked to log in.
    assert world.app.test_client().get(f"/pacts/comments/{root.id}/respond").status_code == 302


def test_cached_html_loses_template_indentation_but_not_a_code_blocks():
    from app.core.fragments import compact

    html = "<div>\n    <p>a</p>\n    <pre><code>x = 1\n    y = 2\n</code></pre>\n  <textarea>\n  keep</textarea>\n</div>"
    assert compact(html) == (
        "<div>\n<p>a</p>\n<pre><code>x = 1\n    y = 2\n</code></pre>\n<textarea>\n  keep</textarea>\n</div>"
    )


def test_redis_is_the_cache_when_redis_url_is_set_and_simplecache_otherwise():
    import subprocess
    import sys

    code = "from app.config import Config; print(Config.CACHE_TYPE, Config.CACHE_REDIS_URL)"
    run = lambda env: subprocess.run(  # noqa: E731
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    ).stdout.split()
    import os

    base = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    assert run(base) == ["SimpleCache", "None"]
    assert run({**base, "REDIS_URL": "redis://127.0.0.1:6379/3"}) == [
        "RedisCache",
        "redis://127.0.0.1:6379/3",
    ]


def test_two_workers_sharing_redis_never_serve_each_other_stale_pages(world, login):
    """What one worker writes, another worker (its own process, the same Redis) shows at once."""
    import secrets

    import redis

    from app import create_app

    prefix = f"test-pagesperf-{secrets.token_hex(4)}:"
    config = {k: v for k, v in world.app.config.items() if k.isupper()}
    config.update(
        CACHE_TYPE="RedisCache",
        CACHE_REDIS_URL="redis://127.0.0.1:6379/0",
        CACHE_KEY_PREFIX=prefix,
    )
    a, b = create_app(config), create_app(config)
    a.test_client_class = b.test_client_class = world.app.test_client_class  # sends CSRF tokens
    server = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    url = f"/pacts/{world.pact_id}/clauses/{world.clause_id}"
    try:
        reader = b.test_client()
        reader.get(url)
        assert list(server.scan_iter(f"{prefix}*")), "the page was not cached in Redis"
        writer = login(world.r1, a.test_client())
        assert (
            writer.post(f"{url}/comments", data={"body": "另一个进程写的意见"}).status_code == 303
        )
        assert "另一个进程写的意见" in reader.get(url).get_data(as_text=True)
        assert writer.post(f"{url}/position", data={"stance": "oppose"}).status_code == 303
        assert "反对 1" in reader.get(url).get_data(as_text=True)
    finally:
        for key in server.scan_iter(f"{prefix}*"):
            server.delete(key)
        for other in (a, b):
            with other.app_context():
                db.session.remove()
                db.engine.dispose()


def test_the_copy_cached_for_everyone_never_carries_a_full_name(world, login):
    """The author (who sees their own full name elsewhere) renders the cached threads first;
    visitors and other residents still get the masked public name, the secretary the full one."""
    from app.accounts.models import User

    author = _as(world, world.r1, login)
    author.post(
        f"/pacts/{world.pact_id}/clauses/{world.clause_id}/comments", data={"body": "我的意见"}
    )
    _read(author, world)
    full = db.session.get(User, world.r1.id).display_name
    for who in (None, world.r2):
        clause_page = _read(_client(world, who, login), world)[1]
        assert "我的意见" in clause_page and f"<strong>{full} ·" not in clause_page
    assert f"<strong>{full} ·" in _read(_as(world, world.sec, login), world)[1]


def test_a_cache_that_is_down_costs_the_work_not_the_page(world, login, caplog):
    from app import create_app

    config = {k: v for k, v in world.app.config.items() if k.isupper()}
    config.update(CACHE_TYPE="RedisCache", CACHE_REDIS_URL="redis://127.0.0.1:1/0")
    down = create_app(config)
    try:
        for client in (down.test_client(), login(world.r1, down.test_client())):
            response = client.get(f"/pacts/{world.pact_id}/clauses/{world.clause_id}")
            assert response.status_code == 200
            assert "爱护公共环境" in response.get_data(as_text=True)
        assert "cache unavailable" in caplog.text
    finally:
        with down.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_residents_own_follow_endorsement_plus_one_and_position_show_and_cost_one_statement(
    world, login
):
    """What the resident did on the pact is read in one statement on each page (it was one per
    kind), and each of their own acts shows at once, on the cached pages, as theirs."""
    from sqlalchemy import event

    url = f"/pacts/{world.pact_id}/clauses/{world.clause_id}"
    _as(world, world.r1, login).post(f"{url}/comments", data={"body": "第一条意见"})
    _as(world, world.r2, login).post(
        f"{url}/amendments", data={"am-text": "第一条 改一改。", "am-reason": "更好"}
    )
    root, amendment = _thread_root(world), db.session.scalars(db.select(Amendment)).one()
    me = _as(world, world.reader, login)
    pact_page, clause_page = _read(me, world)
    assert "取消关注" not in pact_page and "您已附议" not in clause_page
    assert "您已赞同" not in clause_page and "您的态度：支持" not in clause_page
    me.post(f"/pacts/{world.pact_id}/follow", data={"follow": "1"})
    me.post(f"/pacts/amendments/{amendment.id}/endorse")
    me.post(f"/pacts/comments/{root.id}/agree")
    me.post(f"{url}/position", data={"stance": "support"})

    statements: list[str] = []

    def _seen(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", _seen)
    try:
        pact_page, clause_page = _read(me, world)
    finally:
        event.remove(db.engine, "before_cursor_execute", _seen)
    assert "取消关注" in pact_page
    assert "您已附议" in clause_page and "您已赞同" in clause_page
    assert "您的态度：支持" in clause_page
    card = pact_page[pact_page.index(f'id="clause-{world.clause_id}"') :]
    assert "您的态度：支持" in card[: card.index("</article>")]
    own = [s for s in statements if "pact_follows" in s or "pact_comment_agrees" in s]
    assert len(own) == 2, "\n".join(own)  # one per page
    assert all("pact_positions" in s and "pact_amendment_endorsements" in s for s in own)
