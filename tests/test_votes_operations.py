"""Rules of votes and projects, exercised through the operations that the pages and the CLI call."""

import os
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from app.core.audit import AuditEntry
from app.core.errors import Conflict
from app.core.time import utcnow
from app.extensions import db
from app.projects import operations as pops
from app.projects.models import ProjectStatus
from app.votes import ballot_log, queries
from app.votes import operations as ops
from app.votes.models import (
    Ballot,
    ElectorateKind,
    IllegalVoteTransition,
    Method,
    Participation,
    Secrecy,
    VoteElector,
    VoteStatus,
)
from tests import votes_factories as vf
from tests.votes_data import oracle


@pytest.fixture(autouse=True)
def _request(app, db):
    """Refusal messages are translated, which needs a request (for the reader's language)."""
    with app.test_request_context("/"):
        yield


def _count(model, vote):
    return db.session.scalar(select(func.count(model.id)).where(model.vote_id == vote.id))


def _chain_state(vote):
    return (
        _count(Ballot, vote),
        _count(Participation, vote),
        [b.hash for b in queries.ballots(vote)],
    )


def test_opening_freezes_manifest_and_electorate(db):
    w = vf.world(n_deputies=5)
    v = vf.vote(w)
    assert v.status == VoteStatus.OPEN
    assert v.manifest["electorate"] == {"kind": "deputies", "size": 5}
    assert v.manifest["options"][0] == {
        "id": str(w.projects[0].id),
        "title": w.projects[0].title,
        "cost": w.projects[0].estimated_cost,
    }
    assert v.manifest["params"] == {"max_choices": 2, "seats": 2, "threshold": 2, "quorum": 2}
    assert v.manifest_hash == ballot_log.manifest_hash(v.manifest)
    assert v.manifest["opens_at"].endswith("Z") and v.manifest["closes_at"].endswith("Z")
    # A deputy appointed after opening is not in the frozen electorate.
    late = vf.make.user("deputy", w.community, station=w.station)
    with pytest.raises(ops.NotEligible):
        ops.cast_ballot(v, late, {"approve": []})


def test_state_machine_refuses_illegal_moves(db):
    w = vf.world()
    v = vf.vote(w, open_it=False)
    assert v.can_edit() and v.can_open() and not v.can_close() and not v.can_publish()
    with pytest.raises(IllegalVoteTransition):
        v.close(utcnow())
    with pytest.raises(ops.VoteError):
        ops.close_vote(v, w.secretary)
    with pytest.raises(ops.VoteError):
        ops.publish_vote(v, w.secretary)
    ops.open_vote(v, w.secretary)
    assert not v.can_edit() and v.can_close()
    with pytest.raises(ops.VoteError) as refused:
        ops.update_vote(v, title="changed", actor=w.secretary)
    assert refused.value.code == "frozen"
    with pytest.raises(ops.VoteError):
        ops.open_vote(v, w.secretary)
    with pytest.raises(ops.VoteError):
        ops.cancel_vote(v, "   ", w.secretary)
    ops.cancel_vote(v, "会议延期", w.secretary)
    assert v.status == VoteStatus.CANCELLED and v.cancel_reason == "会议延期"
    with pytest.raises(IllegalVoteTransition):
        v.publish(w.secretary, utcnow())


def test_ballots_chain_from_the_manifest_hash(db):
    w = vf.world(n_deputies=3)
    v = vf.vote(w)
    p = vf.ids(w.projects)
    b0 = ops.cast_ballot(v, w.deputies[0], {"approve": [p[1], p[0]]})
    b1 = ops.cast_ballot(v, w.deputies[1], {"approve": [p[0]]})
    assert (b0.seq, b1.seq) == (0, 1)
    assert b0.prev == v.manifest_hash and b1.prev == b0.hash
    assert b0.choices == {"approve": sorted([p[0], p[1]])}
    assert b0.voter == w.deputies[0].display_name
    assert b0.hash == ballot_log.record_hash(b0.record())
    assert (
        db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "vote.cast"))
        == 2
    )


