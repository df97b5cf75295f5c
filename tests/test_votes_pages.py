"""The vote pages read what grows with the log once (issue 13): a counted vote's participation
list, roll call and counts are kept in the cache under its final root, never stale; what may still
change after the count (a secretary's name, the witnesses' cosignatures) is read on every view."""

import pytest
from sqlalchemy import event

from app.core import tlog
from app.extensions import db
from app.votes import counted, export, witnessing
from app.votes import operations as ops
from app.votes.models import Secrecy, Vote
from tests import votes_factories as vf
from tests.test_votes_log_reads import _published


@pytest.fixture
def en(client):
    client.set_cookie("lang", "en")
    return client


def _reads_of_the_log(client, url: str) -> tuple[str, list[str]]:
    """The page, and the statements it ran that read the ballots or the participations."""
    seen: list[str] = []

    def _count(conn, cursor, statement, *args):
        if "FROM ballots" in statement or "FROM participations" in statement:
            seen.append(statement)

    db.session.expunge_all()
    event.listen(db.engine, "before_cursor_execute", _count)
    try:
        response = client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", _count)
    assert response.status_code == 200, url
    return response.get_data(as_text=True), seen


def _without_token(page: str) -> str:
    return page.split("<main", 1)[1]


def test_a_published_votes_names_and_counts_are_read_once_then_from_the_cache(client, login):
    names = [f"居民{i:03d}" for i in range(205)]
    vote = _published(3, names=names)
    client.set_cookie("lang", "en")
    first, reads = _reads_of_the_log(client, f"/votes/{vote.id}")
    assert reads and "居民000" in first and "Page 1 of 2" in first
    again, reads = _reads_of_the_log(client, f"/votes/{vote.id}")
    assert reads == [] and _without_token(again) == _without_token(first)
    # the second page is read once too, and a page past the end is not read at all
    second, reads = _reads_of_the_log(client, f"/votes/{vote.id}?page=2")
    assert len(reads) == 1 and "居民204" in second and "居民199" not in second
    assert _reads_of_the_log(client, f"/votes/{vote.id}?page=2")[1] == []
    assert _reads_of_the_log(client, f"/votes/{vote.id}?page=99")[1] == []
    # a logged-in reader gets the same figures from the same cache
    login(vf.world(n_deputies=0, n_residents=1).residents[0])
    page, reads = _reads_of_the_log(client, f"/votes/{vote.id}")
    assert reads == [] and "居民000" in page and "Page 1 of 2" in page


def test_the_figures_on_the_result_page_are_the_exports(db):
    w = vf.world(n_deputies=3)
    v = vf.vote(w)
    ops.cast_ballot(v, w.deputies[0], {"approve": []}, entered_by=w.secretary)
    ops.cast_ballot(v, w.deputies[1], {"approve": vf.ids(w.projects[:1])})
    ops.close_vote(v, w.secretary)
    db.session.commit()
    v = db.session.get(Vote, v.id)
    assert counted.page_reconciliation(v) == export.reconciliation(v)
    assert counted.page_reconciliation(v) == export.reconciliation(v)  # from the cache now
    assert counted.page_reconciliation(v)["paper_entered_by"] == {"陈书记": 1}


def test_an_uncertified_count_seen_by_the_secretary_is_what_the_public_then_sees(app, login, en):
    w = vf.world(n_deputies=3)
    v = vf.vote(w)
    for d in w.deputies[:2]:
        ops.cast_ballot(v, d, {"approve": []})
    ops.close_vote(v, w.secretary)
    db.session.commit()
    login(w.secretary)
    closed = en.get(f"/votes/{v.id}").get_data(as_text=True)
    assert "not yet certified" in closed
    assert "Electorate 3 · took part 2 · ballots in the log 2 = 0 paper + 2 online" in closed
    ops.publish_vote(db.session.get(Vote, v.id), w.secretary)
    db.session.commit()
    anonymous = app.test_client()
    anonymous.set_cookie("lang", "en")
    public = anonymous.get(f"/votes/{v.id}").get_data(as_text=True)
    assert "not yet certified" not in public
    assert "Electorate 3 · took part 2 · ballots in the log 2 = 0 paper + 2 online" in public
    assert "代表0" in public.split('id="participants"')[1].split("</p>")[0]


@pytest.mark.parametrize("reader", ["anonymous", "resident"])
def test_a_secretary_renamed_after_the_count_is_named_anew_on_the_result_page(en, login, reader):
    w = vf.world(n_deputies=3)
    v = vf.vote(w)
    ops.cast_ballot(v, w.deputies[0], {"approve": []}, entered_by=w.secretary)
    ops.close_vote(v, w.secretary)
    ops.publish_vote(v, w.secretary)
    db.session.commit()
    if reader == "resident":
        login(w.deputies[1])
    assert "陈书记 (1)" in en.get(f"/votes/{v.id}").get_data(as_text=True)
    w.secretary.display_name = "林书记"
    db.session.commit()
    page = en.get(f"/votes/{v.id}").get_data(as_text=True)
    assert "林书记 (1)" in page and "陈书记" not in page


