"""Vote and project pages: who may do what, and how bad input is refused with nothing recorded."""

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.core.time import to_local, utcnow
from app.extensions import db
from app.projects import operations as pops
from app.votes import operations as ops
from app.votes import queries
from app.votes.models import (
    Ballot,
    ElectorateKind,
    Method,
    Participation,
    Secrecy,
    Vote,
    VoteStatus,
)
from tests import votes_factories as vf
from tests.votes_data import oracle


@pytest.fixture
def en(client):
    client.set_cookie("lang", "en")
    return client


def _ballots(vote) -> int:
    return db.session.scalar(select(func.count(Ballot.id)).where(Ballot.vote_id == vote.id))


def _participations(vote) -> int:
    return db.session.scalar(
        select(func.count(Participation.id)).where(Participation.vote_id == vote.id)
    )


def _local(dt) -> str:
    return to_local(dt).strftime("%Y-%m-%dT%H:%M")


def _vote_form(w, **over):
    start = utcnow() + timedelta(hours=1)
    data = {
        "title": "2027年民生实事项目代表票决",
        "description": "",
        "electorate_kind": "deputies",
        "station_id": str(w.station.id),
        "method": "approval",
        "secrecy": "open",
        "max_choices": "2",
        "seats": "2",
        "budget": "",
        "threshold": "",
        "quorum": "",
        "projects": [str(p.id) for p in w.projects],
        "opens_at": _local(start),
        "closes_at": _local(start + timedelta(days=2)),
    }
    data.update(over)
    return data


# --------------------------------------------------------------------------- defining votes


def test_community_page_lists_votes_and_hides_drafts_from_the_public(client, login):
    w = vf.world()
    draft = vf.vote(w, open_it=False, title="草稿票决")
    opened = vf.vote(w, title="正在进行的票决")
    db.session.commit()
    page = client.get(f"/votes/community/{w.community.id}").get_data(as_text=True)
    assert opened.title in page and draft.title not in page
    assert client.get(f"/votes/{draft.id}").status_code == 404
    login(w.secretary)
    page = client.get(f"/votes/community/{w.community.id}").get_data(as_text=True)
    assert draft.title in page


@pytest.mark.parametrize(
    "who, status",
    [("anonymous", 302), ("resident", 403), ("deputy", 403), ("other_secretary", 403)],
)
def test_only_the_communitys_secretary_defines_votes(client, login, who, status):
    w = vf.world(n_residents=1)
    users = {
        "resident": w.residents[0],
        "deputy": w.deputies[0],
        "other_secretary": vf.make.user("secretary", vf.make.community()),
    }
    if who != "anonymous":
        login(users[who])
    assert client.get(f"/votes/community/{w.community.id}/new").status_code == status
    assert (
        client.post(f"/votes/community/{w.community.id}/new", data=_vote_form(w)).status_code
        == status
    )
    assert db.session.scalar(select(func.count(Vote.id))) == 0


def test_secretary_creates_a_draft_vote(client, login):
    w = vf.world()
    login(w.secretary)
    response = client.post(f"/votes/community/{w.community.id}/new", data=_vote_form(w))
    assert response.status_code == 303
    vote = db.session.scalar(select(Vote))
    assert vote.status == VoteStatus.DRAFT and vote.method == Method.APPROVAL
    assert [o.project_id for o in vote.options] == [p.id for p in w.projects]
    assert vote.params == {"max_choices": 2, "seats": 2}


@pytest.mark.parametrize(
    "over, message",
    [
        ({"title": ""}, "This field is required"),
        ({"projects": []}, "Choose at least one project"),
        ({"max_choices": "9"}, "A voter cannot approve more projects"),
        ({"method": "equal_shares", "budget": ""}, "needs a budget"),
        (
            {"opens_at": "2030-01-02T10:00", "closes_at": "2030-01-01T10:00"},
            "must close after it opens",
        ),
    ],
)
def test_bad_vote_definitions_are_refused_and_nothing_saved(en, login, over, message):
    w = vf.world()
    login(w.secretary)
    response = en.post(f"/votes/community/{w.community.id}/new", data=_vote_form(w, **over))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Vote.id))) == 0


