"""The viewer's own bits in cached threads (app/pacts/fragments.py): each kind of slot is rendered
once and given each comment's id, so every comment must still carry its own links and forms."""

import re

from app.extensions import db
from app.pacts.models import Comment
from tests.test_pacts_cache import world  # noqa: F401 - the fixture

__all__ = ["world"]


def _comment(html: str, comment_id: int) -> str:
    """The HTML of one comment of a thread page, up to the next comment."""
    start = html.index(f'id="comment-{comment_id}"')
    following = re.search(r'id="comment-\d+"', html[start + 1 :])
    return html[start : start + 1 + following.start()] if following else html[start:]


def test_each_comment_carries_the_viewers_own_actions_with_its_own_id(world, login):  # noqa: F811
    app = world.app
    r1, r2, reader = (app.test_client() for _ in range(3))
    login(world.r1, r1)
    login(world.r2, r2)
    login(world.reader, reader)
    url = f"/pacts/{world.pact_id}/clauses/{world.clause_id}/comments"
    for client, body in (
        (r1, "一号的意见"),
        (r2, "二号的意见"),
        (r2, "二号的第二条"),
        (reader, "我的意见"),
    ):
        assert client.post(url, data={"body": body}).status_code == 303
    ids = {
        c.body: c.id
        for c in db.session.scalars(db.select(Comment).where(Comment.pact_id == world.pact_id))
    }
    agreed, other, own = ids["二号的意见"], ids["二号的第二条"], ids["我的意见"]
    assert reader.post(f"/pacts/comments/{agreed}/agree").status_code == 303

    html = reader.get(f"/pacts/{world.pact_id}/clauses/{world.clause_id}").get_data(as_text=True)

    for cid in ids.values():
        assert f'href="/pacts/comments/{cid}/respond"' in _comment(html, cid)
    mine = _comment(html, own)
    assert f'href="/pacts/comments/{own}/edit"' in mine
    assert f'action="/pacts/comments/{own}/withdraw"' in mine
    assert "/agree" not in mine and "举报" not in mine
    assert "您已赞同" in _comment(html, agreed)
    assert f"/pacts/comments/{agreed}/agree" not in _comment(html, agreed)
    for cid in (other, ids["一号的意见"]):
        theirs = _comment(html, cid)
        assert f'action="/pacts/comments/{cid}/agree"' in theirs
        assert "您已赞同" not in theirs and "/edit" not in theirs and "/withdraw" not in theirs
        assert "举报" in theirs


def _csrf_tokens(html: str) -> set[str]:
    """The CSRF tokens in the page's forms; a form posts only with the reader's own."""
    return set(re.findall(r'name="csrf_token" value="([^"]+)"', html))


def test_the_secretary_and_a_resident_each_get_their_own_actions_and_token_from_one_page(
    world,  # noqa: F811
    login,
):
    """The slots are rendered once per set of viewer flags: after a resident's view, the
    secretary's view of the same page has Answer and Hide (not Reply and Report), and each
    reader's forms carry that reader's token, which their own post is accepted with."""
    app = world.app
    resident, secretary = app.test_client(), app.test_client()
    login(world.r1, resident)
    login(world.sec, secretary)
    clause_url = f"/pacts/{world.pact_id}/clauses/{world.clause_id}"
    assert (
        resident.post(f"{clause_url}/comments", data={"body": "二号楼门口的灯"}).status_code == 303
    )
    comment_id = db.session.scalar(db.select(Comment.id).where(Comment.pact_id == world.pact_id))
    other = app.test_client()
    login(world.r2, other)

    page_of_other = other.get(clause_url).get_data(as_text=True)
    page_of_secretary = secretary.get(clause_url).get_data(as_text=True)
    seen_by_other = _comment(page_of_other, comment_id)
    seen_by_secretary = _comment(page_of_secretary, comment_id)

    assert ">回复</a>" in seen_by_other and ">举报</a>" in seen_by_other
    assert f'action="/pacts/comments/{comment_id}/agree"' in seen_by_other
    assert ">答复</a>" in seen_by_secretary and ">隐藏</a>" in seen_by_secretary
    assert "举报" not in seen_by_secretary and ">回复</a>" not in seen_by_secretary
    # One token per page, the one in the comment's +1 form among them: the reader's own.
    other_tokens, secretary_tokens = _csrf_tokens(page_of_other), _csrf_tokens(page_of_secretary)
    assert len(other_tokens) == 1 and len(secretary_tokens) == 1
    assert _csrf_tokens(seen_by_other) == other_tokens != secretary_tokens