def test_an_open_roll_call_is_read_once_its_vote_is_counted(en):
    w = vf.world(n_deputies=3)
    v = vf.vote(w, secrecy=Secrecy.OPEN)
    ops.cast_ballot(v, w.deputies[0], {"approve": vf.ids(w.projects[:1])})
    ops.cast_ballot(v, w.deputies[1], {"approve": []})
    ops.close_vote(v, w.secretary)
    ops.publish_vote(v, w.secretary)
    db.session.commit()
    title = w.projects[0].title
    page, reads = _reads_of_the_log(en, f"/votes/{v.id}")
    assert "Roll call" in page and title in page and "(blank)" in page
    assert any("FROM ballots" in r for r in reads)
    again, reads = _reads_of_the_log(en, f"/votes/{v.id}")
    assert reads == [] and _without_token(again) == _without_token(page)


def test_a_cosignature_received_after_publication_shows_at_once(en, login):
    w = vf.world(n_deputies=2)
    signer = tlog.generate_signer("w1.test", tlog.COSIGNATURE_V1)
    witnessing.add_witness(w.community.id, "w1", signer.vkey, "http://127.0.0.1:9/", w.secretary)
    db.session.commit()
    v = vf.vote(w)
    ops.cast_ballot(v, w.deputies[0], {"approve": []})
    ops.close_vote(v, w.secretary)
    ops.publish_vote(v, w.secretary)
    db.session.commit()
    page = en.get(f"/votes/{v.id}").get_data(as_text=True)
    assert "w1" in page and "not yet (asked again on the next tick)" in page
    vf.cosign_latest(v.id, "w1", signer)
    page = en.get(f"/votes/{v.id}").get_data(as_text=True)
    assert "✓ <strong>w1</strong>" in page and "not yet (asked" not in page


def test_a_result_page_costs_the_same_few_statements_with_3_or_300_ballots(client):
    from tests.test_pages_queries import _diff, _statements

    small, large = _published(3).id, _published(300, electorate=300).id
    for vote_id in (small, large):
        client.get(f"/votes/{vote_id}")  # the first view reads the lists and counts once
    few, many = (_statements(client, f"/votes/{vote_id}") for vote_id in (small, large))
    assert len(few) == len(many), _diff(few, many)
    # the vote with its community and certifier and its checkpoints' marks: the stored page
    assert len(many) == 1, many


def test_an_open_votes_rules_are_kept_rendered_but_its_station_is_named_as_it_is_now(en, login):
    w = vf.world(n_deputies=2)
    v = vf.vote(w)
    db.session.commit()
    login(w.deputies[0])
    page = en.get(f"/votes/{v.id}").get_data(as_text=True)
    old = w.station.name
    assert old in page and "Projects on the ballot" in page and "Cast your ballot" in page
    w.station.name = "新的联络站"
    db.session.commit()
    page = en.get(f"/votes/{v.id}").get_data(as_text=True)
    assert "新的联络站" in page and old not in page
    # closed and counted: the secretary's page shows the result instead of the projects
    ops.close_vote(db.session.get(Vote, v.id), w.secretary)
    db.session.commit()
    login(w.secretary)
    page = en.get(f"/votes/{v.id}").get_data(as_text=True)
    assert "About this vote" in page and "Projects on the ballot" not in page


def test_a_draft_is_shown_as_it_was_last_edited(en, login):
    from app.votes import definition

    w = vf.world(n_deputies=2)
    v = vf.vote(w, open_it=False)
    db.session.commit()
    login(w.secretary)
    assert "Draft" in en.get(f"/votes/{v.id}").get_data(as_text=True)
    definition.update_vote(
        db.session.get(Vote, v.id), actor=w.secretary, description="**改过的说明**"
    )
    db.session.commit()
    page = en.get(f"/votes/{v.id}").get_data(as_text=True)
    assert "<strong>改过的说明</strong>" in page


def test_the_votes_list_reads_the_community_with_its_votes_and_hides_drafts_from_residents(
    en, login
):
    w = vf.world(n_deputies=1)
    vf.vote(w, title="已开始的票决")
    vf.vote(w, title="还在起草的票决", open_it=False)
    empty = vf.world(n_deputies=0).community.id
    db.session.commit()
    url = f"/votes/community/{w.community.id}"
    login(w.deputies[0])
    page = en.get(url).get_data(as_text=True)
    assert "已开始的票决" in page and "还在起草的票决" not in page
    login(w.secretary)
    page = en.get(url).get_data(as_text=True)
    assert "已开始的票决" in page and "还在起草的票决" in page
    assert "No votes yet." in en.get(f"/votes/community/{empty}").get_data(as_text=True)
    assert en.get("/votes/community/999999").status_code == 404