def test_editing_a_vote_after_it_opened_is_refused(en, login):
    w = vf.world()
    vote = vf.vote(w)
    login(w.secretary)
    response = en.post(f"/votes/{vote.id}/edit", data=_vote_form(w, title="改过的标题"))
    assert response.status_code == 409
    assert "frozen" in response.get_data(as_text=True)
    db.session.refresh(vote)
    assert vote.title != "改过的标题"
    assert en.get(f"/votes/{vote.id}/edit").status_code == 409


def test_editing_a_draft_works(client, login):
    w = vf.world()
    vote = vf.vote(w, open_it=False)
    login(w.secretary)
    assert client.get(f"/votes/{vote.id}/edit").status_code == 200
    response = client.post(
        f"/votes/{vote.id}/edit",
        data=_vote_form(
            w, title="改过的标题", projects=[str(w.projects[0].id), str(w.projects[1].id)]
        ),
    )
    assert response.status_code == 303
    db.session.refresh(vote)
    assert vote.title == "改过的标题" and len(vote.options) == 2


def test_lifecycle_buttons_need_the_secretary(client, login):
    w = vf.world(n_residents=1)
    vote = vf.vote(w, open_it=False)
    login(w.residents[0])
    for action in ("open", "close", "publish"):
        assert (
            client.post(f"/votes/{vote.id}/{action}").status_code == 404
        )  # a draft is invisible to them
    login(w.deputies[0])
    assert client.post(f"/votes/{vote.id}/open").status_code == 404
    login(w.secretary)
    assert client.post(f"/votes/{vote.id}/open").status_code == 303
    db.session.refresh(vote)
    assert vote.status == VoteStatus.OPEN
    login(w.deputies[0])
    assert client.post(f"/votes/{vote.id}/close").status_code == 403
    login(w.secretary)
    assert client.post(f"/votes/{vote.id}/publish").status_code == 409  # not closed yet
    assert client.post(f"/votes/{vote.id}/close").status_code == 303
    assert client.post(f"/votes/{vote.id}/publish").status_code == 303
    db.session.refresh(vote)
    assert vote.status == VoteStatus.PUBLISHED


def test_cancel_needs_a_reason(en, login):
    w = vf.world()
    vote = vf.vote(w)
    login(w.secretary)
    assert en.post(f"/votes/{vote.id}/cancel", data={"reason": ""}).status_code == 400
    db.session.refresh(vote)
    assert vote.status == VoteStatus.OPEN
    assert en.post(f"/votes/{vote.id}/cancel", data={"reason": "场地临时调整"}).status_code == 303
    db.session.refresh(vote)
    assert vote.status == VoteStatus.CANCELLED
    assert "场地临时调整" in en.get(f"/votes/{vote.id}").get_data(as_text=True)


# --------------------------------------------------------------------------- ballots


def test_ballot_review_then_cast_then_receipt(en, login):
    w = vf.world(n_deputies=3)
    vote = vf.vote(w)
    p = vf.ids(w.projects)
    login(w.deputies[0])
    page = en.get(f"/votes/{vote.id}/ballot")
    assert page.status_code == 200 and 'name="approve"' in page.get_data(as_text=True)
    review = en.post(f"/votes/{vote.id}/ballot", data={"step": "review", "approve": [p[1], p[0]]})
    body = review.get_data(as_text=True)
    assert review.status_code == 200 and "Check your ballot" in body
    assert f'name="approve" value="{p[0]}"' in body and 'name="step" value="cast"' in body
    assert _ballots(vote) == 0
    cast = en.post(f"/votes/{vote.id}/ballot", data={"step": "cast", "approve": [p[0], p[1]]})
    assert cast.status_code == 303
    ballot = db.session.scalar(select(Ballot).where(Ballot.vote_id == vote.id))
    assert ballot.choices == {"approve": sorted([p[0], p[1]])}
    receipt = en.get(cast.headers["Location"]).get_data(as_text=True)
    assert ballot.hash in receipt and f"/votes/receipt?hash={ballot.hash}" in receipt
    # The check finds it; the proof shows once a checkpoint covers it.
    check = en.get(f"/votes/receipt?hash={ballot.hash}")
    assert check.status_code == 200 and "Ballot number 1 of" in check.get_data(
        as_text=True
    )  # counted from 1