@pytest.mark.parametrize(
    "case",
    [
        "non_member",
        "second",
        "draft",
        "closed",
        "too_many",
        "unknown",
        "missing_item",
        "bad_answer",
    ],
)
def test_refused_ballots_record_nothing_and_do_not_advance_the_chain(db, case):
    w = vf.world(n_deputies=3)
    method = (
        Method.ITEM_BY_ITEM
        if case == "missing_item"
        else (Method.RATIFICATION if case == "bad_answer" else Method.APPROVAL)
    )
    v = vf.vote(
        w,
        method=method,
        open_it=case != "draft",
        params={"max_choices": 2, "seats": 2} if method == Method.APPROVAL else {},
    )
    p = vf.ids(w.projects)
    if case not in ("draft",):
        good = (
            {"approve": [p[0]]}
            if method == Method.APPROVAL
            else ({o: "yes" for o in p} if method == Method.ITEM_BY_ITEM else {"answer": "yes"})
        )
        ops.cast_ballot(v, w.deputies[0], good)
    before = _chain_state(v)
    voter, choices, error = w.deputies[1], {"approve": [p[0]]}, ops.VoteError
    if case == "non_member":
        voter, error = vf.make.user("resident", w.community), ops.NotEligible
    elif case == "second":
        voter, error = w.deputies[0], ops.AlreadyVoted
    elif case == "draft":
        error = ops.VoteNotOpen
    elif case == "closed":
        ops.close_vote(v, w.secretary)
        before = _chain_state(v)
        error = ops.VoteNotOpen
    elif case == "too_many":
        choices, error = {"approve": p[:3]}, ops.InvalidChoices
    elif case == "unknown":
        choices, error = {"approve": ["99999"]}, ops.InvalidChoices
    elif case == "missing_item":
        choices, error = {p[0]: "yes"}, ops.InvalidChoices
    elif case == "bad_answer":
        choices, error = {"answer": "maybe"}, ops.InvalidChoices
    with pytest.raises(error) as refused:
        ops.cast_ballot(v, voter, choices)
    assert str(refused.value.message)
    assert _chain_state(v) == before


def test_unique_participation_is_a_database_constraint(db):
    w = vf.world(n_deputies=2)
    v = vf.vote(w)
    ops.cast_ballot(v, w.deputies[0], {"approve": []})
    db.session.add(
        Participation(vote_id=v.id, voter_key=w.deputies[0].id, user_id=w.deputies[0].id, name="x")
    )
    with pytest.raises(Exception, match="(?i)unique"):
        db.session.flush()
    db.session.rollback()


def test_one_ballot_per_household(db):
    w = vf.world(n_deputies=0, n_residents=4, households=2)
    v = vf.vote(
        w, electorate=ElectorateKind.HOUSEHOLDS, secrecy=Secrecy.SECRET, method=Method.EQUAL_SHARES
    )
    assert v.electorate_size == 2
    a, b = w.residents[0], w.residents[2]  # same household (0 and 2 share household 0)
    assert a.household.id == b.household.id
    ballot = ops.cast_ballot(v, a, {"approve": vf.ids(w.projects[:1])})
    assert ballot.voter is None
    with pytest.raises(ops.AlreadyVoted) as refused:
        ops.cast_ballot(v, b, {"approve": []})
    assert "household" in str(refused.value.message).lower() or "户" in str(refused.value.message)
    ops.cast_ballot(v, w.residents[1], {"approve": []})
    assert _count(Ballot, v) == 2


def test_checkpoints_every_50_ballots_and_at_close(db):
    w = vf.world(n_deputies=0, n_residents=60)
    v = vf.vote(
        w, electorate=ElectorateKind.RESIDENTS, secrecy=Secrecy.SECRET, method=Method.EQUAL_SHARES
    )
    for i, resident in enumerate(w.residents[:55]):
        ops.cast_ballot(v, resident, {"approve": vf.ids(w.projects[: 1 + i % 3])})
    sizes = [c.size for c in queries.checkpoints(v)]
    assert sizes == [50]
    # Ten minutes later the tick takes one of what arrived since.
    ops.tick(now=utcnow() + timedelta(minutes=11))
    assert [c.size for c in queries.checkpoints(v)] == [50, 55]
    ops.close_vote(v, w.secretary)
    checkpoints = queries.checkpoints(v)
    assert [c.size for c in checkpoints] == [
        50,
        55,
    ]  # the close adds none when the last one covers the log
    hashes = [b.hash for b in queries.ballots(v)]
    for c in checkpoints:
        assert c.root == ballot_log.merkle_root(hashes[: c.size])
    assert v.final_root == ballot_log.merkle_root(hashes)


