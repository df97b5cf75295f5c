"""Every comment can get the secretary's answer, and every accepted amendment links to the version
that carries it (found in review)."""

import re

import pytest
from sqlalchemy import select

from app.core.notifications import Notification
from app.extensions import db
from app.pacts import operations as ops
from app.pacts.models import Comment, PactStatus
from tests import pacts_factories as pf


@pytest.fixture
def world(make, app):
    c = make.community()
    b1, b2 = make.building(c, households=2), make.building(c, households=2)
    sec = make.user("secretary", community=c, name="陈书记")
    r1 = make.user("resident", community=c, household=b1.households[0])
    r2 = make.user("resident", community=c, household=b2.households[0])
    with pf.request_context(app):
        pact = pf.pact(c, sec)
    db.session.commit()
    return type("W", (), {"c": c, "sec": sec, "r1": r1, "r2": r2, "pact": pact})


def test_the_secretary_answers_a_late_comment_during_revision(client, world, login, app):
    clause = world.pact.latest_version.clauses[2]
    with pf.request_context(app):
        root = ops.post_comment(world.pact, world.r1, "最后一天才看到，十点太晚了。", clause=clause)
        ops.close_consultation(world.pact, actor=world.sec)
    db.session.commit()
    url = f"/pacts/{world.pact.id}/clauses/{clause.id}"

    # Residents can no longer reply once the consultation closed...
    login(world.r2)
    page = client.get(url).get_data(as_text=True)
    assert 'name="parent_id"' not in page and ">回复</a>" not in page
    r = client.post(f"{url}/comments", data={"body": "同意", "parent_id": str(root.id)})
    assert r.status_code == 409  # the consultation's state refuses it, not the input
    assert "征求意见已结束，不再接受表态、留言和修改建议。" in r.get_data(as_text=True)
    # ...but the secretary still answers: the form is there and the thread becomes answered.
    login(world.sec)
    page = client.get(url).get_data(as_text=True)
    # The thread page links to the comment's answer box (its page without JS, htmx puts it in place).
    assert f'href="/pacts/comments/{root.id}/respond"' in page and "答复" in page
    box = client.get(f"/pacts/comments/{root.id}/respond").get_data(as_text=True)
    assert f'name="parent_id" value="{root.id}"' in box
    r = client.post(
        f"{url}/comments", data={"body": "已转居民会议讨论。", "parent_id": str(root.id)}
    )
    assert r.status_code == 303
    db.session.expire_all()
    root = db.session.get(Comment, root.id)
    assert root.answered_at is not None and root.reply_count == 1
    assert db.session.scalar(
        select(Notification).where(
            Notification.user_id == world.r1.id, Notification.message.like("%replied%")
        )
    )
    # Everyone sees the thread answered, and the answer marked as the secretary's.
    login(world.r2)
    page = client.get(url).get_data(as_text=True)
    assert "已答复" in page and "尚未答复" not in page
    reply = page[page.index("已转居民会议讨论。") - 1500 : page.index("已转居民会议讨论。")]
    assert re.search(r'badge badge-info">\s*书记\s*<', reply)


def test_after_consultation_the_secretary_answers_but_starts_no_new_thread(world, app):
    with pf.request_context(app):
        root = ops.post_comment(world.pact, world.r1, "问题")
        ops.close_consultation(world.pact, actor=world.sec)
        with pytest.raises(ops.PactError):
            ops.post_comment(world.pact, world.sec, "新话题")
        ops.post_comment(world.pact, world.sec, "答复", parent=root)
        ops.begin_ratification(world.pact, world.sec)
        with pytest.raises(ops.PactError):
            ops.post_comment(world.pact, world.sec, "答复", parent=root)


def test_a_revision_published_by_reopening_consultation_links_its_amendments(client, world, app):
    clause = world.pact.latest_version.clauses[2]
    with pf.request_context(app):
        a = ops.propose_amendment(
            world.pact, clause, world.r1, "第三条 晚上九点后不装修。", "老人休息早。"
        )
        ops.decide_amendment(a, True, "采纳。", actor=world.sec)
        ops.close_consultation(world.pact, actor=world.sec)
        ops.start_revision(world.pact, actor=world.sec)
        now = world.pact.consultation_closes_at
        from datetime import timedelta

        ops.open_consultation(world.pact, now, now + timedelta(days=7), actor=world.sec)
    db.session.commit()
    v2 = world.pact.latest_version
    assert v2.number == 2 and v2.clauses[2].text == "第三条 晚上九点后不装修。"
    assert a.applied_version_id == v2.id
    page = client.get(f"/pacts/{world.pact.id}/compare?a=1&b=2").get_data(as_text=True)
    assert f"#amendment-{a.id}" in page


def test_an_amendment_accepted_after_a_newer_version_still_reaches_the_next_draft(world, app):
    clause = world.pact.latest_version.clauses[1]
    with pf.request_context(app):
        a = ops.propose_amendment(
            world.pact, clause, world.r1, "第二条 楼道内不堆放杂物，不停放电动车。", "防火。"
        )
        ops.close_consultation(world.pact, actor=world.sec)
        ops.start_revision(world.pact, actor=world.sec)
        ops.publish_version(
            world.pact, "措辞调整", actor=world.sec
        )  # version 2, amendment still open
        ops.decide_amendment(a, True, "采纳。", actor=world.sec)
        draft = ops.start_revision(world.pact, actor=world.sec)
        assert draft.number == 3
        assert draft.clauses[1].text == "第二条 楼道内不堆放杂物，不停放电动车。"
        ops.publish_version(world.pact, "", actor=world.sec)
    assert a.applied_version_id == world.pact.latest_version.id
    assert world.pact.status == PactStatus.REVISION