def _cast(client, vote, data):
    return client.post(f"/votes/{vote.id}/ballot", data={"step": "cast", **data})


@pytest.mark.parametrize(
    "case, status, message",
    [
        ("non_member", 403, "electorate, so you cannot vote"),
        ("second", 409, "already voted"),
        ("closed", 409, "not open"),
        ("too_many", 400, "more projects than allowed"),
        ("unknown", 400, "not on this vote"),
        ("missing_item", 400, "every project"),
        ("no_csrf", 400, "did not come from this site"),
    ],
)
def test_refused_ballots_say_why_and_record_nothing(en, login, case, status, message):
    w = vf.world(n_deputies=3, n_residents=1)
    method = Method.ITEM_BY_ITEM if case == "missing_item" else Method.APPROVAL
    vote = vf.vote(
        w, method=method, params={"max_choices": 2, "seats": 2} if method == Method.APPROVAL else {}
    )
    p = vf.ids(w.projects)
    first = {"approve": [p[0]]} if method == Method.APPROVAL else {f"item-{o}": "yes" for o in p}
    ops.cast_ballot(
        vote,
        w.deputies[0],
        {"approve": [p[0]]} if method == Method.APPROVAL else {o: "yes" for o in p},
    )
    db.session.commit()
    chain_before = [b.hash for b in queries.ballots(vote)]
    voter, data, kwargs = w.deputies[1], {"approve": [p[0]]}, {}
    if case == "non_member":
        voter = w.residents[0]
    elif case == "second":
        voter, data = w.deputies[0], first
    elif case == "closed":
        ops.close_vote(vote, w.secretary)
        db.session.commit()
        chain_before = [b.hash for b in queries.ballots(vote)]
    elif case == "too_many":
        data = {"approve": p[:3]}
    elif case == "unknown":
        data = {"approve": ["424242"]}
    elif case == "missing_item":
        data = {f"item-{p[0]}": "yes"}
    elif case == "no_csrf":
        kwargs = {"csrf": False}
    login(voter)
    for step in ("review", "cast"):
        response = en.post(f"/votes/{vote.id}/ballot", data={"step": step, **data}, **kwargs)
        assert response.status_code == status, (step, response.get_data(as_text=True)[:500])
        assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert [b.hash for b in queries.ballots(vote)] == chain_before
    assert _participations(vote) == len(chain_before)


def test_ballot_for_a_draft_or_a_forged_vote_id_is_refused(en, login):
    w = vf.world(n_deputies=2)
    draft = vf.vote(w, open_it=False)
    login(w.deputies[0])
    assert _cast(en, draft, {"approve": []}).status_code == 404
    assert en.post("/votes/999999/ballot", data={"step": "cast", "approve": []}).status_code == 404
    assert db.session.scalar(select(func.count(Ballot.id))) == 0
    # Opening it later still starts the chain at the manifest.
    ops.open_vote(draft, w.secretary)
    db.session.commit()
    assert _cast(en, draft, {"approve": []}).status_code == 303
    assert db.session.scalar(select(Ballot.prev)) == draft.manifest_hash


def test_ballot_page_needs_login(client):
    w = vf.world(n_deputies=1)
    vote = vf.vote(w)
    db.session.commit()
    assert client.get(f"/votes/{vote.id}/ballot").status_code == 302