def test_close_publish_and_export_verifies(db):
    w = vf.world(n_deputies=5)
    v = vf.vote(w)
    p = vf.ids(w.projects)
    for deputy, choice in zip(
        w.deputies, [[p[0], p[1]], [p[0], p[2]], [p[0], p[1]], [p[1]], [p[0]]], strict=True
    ):
        ops.cast_ballot(v, deputy, {"approve": choice})
    ops.close_vote(v, w.secretary)
    assert v.status == VoteStatus.CLOSED
    assert v.result["winners"] == [p[0], p[1]]
    ops.publish_vote(v, w.secretary)
    assert v.status == VoteStatus.PUBLISHED and v.certified_by_id == w.secretary.id
    assert (
        w.projects[0].status == ProjectStatus.PLANNED
        and w.projects[2].status == ProjectStatus.CANDIDATE
    )
    doc = queries.export_document(v)
    assert oracle.check_export(doc) == []
    assert doc["participation"] == sorted(d.display_name for d in w.deputies)


def test_quorum_not_met_selects_nothing(db):
    w = vf.world(n_deputies=5)
    v = vf.vote(w)
    ops.cast_ballot(v, w.deputies[0], {"approve": vf.ids(w.projects[:1])})
    ops.close_vote(v, w.secretary)
    assert v.result["quorum_met"] is False and v.result["winners"] == []


def test_tick_opens_and_closes_what_is_due(db):
    w = vf.world(n_deputies=2)
    v = vf.vote(w, open_it=False)
    v.auto_open = True
    v.opens_at = utcnow() - timedelta(minutes=1)
    ops.tick()
    assert v.status == VoteStatus.OPEN
    ops.cast_ballot(v, w.deputies[0], {"approve": []})
    ops.tick(now=v.closes_at + timedelta(seconds=1))
    assert v.status == VoteStatus.CLOSED and v.result["ballots"] == 1


def test_paper_ballot_records_who_entered_it(db):
    w = vf.world(n_deputies=2)
    v = vf.vote(w)
    ballot = ops.cast_ballot(v, w.deputies[0], {"approve": []}, entered_by=w.secretary)
    assert ballot.entered_by_id == w.secretary.id
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "vote.paper_ballot"))
    assert entry.actor_id == w.secretary.id and str(w.deputies[0].id) in entry.detail


def test_ballots_cannot_be_updated_or_deleted_through_the_orm(db):
    w = vf.world(n_deputies=1)
    v = vf.vote(w)
    ballot = ops.cast_ballot(v, w.deputies[0], {"approve": []})
    ballot.nonce = "0" * 32
    with pytest.raises(RuntimeError, match="insert-only"):
        db.session.flush()
    db.session.rollback()


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the insert-only trigger exists on PostgreSQL only",
)
def test_postgres_trigger_refuses_update_and_delete_of_ballots(db):
    w = vf.world(n_deputies=1)
    v = vf.vote(w)
    ops.cast_ballot(v, w.deputies[0], {"approve": []})
    db.session.commit()
    for sql in ("UPDATE ballots SET nonce = 'x'", "DELETE FROM ballots"):
        with pytest.raises(Exception, match="insert-only"):
            db.session.execute(text(sql))
        db.session.rollback()
    assert db.session.scalar(select(func.count(Ballot.id))) == 1


