"""Request tests: pages, permissions per community, refusals with clear messages."""

from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import func, select

from app.core.time import utcnow
from app.extensions import db
from app.pacts import operations as ops
from app.pacts.models import Amendment, AmendmentStatus, Comment, Pact, PactStatus, Position
from tests import pacts_factories as pf


@pytest.fixture
def world(make, app):
    c = make.community()
    b1, b2 = make.building(c, households=3), make.building(c, households=3)
    sec = make.user("secretary", community=c)
    r1 = make.user("resident", community=c, household=b1.households[0])
    r2 = make.user("resident", community=c, household=b2.households[0])
    other_c = make.community()
    outsider = make.user("resident", community=other_c)
    other_sec = make.user("secretary", community=other_c)
    with pf.request_context(app):
        pact = pf.pact(c, sec)
    db.session.commit()
    return type(
        "W",
        (),
        {
            "c": c,
            "sec": sec,
            "r1": r1,
            "r2": r2,
            "outsider": outsider,
            "other_sec": other_sec,
            "pact": pact,
        },
    )


def test_public_pages_render_for_anonymous_visitors(client, world):
    p = world.pact
    assert client.get(f"/pacts/community/{world.c.id}").status_code == 200
    r = client.get(f"/pacts/{p.id}")
    assert r.status_code == 200
    assert "第二条 楼道内不堆放杂物。" in r.get_data(as_text=True)
    assert client.get(f"/pacts/{p.id}/clauses/{p.latest_version.clauses[0].id}").status_code == 200
    assert client.get(f"/pacts/{p.id}/versions/1/print").status_code == 200


def test_drafts_are_hidden_from_everyone_but_the_secretary(client, world, login, app):
    with pf.request_context(app):
        draft = pf.pact(world.c, world.sec, PactStatus.DRAFTING, title="草稿公约")
    db.session.commit()
    assert client.get(f"/pacts/{draft.id}").status_code == 404
    login(world.r1)
    assert client.get(f"/pacts/{draft.id}").status_code == 404
    assert "草稿公约" not in client.get(f"/pacts/community/{world.c.id}").get_data(as_text=True)
    login(world.sec)
    assert client.get(f"/pacts/{draft.id}").status_code == 200
    assert client.get(f"/pacts/{draft.id}/draft").status_code == 200


def test_resident_takes_and_changes_a_position(client, world, login):
    login(world.r1)
    clause = world.pact.latest_version.clauses[0]
    url = f"/pacts/{world.pact.id}/clauses/{clause.id}/position"
    assert client.post(url, data={"stance": "support"}).status_code == 303
    assert client.post(url, data={"stance": "oppose"}).status_code == 303
    positions = db.session.scalars(select(Position)).all()
    assert [(p.user_id, str(p.stance)) for p in positions] == [(world.r1.id, "oppose")]


def test_outsiders_are_refused_and_nothing_is_saved(client, world, login):
    clause = world.pact.latest_version.clauses[0]
    url = f"/pacts/{world.pact.id}/clauses/{clause.id}/position"
    assert client.post(url, data={"stance": "support"}).status_code in (302, 401)
    login(world.outsider)
    r = client.post(url, data={"stance": "support"})
    assert r.status_code == 403
    assert "只有本小区居民才能参与本小区公约的讨论。" in r.get_data(as_text=True)
    r = client.post(f"/pacts/{world.pact.id}/comments", data={"body": "外人"})
    assert r.status_code == 403
    assert "只有本小区居民才能参与本小区公约的讨论。" in r.get_data(as_text=True)
    assert "外人</textarea>" in r.get_data(as_text=True)  # the comment form keeps the text
    client.set_cookie("lang", "en")
    r = client.post(f"/pacts/{world.pact.id}/comments", data={"body": "outside"})
    assert r.status_code == 403
    assert "Only residents of this community can take part in its pact." in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Position.id))) == 0
    assert db.session.scalar(select(func.count(Comment.id))) == 0


def test_another_communitys_secretary_cannot_manage(client, world, login):
    login(world.other_sec)
    assert client.post(f"/pacts/{world.pact.id}/consultation/close").status_code == 403
    assert client.get(f"/pacts/community/{world.c.id}/new").status_code == 403
    db.session.refresh(world.pact)
    assert world.pact.status == PactStatus.CONSULTATION