def test_item_by_item_and_ratification_ballots(en, login):
    w = vf.world(n_deputies=2, n_projects=2)
    vote = vf.vote(w, method=Method.ITEM_BY_ITEM)
    p = vf.ids(w.projects)
    login(w.deputies[0])
    assert 'type="radio" name="item-' in en.get(f"/votes/{vote.id}/ballot").get_data(as_text=True)
    assert _cast(en, vote, {f"item-{p[0]}": "yes", f"item-{p[1]}": "abstain"}).status_code == 303
    assert db.session.scalar(select(Ballot.choices)) == {p[0]: "yes", p[1]: "abstain"}


def test_while_open_results_are_sealed_and_turnout_polls(en, login):
    w = vf.world(n_deputies=3)
    vote = vf.vote(w)
    ops.cast_ballot(vote, w.deputies[0], {"approve": vf.ids(w.projects[:1])})
    db.session.commit()
    page = en.get(f"/votes/{vote.id}").get_data(as_text=True)
    assert "1</strong> / 3" in page
    assert 'hx-trigger="every 10s"' in page and f'hx-get="/votes/{vote.id}/turnout"' in page
    assert "Final root" not in page and "result-chart" not in page
    fragment = en.get(f"/votes/{vote.id}/turnout", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert "<html" not in fragment and "1</strong> / 3" in fragment
    assert en.get(f"/votes/{vote.id}/ballot-log.json").status_code == 404


def test_published_result_page_and_export(en, login):
    w = vf.world(n_deputies=3)
    vote = vf.vote(w)
    p = vf.ids(w.projects)
    for deputy in w.deputies:
        ops.cast_ballot(vote, deputy, {"approve": [p[0]]})
    ops.close_vote(vote, w.secretary)
    db.session.commit()
    # Closed but not certified: the public still sees nothing of the count.
    assert "Final root" not in en.get(f"/votes/{vote.id}").get_data(as_text=True)
    login(w.secretary)
    assert "not yet certified" in en.get(f"/votes/{vote.id}").get_data(as_text=True)
    ops.publish_vote(vote, w.secretary)
    db.session.commit()
    page = en.get(f"/votes/{vote.id}").get_data(as_text=True).replace("<wbr>", "")
    assert vote.final_root in page and w.projects[0].title in page
    assert "Roll call" in page and w.deputies[1].display_name in page
    assert "<meter" in page and 'style="' not in page
    export = en.get(f"/votes/{vote.id}/ballot-log.json")
    assert export.status_code == 200
    assert oracle.check_export(json.loads(export.get_data(as_text=True))) == []
    receipt = queries.ballots(vote)[1].hash
    check = en.get(f"/votes/receipt?hash={receipt}").get_data(as_text=True).replace("<wbr>", "")
    assert "Verified" in check and vote.final_root in check
    # The short code the receipt page tells voters to write down finds the same ballot.
    code = f"{receipt[:4]}-{receipt[4:8]}".upper()
    by_code = en.get(f"/votes/receipt?hash={code}").get_data(as_text=True).replace("<wbr>", "")
    assert (
        "Verified" in by_code
        and "Ballot number 2 of the vote" in by_code  # the second ballot, counted from 1
        and vote.final_root in by_code
    )
    assert f"You approve: {w.projects[0].title}" in by_code  # the published ballot in plain words


def test_secret_vote_publishes_who_not_how(en):
    w = vf.world(n_deputies=0, n_residents=3)
    vote = vf.vote(
        w, electorate=ElectorateKind.RESIDENTS, secrecy=Secrecy.SECRET, method=Method.EQUAL_SHARES
    )
    for r in w.residents:
        ops.cast_ballot(vote, r, {"approve": vf.ids(w.projects[:2])})
    ops.close_vote(vote, w.secretary)
    ops.publish_vote(vote, w.secretary)
    db.session.commit()
    page = en.get(f"/votes/{vote.id}").get_data(as_text=True)
    assert "Roll call" not in page and "居** ·" in page and "居民0" not in page
    assert "most approvals first" in page
    doc = json.loads(en.get(f"/votes/{vote.id}/ballot-log.json").get_data(as_text=True))
    assert all(b["voter"] is None for b in doc["ballots"])


def test_receipt_check_of_an_unknown_hash(en):
    response = en.get("/votes/receipt?hash=" + "ab" * 32)
    assert response.status_code == 404 and "No ballot has this receipt" in response.get_data(
        as_text=True
    )
    assert en.get("/votes/receipt?hash=nonsense").status_code == 404
    assert en.get("/votes/receipt?hash=ABCD-1234").status_code == 404
    assert en.get("/votes/receipt").status_code == 200


def test_home_shows_open_votes_to_voters_and_work_to_the_secretary(en, login):
    w = vf.world(n_deputies=2)
    vote = vf.vote(w, title="待投票的票决")
    login(w.deputies[0])
    assert vote.title in en.get("/").get_data(as_text=True)
    ops.cast_ballot(vote, w.deputies[0], {"approve": []})
    db.session.commit()
    assert vote.title not in en.get("/").get_data(as_text=True)
    ops.close_vote(vote, w.secretary)
    login(w.secretary)
    assert "to certify" in en.get("/").get_data(as_text=True)


# --------------------------------------------------------------------------- CLI


def test_cli_tick_and_export(app, tmp_path):
    w = vf.world(n_deputies=2)
    vote = vf.vote(w)
    ops.cast_ballot(vote, w.deputies[0], {"approve": []})
    vote.opens_at, vote.closes_at = utcnow() - timedelta(hours=1), utcnow() - timedelta(seconds=1)
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["votes", "tick"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(Vote, vote.id).status == VoteStatus.CLOSED
    ops.publish_vote(db.session.get(Vote, vote.id), w.secretary)
    db.session.commit()
    result = runner.invoke(args=["votes", "export", "--all", str(tmp_path)])
    assert result.exit_code == 0, result.output
    files = list(tmp_path.glob("*.json"))
    assert len(files) == 1
    assert oracle.check_export(json.loads(files[0].read_text())) == []
    assert re.search(r"1 ballot logs? written", result.output)


def test_equal_shares_refuses_projects_without_a_cost(en, login):
    w = vf.world(n_projects=2)
    free = pops.create_project(w.community, title="义务植树", estimated_cost=0, actor=w.secretary)
    login(w.secretary)
    data = _vote_form(
        w,
        method="equal_shares",
        budget="300000",
        electorate_kind="residents",
        projects=[str(w.projects[0].id), str(free.id)],
    )
    response = en.post(f"/votes/community/{w.community.id}/new", data=data)
    assert response.status_code == 400 and "义务植树" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Vote.id))) == 0