def test_project_lifecycle_and_progress(db):
    w = vf.world(n_projects=1)
    project = w.projects[0]
    with pytest.raises(Conflict):
        pops.add_project_update(
            project, on=utcnow().date(), percent=10, note="x", actor=w.secretary
        )
    with pytest.raises(Conflict):
        pops.advance_project(project, ProjectStatus.COMPLETED, w.secretary)
    pops.advance_project(project, ProjectStatus.PLANNED, w.secretary)
    pops.advance_project(project, ProjectStatus.IN_PROGRESS, w.secretary)
    pops.add_project_update(project, on=utcnow().date(), percent=40, note="开工", actor=w.secretary)
    assert project.progress == 40
    pops.advance_project(project, ProjectStatus.COMPLETED, w.secretary)
    assert project.progress == 100


def _ratify(w, pact):
    """What the pacts domain does to send a pact to ratification: a votes draft from plain data,
    then its own move to ratification."""
    from app.pacts.operations import begin_ratification

    now = utcnow()
    version = pact.latest_version
    vote = ops.create_ratification(
        w.community,
        w.secretary,
        title=f"{pact.title} · v{version.number}",
        pact_version_id=version.id,
        opens_at=now,
        closes_at=now + timedelta(days=1),
    )
    begin_ratification(pact, w.secretary)
    return vote


def test_ratification_adopts_the_pact_when_published(db, app):
    from app.pacts.models import PactStatus
    from tests import pacts_factories as pf

    w = vf.world(n_deputies=0, n_residents=3)
    pact = pf.pact(w.community, w.secretary, PactStatus.REVISION)
    v = _ratify(w, pact)
    assert pact.status == PactStatus.RATIFICATION and v.pact_version_id == pact.latest_version.id
    ops.open_vote(v, w.secretary)
    assert v.manifest["options"] == [] and v.manifest["params"] == {"quorum": 1}
    for resident, answer in zip(w.residents, ["yes", "yes", "no"], strict=True):
        ops.cast_ballot(v, resident, {"answer": answer})
    ops.close_vote(v, w.secretary)
    ops.publish_vote(v, w.secretary)
    assert v.result["adopted"] is True
    assert pact.status == PactStatus.ADOPTED
    assert oracle.check_export(queries.export_document(v)) == []


def test_rejected_or_cancelled_ratification_returns_the_pact_to_revision(db):
    from app.pacts.models import PactStatus
    from tests import pacts_factories as pf

    w = vf.world(n_deputies=0, n_residents=3)
    pact = pf.pact(w.community, w.secretary, PactStatus.REVISION)
    v = _ratify(w, pact)
    ops.open_vote(v, w.secretary)
    for resident, answer in zip(w.residents, ["no", "yes", "abstain"], strict=True):
        ops.cast_ballot(v, resident, {"answer": answer})
    ops.close_vote(v, w.secretary)
    ops.publish_vote(v, w.secretary)
    assert v.result["adopted"] is False and pact.status == PactStatus.REVISION
    again = _ratify(w, pact)
    assert pact.status == PactStatus.RATIFICATION
    ops.cancel_vote(again, "会议改期", w.secretary)
    assert pact.status == PactStatus.REVISION


def test_secret_ballots_are_not_tied_to_voters_in_the_audit_log(db):
    w = vf.world(n_deputies=0, n_residents=2)
    v = vf.vote(
        w, electorate=ElectorateKind.RESIDENTS, secrecy=Secrecy.SECRET, method=Method.EQUAL_SHARES
    )
    ops.cast_ballot(v, w.residents[0], {"approve": []})
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "vote.cast"))
    assert "#" not in entry.detail
    # Nor by name: the entry's time beside the voter would match the record's cast_at.
    assert entry.actor_id is None and entry.ip == ""


def test_open_ballots_name_the_voter_in_the_audit_log(db):
    w = vf.world(n_deputies=1)
    v = vf.vote(w)
    ops.cast_ballot(v, w.deputies[0], {"approve": vf.ids(w.projects[:1])})
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "vote.cast"))
    assert entry.actor_id == w.deputies[0].id and "#0" in entry.detail


