"""Lifecycle rules on the model and the operations that move pacts, positions and amendments."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.core.audit import AuditEntry
from app.core.notifications import Notification
from app.core.time import utcnow
from app.extensions import db
from app.pacts import operations as ops
from app.pacts.compare import compare_versions
from app.pacts.models import (
    AmendmentStatus,
    IllegalTransition,
    Pact,
    PactStatus,
    Position,
    Stance,
)
from tests import pacts_factories as pf


@pytest.fixture(autouse=True)
def _request(app):
    with pf.request_context(app):
        yield


@pytest.fixture
def world(make):
    c = make.community()
    b1, b2 = make.building(c, households=2), make.building(c, households=2)
    sec = make.user("secretary", community=c)
    r1 = make.user("resident", community=c, household=b1.households[0])
    r2 = make.user("resident", community=c, household=b2.households[0])
    return type("W", (), {"c": c, "sec": sec, "r1": r1, "r2": r2, "b1": b1, "b2": b2})


def test_every_illegal_move_raises_on_the_model():
    p = Pact(community_id=1, title="x", status=PactStatus.DRAFTING)
    for target in (
        PactStatus.REVISION,
        PactStatus.RATIFICATION,
        PactStatus.ADOPTED,
        PactStatus.SUPERSEDED,
        PactStatus.REPEALED,
    ):
        with pytest.raises(IllegalTransition):
            p.move_to(target)
    p.move_to(PactStatus.CONSULTATION)
    with pytest.raises(IllegalTransition):
        p.move_to(PactStatus.ADOPTED)
    p.move_to(PactStatus.REVISION)
    p.move_to(PactStatus.RATIFICATION)
    p.move_to(PactStatus.ADOPTED)
    with pytest.raises(IllegalTransition):
        p.move_to(PactStatus.DRAFTING)
    p.move_to(PactStatus.REPEALED)
    with pytest.raises(IllegalTransition):
        p.move_to(PactStatus.ADOPTED)


def test_opening_consultation_publishes_version_1_and_counts_days(world):
    p = pf.pact(world.c, world.sec, PactStatus.DRAFTING)
    assert p.latest_version is None and p.draft_version.number == 1
    now = utcnow()
    ops.open_consultation(p, now, now + timedelta(days=3, hours=1), actor=world.sec)
    assert p.status == PactStatus.CONSULTATION
    assert p.latest_version.number == 1 and p.latest_version.published_at is not None
    assert p.days_remaining() == 4
    assert p.consultation_is_open()
    assert db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "pact.consultation_open")
    )


def test_published_clauses_cannot_be_edited(world):
    p = pf.pact(world.c, world.sec)
    with pytest.raises(ops.PactError):
        ops.edit_clause(p, p.latest_version.clauses[0], "新文本", actor=world.sec)


def test_revision_publishes_version_2_with_accepted_amendments_and_notifies_followers(world):
    p = pf.pact(world.c, world.sec)
    clause = p.latest_version.clauses[1]
    yes = ops.propose_amendment(
        p, clause, world.r1, "第二条 楼道内不堆放杂物，电瓶车不进楼。", "安全"
    )
    no = ops.propose_amendment(p, p.latest_version.clauses[2], world.r2, "第三条 取消。", "没必要")
    ops.decide_amendment(yes, True, "采纳，消防安全需要。", actor=world.sec)
    ops.decide_amendment(no, False, "装修噪音影响大，保留。", actor=world.sec)
    ops.close_consultation(p, actor=world.sec)
    draft = ops.start_revision(p, actor=world.sec)
    assert draft.number == 2
    assert (
        draft.clauses[1].text == yes.text and draft.clauses[2].text == "第三条 晚上十点后不装修。"
    )
    v2 = ops.publish_version(p, "采纳一条修正", actor=world.sec)
    assert p.latest_version is v2
    assert yes.applied_version_id == v2.id and no.applied_version_id is None
    rows = compare_versions(p.version(1), v2)
    assert [r["kind"] for r in rows] == ["same", "changed", "same"]
    assert ("ins", "，电瓶车不进楼") in rows[1]["diff"]
    notes = db.session.scalars(
        select(Notification).where(Notification.user_id == world.r1.id)
    ).all()
    assert any("Version %(number)s" in n.message for n in notes)  # r1 follows since proposing
    assert any("accepted" in n.message for n in notes)


def test_ratification_adopts_and_supersedes_the_previous_adopted_pact(world):
    old = pf.pact(world.c, world.sec, PactStatus.ADOPTED, title="旧公约")
    new = pf.pact(world.c, world.sec, PactStatus.RATIFICATION, title="新公约")
    ops.conclude_ratification(new, True, world.sec)
    assert new.status == PactStatus.ADOPTED and new.adopted_at is not None
    assert old.status == PactStatus.SUPERSEDED and old.superseded_by_id == new.id


def test_rejected_ratification_goes_back_to_revision(world):
    p = pf.pact(world.c, world.sec, PactStatus.RATIFICATION)
    ops.conclude_ratification(p, False)
    assert p.status == PactStatus.REVISION
    with pytest.raises(ops.PactError):
        ops.conclude_ratification(p, True)


def test_begin_ratification_only_from_revision(world):
    p = pf.pact(world.c, world.sec, PactStatus.CONSULTATION)
    with pytest.raises(ops.PactError):
        ops.begin_ratification(p, world.sec)
    ops.close_consultation(p, actor=world.sec)
    ops.begin_ratification(p, world.sec)
    assert p.status == PactStatus.RATIFICATION
    assert db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "pact.ratification_begin")
    )


def test_one_position_per_resident_and_clause_is_a_database_constraint(world):
    p = pf.pact(world.c, world.sec)
    clause = p.latest_version.clauses[0]
    ops.set_position(p, clause, world.r1, Stance.SUPPORT)
    ops.set_position(p, clause, world.r1, Stance.OPPOSE)  # changes, does not add
    assert db.session.scalars(select(Position)).one().stance == Stance.OPPOSE
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(Position(clause_id=clause.id, user_id=world.r1.id, stance=Stance.SUPPORT))
        db.session.flush()


def test_positions_and_comments_are_refused_after_consultation_closes(world):
    p = pf.pact(world.c, world.sec)
    clause = p.latest_version.clauses[0]
    ops.close_consultation(p, actor=world.sec)
    with pytest.raises(ops.PactError):
        ops.set_position(p, clause, world.r1, Stance.SUPPORT)
    with pytest.raises(ops.PactError):
        ops.post_comment(p, world.r1, "还想说一句", clause=clause)


def test_window_closing_date_passed_refuses_participation(world):
    p = pf.pact(world.c, world.sec)
    p.consultation_closes_at = utcnow() - timedelta(seconds=1)
    assert p.days_remaining() == 0
    with pytest.raises(ops.PactError):
        ops.set_position(p, p.latest_version.clauses[0], world.r1, Stance.SUPPORT)


def test_amendment_to_an_old_version_is_refused(world):
    p = pf.pact(world.c, world.sec)
    old_clause = p.latest_version.clauses[0]
    ops.close_consultation(p, actor=world.sec)
    ops.start_revision(p, actor=world.sec)
    ops.publish_version(p, actor=world.sec)
    now = utcnow()
    ops.open_consultation(p, now, now + timedelta(days=5), actor=world.sec)
    with pytest.raises(ops.PactError, match="旧版本"):
        ops.propose_amendment(p, old_clause, world.r1, "新的文字", "理由")
    ops.propose_amendment(p, p.latest_version.clauses[0], world.r1, "新的文字", "理由")


def test_second_agree_and_own_agree_are_refused(world):
    p = pf.pact(world.c, world.sec)
    c = ops.post_comment(p, world.r1, "好")
    with pytest.raises(ops.PactError):
        ops.agree_comment(c, world.r1)
    ops.agree_comment(c, world.r2)
    with pytest.raises(ops.PactError):
        ops.agree_comment(c, world.r2)
    assert c.agree_count == 1


def test_reply_notifies_the_author_and_secretary_reply_marks_answered(world):
    p = pf.pact(world.c, world.sec)
    root = ops.post_comment(p, world.r1, "问题")
    reply = ops.post_comment(p, world.r2, "同意", parent=root)
    assert reply.root_id == root.id and root.reply_count == 1 and root.answered_at is None
    ops.post_comment(p, world.sec, "已记录", parent=reply)
    assert root.answered_at is not None and root.reply_count == 2
    assert db.session.scalar(
        select(Notification).where(
            Notification.user_id == world.r1.id, Notification.message.like("%replied%")
        )
    )


def test_hiding_leaves_a_notice_audit_and_notifies_the_author(world):
    p = pf.pact(world.c, world.sec)
    c = ops.post_comment(p, world.r1, "广告")
    ops.report_comment(c, world.r2, "广告")
    with pytest.raises(ops.PactError):
        ops.report_comment(c, world.r2, "再举报")
    ops.hide_comment(c, "商业广告", actor=world.sec)
    assert c.hidden_reason == "商业广告" and not c.is_visible
    assert (
        db.session.scalar(select(AuditEntry).where(AuditEntry.action == "pact.comment_hide")).detail
        == "商业广告"
    )
    assert db.session.scalar(
        select(Notification).where(
            Notification.user_id == world.r1.id, Notification.message.like("%hidden%")
        )
    )


def test_empty_and_over_long_texts_are_refused(world):
    p = pf.pact(world.c, world.sec)
    with pytest.raises(ops.PactError):
        ops.post_comment(p, world.r1, "   ")
    with pytest.raises(ops.PactError):
        ops.post_comment(p, world.r1, "长" * 4001)
    with pytest.raises(ops.PactError):
        ops.propose_amendment(p, p.latest_version.clauses[0], world.r1, "", "理由")


def test_another_communitys_resident_cannot_take_part(world, make):
    other = make.user("resident", community=make.community())
    p = pf.pact(world.c, world.sec)
    with pytest.raises(ops.PactError):
        ops.set_position(p, p.latest_version.clauses[0], other, Stance.SUPPORT)
    with pytest.raises(ops.PactError):
        ops.post_comment(p, other, "外人")


def test_endorse_once_and_answered_amendment_cannot_be_decided_again(world):
    p = pf.pact(world.c, world.sec)
    a = ops.propose_amendment(p, p.latest_version.clauses[0], world.r1, "改", "因")
    ops.endorse_amendment(a, world.r2)
    with pytest.raises(ops.PactError):
        ops.endorse_amendment(a, world.r2)
    assert a.endorse_count == 1
    ops.decide_amendment(a, False, "不采纳", actor=world.sec)
    assert a.status == AmendmentStatus.REJECTED
    with pytest.raises(ops.PactError):
        ops.decide_amendment(a, True, "改主意", actor=world.sec)


def test_draft_clauses_add_move_remove(world):
    p = pf.pact(world.c, world.sec, PactStatus.DRAFTING)
    draft = p.draft_version
    ops.add_clause(p, "第四条 新增", actor=world.sec)
    ops.add_clause(p, "前言", after=0, actor=world.sec)
    assert [c.text[:2] for c in draft.clauses] == ["前言", "第一", "第二", "第三", "第四"]
    ops.move_clause(p, draft.clauses[0], +1, actor=world.sec)
    assert draft.clauses[1].text == "前言"
    ops.remove_clause(p, draft.clauses[1], actor=world.sec)
    assert [c.position for c in draft.clauses] == [1, 2, 3, 4]
    assert len({c.lineage for c in draft.clauses}) == 4


def test_discarding_the_revision_draft_allows_ratification_of_the_current_version(world):
    p = pf.pact(world.c, world.sec, PactStatus.REVISION)
    ops.start_revision(p, actor=world.sec)
    with pytest.raises(ops.PactError):
        ops.begin_ratification(p, world.sec)
    ops.discard_draft(p, actor=world.sec)
    assert p.draft_version is None and [v.number for v in p.versions] == [1]
    ops.begin_ratification(p, world.sec)
    assert p.status == PactStatus.RATIFICATION


def test_due_consultations_close_on_schedule_and_followers_hear_of_it(world, app):
    p = pf.pact(world.c, world.sec)
    ops.follow_pact(p, world.r2)
    assert ops.close_due_consultations() == []
    p.consultation_closes_at = utcnow() - timedelta(minutes=1)
    assert ops.close_due_consultations() == [p]
    assert p.status == PactStatus.REVISION
    assert db.session.scalar(
        select(Notification).where(
            Notification.user_id == world.r2.id, Notification.message.like("%has ended%")
        )
    )


def test_close_due_cli_command(world, app):
    p = pf.pact(world.c, world.sec)
    p.consultation_closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["pacts", "close-due"])
    assert "1 consultation(s) closed" in result.output, result.output
    db.session.expire_all()
    assert db.session.get(Pact, p.id).status == PactStatus.REVISION


def test_every_lifecycle_move_is_audited_and_told_to_followers(world):
    p = pf.pact(world.c, world.sec, PactStatus.DRAFTING)
    ops.follow_pact(p, world.r1)
    now = utcnow()
    steps = [
        (
            lambda: ops.open_consultation(p, now, now + timedelta(days=7), actor=world.sec),
            "pact.consultation_open",
        ),
        (lambda: ops.close_consultation(p, actor=world.sec), "pact.consultation_close"),
        (lambda: ops.begin_ratification(p, world.sec), "pact.ratification_begin"),
        (lambda: ops.conclude_ratification(p, False, world.sec), "pact.ratification_reject"),
        (lambda: ops.begin_ratification(p, world.sec), "pact.ratification_begin"),
        (lambda: ops.conclude_ratification(p, True, world.sec), "pact.adopt"),
        (lambda: ops.repeal_pact(p, "新公约已另行制定", actor=world.sec), "pact.repeal"),
    ]
    for step, action in steps:
        audited = db.session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.action == action)
        )
        told = db.session.scalar(
            select(func.count(Notification.id)).where(Notification.user_id == world.r1.id)
        )
        step()
        assert (
            db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == action))
            == audited + 1
        )
        assert (
            db.session.scalar(
                select(func.count(Notification.id)).where(Notification.user_id == world.r1.id)
            )
            == told + 1
        ), action
    assert p.status == PactStatus.REPEALED
