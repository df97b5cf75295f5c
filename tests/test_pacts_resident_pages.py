"""A signed-in reader's pact page is one cached copy for every reader of the same standing, with
each reader's own parts put in per request (app/pacts/fragments.py, `for_resident`): their
positions, their actions on each comment, their CSRF token and a fresh one-time token in every
form. These tests read the page as two readers and twice as one, and check what each saw."""

import re

from app.core.notifications import notify
from app.extensions import db
from app.pacts.models import Comment
from tests.test_pacts_cache import world  # noqa: F401 - the fixture

__all__ = ["world"]

ONCE = re.compile(r'name="once"[^>]*value="([^"]+)"')
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _page(client, world) -> str:  # noqa: F811
    response = client.get(f"/pacts/{world.pact_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_each_load_of_the_cached_page_has_fresh_one_time_tokens_and_both_comments_count(
    world,  # noqa: F811
    login,
):
    """One resident opens the page in two tabs (the second load comes from the cache) and posts
    a comment from each: both are kept; a token cached with the page would have made the second
    post look like a repeat of the first, and it would have been lost."""
    me = world.app.test_client()
    login(world.reader, me)
    first, second = _page(me, world), _page(me, world)
    first_tokens, second_tokens = ONCE.findall(first), ONCE.findall(second)
    assert first_tokens and second_tokens
    assert not set(first_tokens) & set(second_tokens)
    assert not any(t.startswith("once") and len(t) == 28 for t in first_tokens + second_tokens)

    for body, token in (
        ("第一个标签页的意见", first_tokens[0]),
        ("第二个标签页的意见", second_tokens[0]),
    ):
        posted = me.post(f"/pacts/{world.pact_id}/comments", data={"body": body, "once": token})
        assert posted.status_code == 303

    db.session.remove()
    bodies = set(
        db.session.scalars(db.select(Comment.body).where(Comment.pact_id == world.pact_id))
    )
    assert bodies == {"第一个标签页的意见", "第二个标签页的意见"}


def test_two_residents_share_the_copy_but_each_gets_their_own_token_and_follow_button(
    world,  # noqa: F811
    login,
):
    follower, other = world.app.test_client(), world.app.test_client()
    login(world.r1, follower)
    login(world.r2, other)
    assert follower.post(f"/pacts/{world.pact_id}/follow", data={"follow": "1"}).status_code == 303
    follower.get("/about")  # shows (and so clears) the flashed message: the page is cached

    page_of_other = _page(other, world)  # cached for a resident who does not follow
    page_of_follower = _page(follower, world)

    assert "关注此公约" in page_of_other and "取消关注" not in page_of_other
    assert "取消关注" in page_of_follower
    assert len(set(CSRF.findall(page_of_other))) == 1
    assert set(CSRF.findall(page_of_other)) != set(CSRF.findall(page_of_follower))


def test_a_new_notification_shows_its_count_on_the_cached_page_at_once(
    world,  # noqa: F811
    login,
):
    me = world.app.test_client()
    login(world.reader, me)
    before = _page(me, world)
    assert 'id="unread-count"' not in before

    notify([world.reader], "公约有新的答复")
    db.session.commit()

    after = _page(me, world)
    assert re.search(r'id="unread-count">1<', after)


def test_an_english_reader_gets_the_english_copy(world, login):  # noqa: F811
    chinese, english = world.app.test_client(), world.app.test_client()
    login(world.r1, chinese)
    login(world.r2, english)
    english.post("/language", data={"lang": "en", "next": "/"})

    assert "关注此公约" in _page(chinese, world)
    page = _page(english, world)
    assert "Follow this pact" in page and "关注此公约" not in page


def _amendment_card(html: str) -> str:
    start = html.index('class="card amendment"')
    return html[start : html.index("</article>", start)]


