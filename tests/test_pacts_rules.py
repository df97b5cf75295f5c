"""The rules in one place: model transitions refuse illegal moves with a Conflict, the can_*
predicates answer per community, operations check the acting user themselves, the votes
signals conclude a ratification, and a refused form comes back with the input and the reason."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from app.core.errors import Conflict, NotAllowed
from app.core.time import utcnow
from app.extensions import db
from app.pacts import operations as ops
from app.pacts import permissions
from app.pacts.models import Amendment, AmendmentStatus, Pact, PactStatus, PactVersion
from app.votes.signals import vote_cancelled, vote_published
from tests import pacts_factories as pf


@pytest.fixture
def world(make, app):
    c = make.community()
    b1 = make.building(c, households=2)
    sec = make.user("secretary", community=c)
    r1 = make.user("resident", community=c, household=b1.households[0])
    r2 = make.user("resident", community=c, household=b1.households[1])
    other = make.community()
    outsider = make.user("resident", community=other)
    other_sec = make.user("secretary", community=other)
    with pf.request_context(app):
        pact = pf.pact(c, sec)
    db.session.commit()
    return SimpleNamespace(
        c=c, sec=sec, r1=r1, r2=r2, outsider=outsider, other_sec=other_sec, pact=pact
    )


# -- model transitions ---------------------------------------------------------------


def test_illegal_pact_moves_raise_a_conflict_with_a_translated_reason(app):
    p = Pact(community_id=1, title="x", status=PactStatus.ADOPTED)
    with app.test_request_context("/"), force_locale("en"):
        with pytest.raises(Conflict) as refused:
            p.begin_ratification()
        assert refused.value.status == 409
        assert str(refused.value.message) == (
            "A pact in the status “Adopted” cannot move to “In ratification”."
        )
    with app.test_request_context("/"):
        with pytest.raises(Conflict) as refused:
            p.return_to_revision()
        assert str(refused.value.message) == "处于“已生效”状态的公约不能转为“修订中”。"
    assert p.status == PactStatus.ADOPTED


def test_each_transition_method_moves_the_pact_along_its_lifecycle():
    now = utcnow()
    p = Pact(id=7, community_id=1, title="x", status=PactStatus.DRAFTING)
    p.open_consultation(now, now + timedelta(days=1))
    assert p.in_consultation and p.consultation_closes_at == now + timedelta(days=1)
    p.close_consultation(now)
    assert p.in_revision and p.consultation_closes_at == now
    p.begin_ratification()
    p.return_to_revision()
    p.begin_ratification()
    p.adopt(now)
    assert p.is_adopted and p.adopted_at == now
    newer = Pact(id=8, community_id=1, title="y")
    p.supersede(newer, now)
    assert p.status == PactStatus.SUPERSEDED and p.superseded_by_id == 8
    with pytest.raises(Conflict):
        p.repeal(now)


def test_an_answered_amendment_cannot_be_decided_or_withdrawn_again(app):
    a = Amendment(status=AmendmentStatus.OPEN)
    a.decide(True, "好", by_id=1, now=utcnow())
    assert a.status == AmendmentStatus.ACCEPTED and not a.is_open
    with app.test_request_context("/"):
        with pytest.raises(Conflict, match="这条修改建议已经答复过了。"):
            a.decide(False, "不", by_id=1, now=utcnow())
        with pytest.raises(Conflict):
            a.withdraw()
    assert a.status == AmendmentStatus.ACCEPTED


def test_a_hidden_comment_cannot_be_hidden_again(world, app):
    with pf.request_context(app):
        c = ops.post_comment(world.pact, world.r1, "广告")
        c.hide("广告", world.sec.id, utcnow())
        with pytest.raises(Conflict, match="这条留言已被隐藏。"):
            c.hide("再隐藏", world.sec.id, utcnow())
        with pytest.raises(Conflict):
            c.withdraw(utcnow())


# -- predicates and operations' own checks -----------------------------------------------


def test_permissions_follow_the_roles_in_the_pacts_community(world, app):
    p = world.pact
    with pf.request_context(app):
        assert permissions.can_manage(world.sec, p.community_id)
        assert permissions.can_moderate(world.sec, p.community_id)
        assert not permissions.can_manage(world.other_sec, p.community_id)
        assert not permissions.can_manage(world.r1, p.community_id)
        assert permissions.can_participate(world.r1, p.community_id)
        assert permissions.can_take_part(world.r1, p)
        assert not permissions.can_take_part(world.outsider, p)
        assert not permissions.can_take_part(world.sec, p)
        assert permissions.can_answer(world.sec, p) and not permissions.can_answer(world.r1, p)
        assert permissions.can_view(world.outsider, p)
        draft = pf.pact(world.c, world.sec, PactStatus.DRAFTING, title="草稿")
        assert permissions.can_view(world.sec, draft)
        assert not permissions.can_view(world.r1, draft)
        ops.close_consultation(p, actor=world.sec)
        assert not permissions.can_take_part(world.r1, p)
        assert permissions.can_answer(world.sec, p, reply=True)
        assert not permissions.can_answer(world.sec, p, reply=False)


def test_operations_refuse_a_user_who_may_not_act_whoever_calls_them(world, app):
    p = world.pact
    with pf.request_context(app):
        comment = ops.post_comment(p, world.r1, "好")
        for refused in (
            lambda: ops.close_consultation(p, actor=world.r1),
            lambda: ops.close_consultation(p, actor=world.other_sec),
            lambda: ops.create_pact(world.c, "新公约", ["第一条"], actor=world.r1),
            lambda: ops.create_pact(world.c, "新公约", ["第一条"], actor=None),
            lambda: ops.hide_comment(comment, "不喜欢", actor=world.r2),
            lambda: ops.dismiss_reports(comment, actor=world.r2),
            lambda: ops.set_position(p, p.latest_version.clauses[0], world.outsider, "support"),
        ):
            with pytest.raises(NotAllowed):
                refused()
    assert db.session.get(Pact, p.id).status == PactStatus.CONSULTATION
    assert db.session.scalar(select(func.count(Pact.id))) == 1


# -- the votes signals -------------------------------------------------------------------


def _vote(pact, adopted=None, certified_by=None):
    version = db.session.scalar(select(PactVersion).where(PactVersion.pact_id == pact.id))
    return SimpleNamespace(
        pact_version=version, result={"adopted": adopted}, certified_by=certified_by
    )


def test_a_published_ratification_vote_adopts_the_pact(world, app):
    with pf.request_context(app):
        p = pf.pact(world.c, world.sec, PactStatus.RATIFICATION, title="待批准")
        vote_published.send(_vote(p, adopted=True, certified_by=world.sec))
        assert p.status == PactStatus.ADOPTED and p.adopted_at is not None


def test_a_rejected_or_cancelled_ratification_vote_returns_the_pact_to_revision(world, app):
    with pf.request_context(app):
        p = pf.pact(world.c, world.sec, PactStatus.RATIFICATION, title="待批准")
        vote_published.send(_vote(p, adopted=False, certified_by=world.sec))
        assert p.status == PactStatus.REVISION
        ops.begin_ratification(p, world.sec)
        vote_cancelled.send(_vote(p), actor=world.sec)
        assert p.status == PactStatus.REVISION


def test_votes_that_ratify_nothing_waiting_change_no_pact(world, app):
    with pf.request_context(app):
        vote_published.send(SimpleNamespace(pact_version=None, result={}, certified_by=None))
        vote_published.send(_vote(world.pact, adopted=True))  # in consultation, not ratification
        vote_cancelled.send(_vote(world.pact))
    assert world.pact.status == PactStatus.CONSULTATION


# -- refused forms over HTTP ---------------------------------------------------------------


def test_a_refused_amendment_comes_back_with_the_input_and_the_reason(client, world, login):
    clause = world.pact.latest_version.clauses[0]
    url = f"/pacts/{world.pact.id}/clauses/{clause.id}/amendments"
    data = {"am-text": clause.text, "am-reason": "我的理由写了很久"}
    login(world.r1)
    r = client.post(url, data=data)
    page = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "建议文本与原条款相同。" in page and "我的理由写了很久</textarea>" in page
    client.set_cookie("lang", "en")
    r = client.post(url, data=data)
    assert r.status_code == 400
    assert "The proposed text is the same as the clause." in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Amendment.id))) == 0


def test_a_refused_consultation_keeps_the_typed_dates_on_the_draft_page(client, world, login, app):
    with pf.request_context(app):
        draft = pf.pact(world.c, world.sec, PactStatus.DRAFTING, title="草稿")
    db.session.commit()
    past = (utcnow() + timedelta(hours=8) - timedelta(days=3)).replace(second=0, microsecond=0)
    data = {
        "opens_at": past.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (past + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
    }
    login(world.sec)
    r = client.post(f"/pacts/{draft.id}/consultation", data=data)
    page = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "截止时间必须晚于现在。" in page and data["closes_at"] in page
    client.set_cookie("lang", "en")
    r = client.post(f"/pacts/{draft.id}/consultation", data=data)
    assert r.status_code == 400
    assert "The closing date must be in the future." in r.get_data(as_text=True)
    db.session.expire_all()
    saved = db.session.get(Pact, draft.id)
    assert saved.status == PactStatus.DRAFTING and saved.latest_version is None