def _queries_for(client, url) -> int:
    from sqlalchemy import event

    count = [0]

    def _count(*_args):
        count[0] += 1

    event.listen(db.engine, "before_cursor_execute", _count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", _count)
    return count[0]


def test_result_page_queries_do_not_grow_with_the_ballots(en):
    counts = []
    for n in (3, 20):
        w = vf.world(n_deputies=0, n_residents=n)
        vote = vf.vote(
            w, electorate=ElectorateKind.RESIDENTS, secrecy=Secrecy.OPEN, method=Method.APPROVAL
        )
        for r in w.residents:
            ops.cast_ballot(vote, r, {"approve": vf.ids(w.projects[:2])})
        ops.close_vote(vote, w.secretary)
        ops.publish_vote(vote, w.secretary)
        db.session.commit()
        counts.append(_queries_for(en, f"/votes/{vote.id}"))
    assert counts[0] == counts[1], counts


def test_change_my_choices_keeps_them(en, login):
    w = vf.world(n_deputies=1)
    vote = vf.vote(w)
    p = vf.ids(w.projects)
    login(w.deputies[0])
    back = en.post(f"/votes/{vote.id}/ballot", data={"step": "edit", "approve": [p[1]]})
    body = back.get_data(as_text=True)
    assert (
        back.status_code == 200
        and f'value="{p[1]}" checked' in body
        and f'value="{p[0]}" checked' not in body
    )
    assert _ballots(vote) == 0


def test_secretary_corrects_a_free_project_then_the_equal_shares_vote_opens(en, login, make):
    # The way out of "every project needs a cost": correct the project, which every draft listing it picks up.
    w = vf.world(n_deputies=0, n_residents=2)
    free = pops.create_project(w.community, title="义务植树", estimated_cost=0, actor=w.secretary)
    draft = vf.vote(
        w,
        method=Method.EQUAL_SHARES,
        electorate=ElectorateKind.RESIDENTS,
        secrecy=Secrecy.SECRET,
        projects=[w.projects[0], free],
        open_it=False,
    )
    db.session.commit()
    login(w.secretary)
    refused = en.post(f"/votes/{draft.id}/open", data={})
    assert refused.status_code == 409 and "义务植树" in refused.get_data(as_text=True)
    assert "Edit the project" in en.get(f"/votes/projects/{free.id}").get_data(as_text=True)
    bad = en.post(
        f"/votes/projects/{free.id}/edit",
        data={
            "title": "义务植树",
            "estimated_cost": "-5",
            "description": "春季",
            "proponent": "绿化队",
        },
    )
    assert bad.status_code == 400 and "春季" in bad.get_data(as_text=True)
    ok = en.post(
        f"/votes/projects/{free.id}/edit",
        data={
            "title": "义务植树",
            "estimated_cost": "8000",
            "description": "春季",
            "proponent": "绿化队",
        },
    )
    assert ok.status_code == 303
    db.session.expire_all()
    assert free.estimated_cost == 8000
    assert en.post(f"/votes/{draft.id}/open", data={}).status_code == 303
    db.session.expire_all()
    assert draft.status == VoteStatus.OPEN
    assert {o["cost"] for o in draft.manifest["options"]} == {w.projects[0].estimated_cost, 8000}
    # Once voters see it, the project is frozen.
    frozen = en.post(
        f"/votes/projects/{free.id}/edit",
        data={"title": "x", "estimated_cost": "1", "description": "", "proponent": ""},
    )
    assert frozen.status_code == 409
    db.session.expire_all()
    assert free.title == "义务植树"


def test_a_published_vote_shows_the_ballot_it_froze_even_after_a_project_is_corrected(en, login):
    w = vf.world(n_deputies=1)
    vote = vf.vote(w, params={"max_choices": 1, "seats": 1, "threshold": 1})
    ops.cast_ballot(vote, w.deputies[0], {"approve": vf.ids(w.projects[:1])})
    ops.close_vote(vote, w.secretary)
    ops.publish_vote(
        vote, w.secretary
    )  # threshold 1 not exceeded: nothing selected, all stay candidates
    loser = w.projects[1]
    pops.update_project(
        loser, title="改过的名称", description="", estimated_cost=1, proponent="", actor=w.secretary
    )
    db.session.commit()
    page = en.get(f"/votes/{vote.id}").get_data(as_text=True)
    assert "改过的名称" not in page and f"{w.projects[1].id}" in page
    assert vote.manifest["options"][1]["title"] in page


def test_a_draft_states_the_default_threshold_and_quorum_it_will_open_with(en, login):
    w = vf.world(n_deputies=5)
    draft = vf.vote(w, open_it=False)  # no threshold or quorum given
    db.session.commit()
    login(w.secretary)
    page = en.get(f"/votes/{draft.id}").get_data(as_text=True)
    assert "default: more than half of the electorate frozen at opening" in page
    assert "default: more than half of the electorate frozen at opening must vote" in page
    ops.open_vote(draft, w.secretary)
    db.session.commit()
    assert draft.manifest["params"]["threshold"] == 2 and draft.manifest["params"]["quorum"] == 2
    opened = en.get(f"/votes/{draft.id}").get_data(as_text=True)
    assert "more than 2 votes" in opened and "more than 2 ballots" in opened