def test_on_the_clause_page_the_author_and_the_others_each_see_their_own_amendment_actions(
    world,  # noqa: F811
    login,
):
    """The clause page's copy is shared by readers who proposed and endorsed nothing; the
    amendment's author gets their own (their full name, Withdraw), and a reader who endorsed
    it theirs ("You endorsed this"), each at once after the write."""
    url = f"/pacts/{world.pact_id}/clauses/{world.clause_id}"
    author, endorser, other = (world.app.test_client() for _ in range(3))
    login(world.r1, author)
    login(world.r2, endorser)
    login(world.reader, other)
    for client in (author, endorser, other):  # each has a copy cached before the amendment
        assert client.get(url).status_code == 200
    posted = author.post(
        f"{url}/amendments", data={"am-text": "第一条 改一改。", "am-reason": "更好"}
    )
    assert posted.status_code == 303
    amendment_id = int(re.search(r"#amendment-(\d+)", posted.headers["Location"])[1])
    assert endorser.post(f"/pacts/amendments/{amendment_id}/endorse").status_code == 303
    # The same standing otherwise (all follow the pact, no notification waits), so only what
    # each did on the pact can tell their copies apart.
    for client in (author, endorser, other):
        assert (
            client.post(f"/pacts/{world.pact_id}/follow", data={"follow": "1"}).status_code == 303
        )
        assert client.post("/notifications/read-all").status_code in (302, 303)
        client.get("/about")  # shows (and so clears) the flashed messages: the page is cached

    seen = {
        who: _amendment_card(client.get(url).get_data(as_text=True))
        for who, client in (("author", author), ("endorser", endorser), ("other", other))
    }

    assert world.r1.display_name in seen["author"] and "撤回" in seen["author"]
    assert "附议</button>" not in seen["author"]
    assert "您已附议" in seen["endorser"] and "撤回" not in seen["endorser"]
    assert world.r1.display_name not in seen["endorser"]
    assert "附议</button>" in seen["other"] and "您已附议" not in seen["other"]
    assert "撤回" not in seen["other"] and world.r1.display_name not in seen["other"]


def test_with_htmx_the_next_page_of_threads_is_the_readers_own_part_not_a_cached_page(
    world,  # noqa: F811
    login,
):
    """htmx asks the clause page for its threads alone (`?part=threads`): each resident gets
    the part, with their own actions on each comment, never a whole page another reader cached."""
    url = f"/pacts/{world.pact_id}/clauses/{world.clause_id}"
    author, other = world.app.test_client(), world.app.test_client()
    login(world.r1, author)
    login(world.r2, other)
    assert author.post(f"{url}/comments", data={"body": "门口的台阶太高"}).status_code == 303
    # Otherwise of one standing (both follow the pact, no notification waits), so only what
    # each may do with the comment tells their parts apart.
    for client in (author, other):
        assert (
            client.post(f"/pacts/{world.pact_id}/follow", data={"follow": "1"}).status_code == 303
        )
        client.post("/notifications/read-all")
        client.get("/about")  # shows (and so clears) the flashed messages
    comment_id = db.session.scalar(db.select(Comment.id).where(Comment.pact_id == world.pact_id))
    htmx = {"HX-Request": "true"}

    for_author = author.get(f"{url}?part=threads", headers=htmx).get_data(as_text=True)
    for_other = other.get(f"{url}?part=threads", headers=htmx).get_data(as_text=True)

    assert "site-header" not in for_author and "site-header" not in for_other
    assert f"/pacts/comments/{comment_id}/withdraw" in for_author
    assert f"/pacts/comments/{comment_id}/agree" not in for_author
    assert f"/pacts/comments/{comment_id}/agree" in for_other
    assert f"/pacts/comments/{comment_id}/withdraw" not in for_other


def test_the_readers_position_lines_come_in_their_language(world, login):  # noqa: F811
    me = world.app.test_client()
    login(world.reader, me)
    me.post(
        f"/pacts/{world.pact_id}/clauses/{world.clause_id}/position", data={"stance": "support"}
    )
    me.get("/about")  # the flashed confirmation is shown, so the next pages come from the cache
    chinese = _page(me, world)
    me.set_cookie("lang", "en")
    english = _page(me, world)
    card = english[english.index(f'id="clause-{world.clause_id}"') :]
    assert "You chose: Support." in card[: card.index("</article>")]
    assert "Not chosen yet." in english and "Take a position" in english
    assert "您的态度：支持" in chinese and "You chose" not in chinese
