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