def test_the_secretary_sees_what_waits_for_an_answer_on_the_pact_and_at_home(
    client, world, login, app
):
    clause = world.pact.latest_version.clauses[1]
    with pf.request_context(app):
        a = ops.propose_amendment(world.pact, clause, world.r1, "第二条 楼道内不放杂物。", "简洁。")
        ops.post_comment(world.pact, world.r2, "第二条太笼统。", clause=clause)
        ops.post_comment(world.pact, world.r2, "整体支持。")
        ops.post_comment(
            world.pact, world.sec, "欢迎大家逐条表态。"
        )  # the secretary's own thread needs no answer
        ad = ops.post_comment(world.pact, world.r1, "上门维修，价格优惠")
        ops.report_comment(ad, world.r2, "广告")
    db.session.commit()
    login(world.sec)
    page = client.get(f"/pacts/{world.pact.id}").get_data(as_text=True)
    todo = page[page.index('id="to-answer"') :]
    todo = todo[: todo.index("</ul>")]
    assert f"#amendment-{a.id}" in todo
    assert f"/clauses/{clause.id}#threads" in todo and "1条留言尚未答复" in todo
    assert "对公约整体的讨论" in todo
    assert f"/pacts/community/{world.c.id}#reports-h" in todo
    home = client.get("/").get_data(as_text=True)
    assert f"/pacts/{world.pact.id}#to-answer" in home
    # Residents see no such list.
    login(world.r1)
    assert 'id="to-answer"' not in client.get(f"/pacts/{world.pact.id}").get_data(as_text=True)
    assert f"/pacts/{world.pact.id}#to-answer" not in client.get("/").get_data(as_text=True)


def test_a_decision_without_accept_or_reject_keeps_the_typed_reason(client, world, login, app):
    clause = world.pact.latest_version.clauses[2]
    with pf.request_context(app):
        a = ops.propose_amendment(
            world.pact, clause, world.r1, "第三条 晚上九点后不装修。", "老人休息早。"
        )
    db.session.commit()
    login(world.sec)
    r = client.post(
        f"/pacts/amendments/{a.id}/decide",
        data={f"d{a.id}-response": "大多数楼组支持九点，予以采纳。"},
    )
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert "大多数楼组支持九点，予以采纳。</textarea>" in page
    assert "请选择采纳或不采纳，并填写公开理由。" in page
    db.session.expire_all()
    assert str(db.session.get(type(a), a.id).status) == "open"
    # Too long a reason: the error says so and the text stays.
    long = "理由" * 1001
    r = client.post(
        f"/pacts/amendments/{a.id}/decide",
        data={f"d{a.id}-decision": "reject", f"d{a.id}-response": long},
    )
    assert r.status_code == 400 and long in r.get_data(as_text=True)
    assert 'value="reject" checked' in r.get_data(as_text=True)


def test_notifications_link_to_the_page_that_shows_the_comment_or_amendment(
    client, world, login, app
):
    clause = world.pact.latest_version.clauses[0]
    with pf.request_context(app):
        root = ops.post_comment(world.pact, world.r1, "第一条要具体些", clause=clause)
        reply = ops.post_comment(world.pact, world.r2, "同意", parent=root)
        a = ops.propose_amendment(
            world.pact, clause, world.r1, "第一条 垃圾定时定点分类投放。", "更具体"
        )
        ops.decide_amendment(a, False, "暂不采纳", actor=world.sec)
        ops.hide_comment(reply, "与本条无关", actor=world.sec)
    db.session.commit()
    clause_page = f"/pacts/{world.pact.id}/clauses/{clause.id}"
    links = {(n.user_id, n.message[:12]): n.link for n in db.session.scalars(select(Notification))}
    assert (
        links[(world.r1.id, "%(name)s rep")] == f"{clause_page}#comment-{reply.id}"
    )  # r2 replied to r1
    assert links[(world.r1.id, "Your amendme")] == f"{clause_page}#amendment-{a.id}"  # rejected
    assert links[(world.r2.id, "Your comment")] == f"{clause_page}#comment-{reply.id}"  # hidden
    # And the anchors are really on that page.
    page = client.get(clause_page).get_data(as_text=True)
    assert f'id="amendment-{a.id}"' in page and f'id="comment-{reply.id}"' in page


def test_the_secretarys_answer_deep_in_a_thread_tells_the_thread_author(world, app):
    with pf.request_context(app):
        root = ops.post_comment(world.pact, world.r1, "问题")
        reply = ops.post_comment(world.pact, world.r2, "我也想知道", parent=root)
        answer = ops.post_comment(world.pact, world.sec, "下周听证会讨论。", parent=reply)
    told = db.session.scalars(select(Notification).where(Notification.user_id == world.r1.id)).all()
    assert any(
        n.message.startswith("The secretary answered") and n.link.endswith(f"#comment-{answer.id}")
        for n in told
    )
    # The reply's author hears of it once, as a reply to their comment.
    assert (
        len(
            [
                n
                for n in db.session.scalars(
                    select(Notification).where(Notification.user_id == world.r2.id)
                )
                if f"#comment-{answer.id}" in n.link
            ]
        )
        == 1
    )