def test_comment_reply_agree_and_second_agree_refused(client, world, login):
    login(world.r1)
    r = client.post(f"/pacts/{world.pact.id}/comments", data={"body": "我支持**这个**公约"})
    assert r.status_code == 303
    root = db.session.scalar(select(Comment))
    login(world.r2)
    assert (
        client.post(
            f"/pacts/{world.pact.id}/comments", data={"body": "同意", "parent_id": root.id}
        ).status_code
        == 303
    )
    assert (
        client.post(
            f"/comments/{root.id}/agree".replace("/comments", "/pacts/comments")
        ).status_code
        == 303
    )
    r = client.post(f"/pacts/comments/{root.id}/agree")
    assert r.status_code == 409
    assert "已经" in r.get_data(as_text=True) or "already" in r.get_data(as_text=True)
    db.session.refresh(root)
    assert root.agree_count == 1 and root.reply_count == 1
    page = client.get(f"/pacts/{world.pact.id}").get_data(as_text=True)
    assert "<strong>这个</strong>" in page


def test_empty_and_overlong_comments_are_refused_with_the_text_kept(client, world, login):
    login(world.r1)
    clause = world.pact.latest_version.clauses[0]
    r = client.post(f"/pacts/{world.pact.id}/clauses/{clause.id}/comments", data={"body": "  "})
    assert r.status_code == 400
    long = "很长" * 2001
    r = client.post(f"/pacts/{world.pact.id}/clauses/{clause.id}/comments", data={"body": long})
    assert r.status_code == 400
    assert long in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Comment.id))) == 0


def test_comment_after_consultation_closed_is_refused(client, world, login):
    with pf.request_context(client.application):
        ops.close_consultation(world.pact, actor=world.sec)
    db.session.commit()
    login(world.r1)
    r = client.post(f"/pacts/{world.pact.id}/comments", data={"body": "晚了"})
    assert r.status_code == 409
    page = r.get_data(as_text=True)
    assert "征求意见已结束，不再接受表态、留言和修改建议。" in page
    assert "晚了</textarea>" in page  # what was typed is still there
    assert db.session.scalar(select(func.count(Comment.id))) == 0
    clause = world.pact.latest_version.clauses[0]
    r = client.post(
        f"/pacts/{world.pact.id}/clauses/{clause.id}/position", data={"stance": "support"}
    )
    assert r.status_code == 409 and "征求意见已结束" in r.get_data(as_text=True)
    client.set_cookie("lang", "en")
    r = client.post(f"/pacts/{world.pact.id}/comments", data={"body": "too late"})
    page = r.get_data(as_text=True)
    assert r.status_code == 409
    assert (
        "The consultation is closed; positions, comments and amendments are no longer taken."
        in page
    )
    assert "too late</textarea>" in page
    assert db.session.scalar(select(func.count(Comment.id))) == 0
    assert db.session.scalar(select(func.count(Position.id))) == 0


def test_comment_posting_is_rate_limited_per_user(client, world, login, app):
    login(world.r1)
    codes = [
        client.post(f"/pacts/{world.pact.id}/comments", data={"body": f"第{i}条意见"}).status_code
        for i in range(12)
    ]
    assert codes[:10] == [303] * 10
    assert codes[10] == 429
    # Another user is not affected by r1's limit.
    login(world.r2)
    assert (
        client.post(f"/pacts/{world.pact.id}/comments", data={"body": "我的意见"}).status_code
        == 303
    )


def test_amendment_lifecycle_over_http(client, world, login):
    clause = world.pact.latest_version.clauses[2]
    login(world.r1)
    r = client.post(
        f"/pacts/{world.pact.id}/clauses/{clause.id}/amendments",
        data={"am-text": "第三条 晚上九点后不装修。", "am-reason": "老人休息早"},
    )
    assert r.status_code == 303
    a = db.session.scalar(select(Amendment))
    login(world.r2)
    assert client.post(f"/pacts/amendments/{a.id}/endorse").status_code == 303
    assert (
        client.post(
            f"/pacts/amendments/{a.id}/decide",
            data={f"d{a.id}-decision": "accept", f"d{a.id}-response": "好"},
        ).status_code
        == 403
    )
    login(world.sec)
    r = client.post(
        f"/pacts/amendments/{a.id}/decide",
        data={f"d{a.id}-decision": "reject", f"d{a.id}-response": "影响上班族装修"},
    )
    assert r.status_code == 303
    db.session.refresh(a)
    assert a.status == AmendmentStatus.REJECTED and a.endorse_count == 1
    page = client.get(f"/pacts/{world.pact.id}/clauses/{clause.id}").get_data(as_text=True)
    assert "影响上班族装修" in page