def test_personal_data_export_lists_participation_not_choices(db):
    from app.accounts.operations import export_personal_data

    w = vf.world(n_deputies=1)
    v = vf.vote(w)
    ops.cast_ballot(v, w.deputies[0], {"approve": vf.ids(w.projects[:1])})
    data = export_personal_data(w.deputies[0])
    assert data["votes"] == [
        {
            "vote": v.id,
            "title": v.title,
            "took_part_at": data["votes"][0]["took_part_at"],
            "published_name": w.deputies[0].display_name,
            "secrecy": "open",
        }
    ]


def test_equal_shares_vote_with_a_free_project_refuses_to_open_by_hand_and_by_tick(db):
    # A project without a cost makes the equal-shares export unverifiable: refuse before anything is frozen.
    w = vf.world(n_deputies=2, n_residents=3)
    free = pops.create_project(w.community, title="义务植树", estimated_cost=0, actor=w.secretary)
    v = vf.vote(
        w,
        method=Method.EQUAL_SHARES,
        electorate=ElectorateKind.RESIDENTS,
        secrecy=Secrecy.SECRET,
        projects=[w.projects[0], free],
        open_it=False,
    )
    with pytest.raises(ops.VoteError) as refused:
        ops.open_vote(v, w.secretary)
    assert refused.value.code == "no_cost" and "义务植树" in str(refused.value.message)
    v.auto_open = True
    v.opens_at = utcnow() - timedelta(minutes=1)
    assert ops.tick()["opened"] == []
    assert v.status == VoteStatus.DRAFT and v.manifest is None
    assert _count(VoteElector, v) == 0  # a refused opening leaves no frozen electorate behind
    ops.update_vote(v, projects=[w.projects[0]], actor=w.secretary)
    ops.open_vote(v, w.secretary)
    assert v.status == VoteStatus.OPEN and _count(VoteElector, v) == 3


def test_a_project_that_won_elsewhere_cannot_open_on_another_draft(db):
    # A candidate may sit on several drafts; once one vote makes it planned, the others must not re-vote it.
    w = vf.world(n_deputies=1)
    first = vf.vote(
        w, projects=w.projects[:2], params={"max_choices": 1, "seats": 1, "threshold": 0}
    )
    second = vf.vote(w, projects=w.projects[:3], open_it=False)
    ops.cast_ballot(first, w.deputies[0], {"approve": vf.ids(w.projects[:1])})
    ops.close_vote(first, w.secretary)
    ops.publish_vote(first, w.secretary)
    assert w.projects[0].status == ProjectStatus.PLANNED
    with pytest.raises(ops.VoteError) as refused:
        ops.open_vote(second, w.secretary)
    assert refused.value.code == "not_candidates" and w.projects[0].title in str(
        refused.value.message
    )
    assert second.status == VoteStatus.DRAFT and _count(VoteElector, second) == 0


def test_equal_shares_without_a_budget_is_refused_not_a_crash(db):
    w = vf.world(n_residents=2)
    v = vf.vote(
        w, method=Method.EQUAL_SHARES, electorate=ElectorateKind.RESIDENTS, params={}, open_it=False
    )
    with pytest.raises(ops.VoteError) as refused:
        ops.open_vote(v, w.secretary)
    assert refused.value.code == "no_budget"


def test_publishing_a_household_vote_tells_every_member_of_the_electorate(db):
    from app.core.notifications import Notification

    w = vf.world(n_deputies=0, n_residents=4, households=2)
    v = vf.vote(
        w, method=Method.RATIFICATION, electorate=ElectorateKind.HOUSEHOLDS, secrecy=Secrecy.SECRET
    )
    ops.cast_ballot(v, w.residents[0], {"answer": "yes"})
    ops.close_vote(v, w.secretary)
    ops.publish_vote(v, w.secretary)
    told = set(
        db.session.scalars(
            select(Notification.user_id).where(Notification.link == f"/votes/{v.id}")
        )
    )
    assert told == {r.id for r in w.residents}


def test_opening_tells_the_electorate_where_to_vote(db):
    from app.core.notifications import Notification

    w = vf.world(n_deputies=3)
    v = vf.vote(w)
    told = set(
        db.session.scalars(
            select(Notification.user_id).where(Notification.link == f"/votes/{v.id}/ballot")
        )
    )
    assert told == {d.id for d in w.deputies}