def test_empty_amendment_is_refused_and_input_kept(client, world, login):
    clause = world.pact.latest_version.clauses[0]
    login(world.r1)
    r = client.post(
        f"/pacts/{world.pact.id}/clauses/{clause.id}/amendments",
        data={"am-text": "", "am-reason": "我的理由很充分"},
    )
    assert r.status_code == 400
    assert "我的理由很充分" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Amendment.id))) == 0


def test_secretary_pastes_previews_fixes_and_saves(client, world, login):
    login(world.sec)
    text = "第一条 甲\n第二条 乙\n第三条 丙"
    r = client.post(f"/pacts/community/{world.c.id}/new", data={"title": "新公约", "text": text})
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert html.count('name="clause"') == 3
    r = client.post(
        f"/pacts/community/{world.c.id}/preview",
        data={
            "title": "新公约",
            "clause": ["第一条 甲", "第二条 乙", "第三条 丙"],
            "op": "merge:0",
        },
    )
    assert r.get_data(as_text=True).count('name="clause"') == 2
    r = client.post(
        f"/pacts/community/{world.c.id}/preview",
        data={"title": "新公约", "clause": ["第一条 甲\n第二条 乙", "第三条 丙改"], "op": "save"},
    )
    assert r.status_code == 303
    pact = db.session.scalar(select(Pact).where(Pact.title == "新公约"))
    assert [c.text for c in pact.draft_version.clauses] == ["第一条 甲\n第二条 乙", "第三条 丙改"]
    # Open the consultation through the draft page's form (Shanghai wall time).
    now = utcnow() + timedelta(hours=8)
    r = client.post(
        f"/pacts/{pact.id}/consultation",
        data={
            "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert r.status_code == 303
    db.session.refresh(pact)
    assert pact.status == PactStatus.CONSULTATION and pact.latest_version.number == 1


def test_preview_save_without_title_is_refused_and_clauses_kept(client, world, login):
    login(world.sec)
    r = client.post(
        f"/pacts/community/{world.c.id}/preview",
        data={"title": "", "clause": ["保留我"], "op": "save"},
    )
    assert r.status_code == 400
    assert "保留我" in r.get_data(as_text=True)


def test_secretary_hides_a_reported_comment_leaving_a_notice(client, world, login):
    with pf.request_context(client.application):
        c = ops.post_comment(world.pact, world.r1, "卖房广告 加微信")
    db.session.commit()
    login(world.r2)
    assert (
        client.post(
            f"/pacts/comments/{c.id}/report", data={f"rep{c.id}-reason": "广告"}
        ).status_code
        == 303
    )
    login(world.r1)
    assert (
        client.post(f"/pacts/comments/{c.id}/hide", data={f"hide{c.id}-reason": "x"}).status_code
        == 403
    )
    login(world.sec)
    assert "广告" in client.get(f"/pacts/community/{world.c.id}").get_data(as_text=True)
    assert (
        client.post(
            f"/pacts/comments/{c.id}/hide", data={f"hide{c.id}-reason": "商业广告"}
        ).status_code
        == 303
    )
    page = client.get(f"/pacts/{world.pact.id}", headers={"Cookie": "lang=en"}).get_data(
        as_text=True
    )
    assert "卖房广告" not in page
    assert "商业广告" in page


def test_compare_shows_changes_linked_to_amendments(client, world, app):
    p = world.pact
    with pf.request_context(app):
        a = ops.propose_amendment(
            p,
            p.latest_version.clauses[0],
            world.r1,
            "第一条 爱护公共环境，垃圾分类定时投放。",
            "更具体",
        )
        ops.decide_amendment(a, True, "采纳", actor=world.sec)
        ops.close_consultation(p, actor=world.sec)
        ops.start_revision(p, actor=world.sec)
        ops.publish_version(p, "采纳定时投放", actor=world.sec)
    db.session.commit()
    html = client.get(f"/pacts/{p.id}/compare?a=1&b=2").get_data(as_text=True)
    assert '<ins><span class="visually-hidden">[新增：] </span>定时</ins>' in html
    assert f"#amendment-{a.id}" in html
    # A list of the changes on top, and a view with only the changed clauses (for phones).
    changes = html[html.index('id="changes"') :]
    assert (
        f'href="#diff-{p.latest_version.clauses[0].lineage}"' in changes[: changes.index("</ul>")]
    )
    only = client.get(f"/pacts/{p.id}/compare?a=1&b=2&only=changes").get_data(as_text=True)
    assert only.count('class="card diff-') == 1 and "第二条 楼道内不堆放杂物。" not in only
    assert html.count('class="card diff-') == 3


def test_follow_and_unfollow(client, world, login):
    login(world.r2)
    assert client.post(f"/pacts/{world.pact.id}/follow", data={"follow": "1"}).status_code == 303
    assert client.post(f"/pacts/{world.pact.id}/follow", data={"follow": "0"}).status_code == 303


def test_following_a_public_pact_from_outside_the_community_is_intended(client, world, login, app):
    """Following is reading (pacts/permissions.py `can_follow`): an outsider may follow a
    public pact and hears of its public lifecycle, but still cannot take part."""
    from app.core.notifications import Notification
    from app.pacts.models import PactFollow

    url = f"/pacts/{world.pact.id}/follow"
    assert client.post(url, data={"follow": "1"}).status_code in (302, 401)  # signed in only
    login(world.outsider)
    assert client.post(url, data={"follow": "1"}).status_code == 303

    def outsider_follows() -> int:
        return db.session.scalar(
            select(func.count(PactFollow.id)).where(PactFollow.user_id == world.outsider.id)
        )

    assert outsider_follows() == 1
    r = client.post(f"/pacts/{world.pact.id}/comments", data={"body": "外人"})
    assert r.status_code == 403 and db.session.scalar(select(func.count(Comment.id))) == 0
    with pf.request_context(app):
        ops.close_consultation(world.pact, actor=world.sec)
    db.session.commit()
    told = db.session.scalars(
        select(Notification.message).where(Notification.user_id == world.outsider.id)
    ).all()
    assert told == ["Consultation on “%(title)s” has ended; the secretary is revising the text."]
    # A draft is another matter: who may not see it may not follow it.
    with pf.request_context(app):
        draft = pf.pact(world.c, world.sec, PactStatus.DRAFTING, title="草稿公约")
    db.session.commit()
    assert client.post(f"/pacts/{draft.id}/follow", data={"follow": "1"}).status_code == 404
    assert outsider_follows() == 1


def test_send_to_ratification_is_linked_for_the_secretary_only(client, world, login, app):
    with pf.request_context(app):
        ops.close_consultation(world.pact, actor=world.sec)
    db.session.commit()
    with app.test_request_context():
        link = url_for("pacts.ratify", pact_id=world.pact.id)
    login(world.sec)
    assert f'href="{link}"' in client.get(f"/pacts/{world.pact.id}").get_data(as_text=True)
    login(world.r1)
    assert f'href="{link}"' not in client.get(f"/pacts/{world.pact.id}").get_data(as_text=True)


def test_author_edits_within_the_window_and_the_edit_shows(client, world, login, app):
    with pf.request_context(app):
        c = ops.post_comment(world.pact, world.r1, "初稿")
    db.session.commit()
    login(world.r2)
    assert client.get(f"/pacts/comments/{c.id}/edit").status_code == 403
    login(world.r1)
    assert client.get(f"/pacts/comments/{c.id}/edit").status_code == 200
    assert (
        client.post(f"/pacts/comments/{c.id}/edit", data={"body": "改过的意见"}).status_code == 303
    )
    html = client.get(f"/pacts/{world.pact.id}").get_data(as_text=True)
    assert "改过的意见" in html and "已编辑" in html
    c.created_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    assert client.post(f"/pacts/comments/{c.id}/edit", data={"body": "再改"}).status_code == 403
    db.session.refresh(c)
    assert c.body == "改过的意见"


def test_author_withdraws_and_a_notice_remains(client, world, login, app):
    with pf.request_context(app):
        c = ops.post_comment(world.pact, world.r1, "想撤回的话")
    db.session.commit()
    login(world.r2)
    assert client.post(f"/pacts/comments/{c.id}/withdraw").status_code == 403
    login(world.r1)
    assert client.post(f"/pacts/comments/{c.id}/withdraw").status_code == 303
    html = client.get(f"/pacts/{world.pact.id}").get_data(as_text=True)
    assert "想撤回的话" not in html and "作者已撤回" in html


def test_htmx_agree_swaps_the_comment_in_place(client, world, login, app):
    with pf.request_context(app):
        c = ops.post_comment(world.pact, world.r1, "好主意")
    db.session.commit()
    login(world.r2)
    r = client.post(f"/pacts/comments/{c.id}/agree", headers={"HX-Request": "true"})
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert html.lstrip().startswith(f'<article class="comment card" id="comment-{c.id}"')
    assert "1人赞同" in html and "<html" not in html
    assert f'name="parent_id" value="{c.id}"' in html  # the reply box stays after agreeing
    r = client.post(f"/pacts/comments/{c.id}/agree", headers={"HX-Request": "true"})
    assert r.status_code == 409
    assert r.headers["HX-Retarget"] == "#messages"


def test_long_threads_page_with_and_without_htmx(client, world, app):
    with pf.request_context(app):
        roots = [ops.post_comment(world.pact, world.r1, f"主题{i:02d}") for i in range(25)]
        for i in range(8):
            ops.post_comment(world.pact, world.r2, f"回复{i:02d}", parent=roots[0])
    db.session.commit()
    first = client.get(f"/pacts/{world.pact.id}").get_data(as_text=True)
    # Five threads a page under the clauses, two replies shown under each (the first page stays
    # under 60 KB); a clause page has ten.
    assert "主题00" in first and "主题04" in first and "主题05" not in first
    assert "回复01" in first and "回复02" not in first  # the first replies, then a link to the rest
    assert f'href="/pacts/comments/{roots[0].id}/replies"' in first
    second = client.get(f"/pacts/{world.pact.id}?page=2").get_data(as_text=True)
    assert "主题05" in second and "主题00" not in second
    part = client.get(f"/pacts/{world.pact.id}?page=2&part=threads", headers={"HX-Request": "true"})
    assert part.get_data(as_text=True).lstrip().startswith('<div id="threads">')
    replies = client.get(f"/pacts/comments/{roots[0].id}/replies").get_data(as_text=True)
    assert "回复07" in replies and "<html" in replies
    partial = client.get(f"/pacts/comments/{roots[0].id}/replies", headers={"HX-Request": "true"})
    assert "回复07" in partial.get_data(as_text=True) and "<html" not in partial.get_data(
        as_text=True
    )


def test_print_page_shows_version_number_and_date(client, world):
    html = client.get(f"/pacts/{world.pact.id}/versions/1/print").get_data(as_text=True)
    assert "第1版" in html and "发布" in html and "第三条 晚上十点后不装修。" in html
    assert "site-header" not in html
    assert client.get(f"/pacts/{world.pact.id}/versions/9/print").status_code == 404


def test_repeal_an_adopted_pact_with_a_reason(client, world, login, app):
    with pf.request_context(app):
        adopted = pf.pact(world.c, world.sec, PactStatus.ADOPTED, title="旧公约")
    db.session.commit()
    login(world.sec)
    assert client.post(f"/pacts/{adopted.id}/repeal", data={"repeal-reason": ""}).status_code == 400
    assert (
        client.post(
            f"/pacts/{adopted.id}/repeal", data={"repeal-reason": "已被新规取代"}
        ).status_code
        == 303
    )
    db.session.refresh(adopted)
    assert adopted.status == PactStatus.REPEALED
    assert (
        client.post(f"/pacts/{adopted.id}/repeal", data={"repeal-reason": "再废止"}).status_code
        == 409
    )


def test_personal_data_export_includes_pact_contributions(world, app):
    from app.accounts.operations import export_personal_data

    with pf.request_context(app):
        ops.post_comment(world.pact, world.r1, "我的留言")
        ops.set_position(world.pact, world.pact.latest_version.clauses[0], world.r1, "support")
        data = export_personal_data(world.r1)
    assert data["pacts"]["comments"][0]["body"] == "我的留言"
    assert data["pacts"]["positions"][0]["stance"] == "support"
    assert world.pact.id in data["pacts"]["following_pact_ids"]


def test_home_page_lists_the_open_consultation_for_residents(client, world, login):
    login(world.r1)
    html = client.get("/").get_data(as_text=True)
    assert "正在征求您意见的公约" in html and f"/pacts/{world.pact.id}" in html


def test_clause_text_keeps_line_breaks_and_is_escaped(client, world, app):
    with pf.request_context(app):
        p = pf.pact(
            world.c,
            world.sec,
            clauses=["第一条 居民应当：\n1. 爱护绿化；<script>alert(1)</script>"],
            title="换行",
        )
    db.session.commit()
    html = client.get(f"/pacts/{p.id}").get_data(as_text=True)
    assert "第一条 居民应当：<br>\n1. 爱护绿化；&lt;script&gt;" in html
    assert "<script>alert(1)" not in html
