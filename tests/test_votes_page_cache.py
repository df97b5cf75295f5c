"""A vote's page is one stored copy per standing for every reader who does not run the
community's votes (app/votes/routes/lifecycle.py, `_stored_page`): anonymous visitors, electors
who have voted or not, signed-in readers outside the electorate. These tests read it through
every kind of write that changes it and check it against the page rendered without the cache."""

import re
from datetime import timedelta

import pytest

from app.core import tlog
from app.core.time import utcnow
from app.extensions import db
from app.org.models import Community
from app.votes import operations as ops
from app.votes import witnessing
from app.votes.models import Vote
from tests import votes_factories as vf


def _main(html: str) -> str:
    """What a page shows in <main>, blanks folded (a stored copy is kept compacted)."""
    return re.sub(r"\s+", " ", html.split("<main", 1)[1].split("</main>", 1)[0])


class Readers:
    """An anonymous visitor and two electors, each with a client of their own."""

    def __init__(self, app, login, w) -> None:
        self.app, self.w = app, w
        self.clients = {"anonymous": app.test_client()}
        for i in (0, 1):
            self.clients[f"elector{i}"] = app.test_client()
            login(w.deputies[i], self.clients[f"elector{i}"])
        for c in self.clients.values():
            c.set_cookie("lang", "en")

    def page(self, who: str, vote_id: int) -> str:
        response = self.clients[who].get(f"/votes/{vote_id}")
        assert response.status_code == 200
        return response.get_data(as_text=True)

    def check(self, vote_id: int) -> dict[str, str]:
        """Each reader's page, read twice (the second from the store), equal to the page
        rendered with the cache off."""
        seen = {}
        for who in self.clients:
            stored = self.page(who, vote_id)
            again = self.page(who, vote_id)
            self.app.config["FRAGMENT_CACHE"] = False
            try:
                fresh = self.page(who, vote_id)
            finally:
                self.app.config["FRAGMENT_CACHE"] = True
            assert _main(again) == _main(stored) == _main(fresh), who
            seen[who] = _main(again)
        return seen


@pytest.fixture
def readers(app, login):
    w = vf.world(n_deputies=3)
    return Readers(app, login, w)


def _vote(readers) -> Vote:
    return vf.vote(readers.w)


def test_each_ballot_changes_the_turnout_for_all_and_the_button_for_its_voter(readers):
    w = readers.w
    v = _vote(readers)
    before = readers.check(v.id)
    assert "0</strong> / 3" in before["anonymous"]
    assert "Cast your ballot" in before["elector0"] and "Cast your ballot" in before["elector1"]
    assert "Cast your ballot" not in before["anonymous"]

    ops.cast_ballot(db.session.get(Vote, v.id), w.deputies[0], {"approve": []})
    db.session.commit()
    after = readers.check(v.id)
    assert "1</strong> / 3" in after["anonymous"] and "1</strong> / 3" in after["elector1"]
    assert "You have voted" in after["elector0"] and "Cast your ballot" not in after["elector0"]
    assert "Cast your ballot" in after["elector1"]

    # a paper ballot typed in by the secretary counts the same
    ops.cast_ballot(
        db.session.get(Vote, v.id), w.deputies[2], {"approve": []}, entered_by=w.secretary
    )
    db.session.commit()
    assert "2</strong> / 3" in readers.check(v.id)["anonymous"]


def test_a_checkpoint_and_then_a_cosignature_show_at_once(readers):
    w = readers.w
    signer = tlog.generate_signer("w1.test", tlog.COSIGNATURE_V1)
    witnessing.add_witness(w.community.id, "w1", signer.vkey, "http://127.0.0.1:9/", w.secretary)
    db.session.commit()
    v = _vote(readers)
    ops.cast_ballot(db.session.get(Vote, v.id), w.deputies[0], {"approve": []})
    db.session.commit()
    assert "No checkpoint yet" in readers.check(v.id)["anonymous"]

    ops.take_checkpoint(db.session.get(Vote, v.id))
    db.session.commit()
    page = readers.check(v.id)["anonymous"]
    assert "No checkpoint yet" not in page and "Latest checkpoint: 1 ballots" in page
    assert "not yet (asked again on the next tick)" in page

    vf.cosign_latest(v.id, "w1", signer)
    page = readers.check(v.id)["elector1"]
    assert "✓ <strong>w1</strong>" in page and "not yet (asked" not in page


def test_closing_then_publishing_replace_the_ballot_button_with_the_result(readers):
    w = readers.w
    v = _vote(readers)
    ops.cast_ballot(db.session.get(Vote, v.id), w.deputies[0], {"approve": vf.ids(w.projects[:1])})
    db.session.commit()
    readers.check(v.id)
    ops.close_vote(db.session.get(Vote, v.id), w.secretary)
    db.session.commit()
    closed = readers.check(v.id)
    assert "Cast your ballot" not in closed["elector1"]
    assert "Electorate 3" not in closed["anonymous"]  # the count stays sealed until certified
    ops.publish_vote(db.session.get(Vote, v.id), w.secretary)
    db.session.commit()
    public = readers.check(v.id)
    assert "Electorate 3 · took part 1" in public["anonymous"]
    assert "Electorate 3 · took part 1" in public["elector0"]


def test_a_cancelled_vote_says_so_with_its_reason(readers):
    v = _vote(readers)
    readers.check(v.id)
    ops.cancel_vote(db.session.get(Vote, v.id), "场地临时变更", readers.w.secretary)
    db.session.commit()
    page = readers.check(v.id)["elector0"]
    assert "Cancelled: 场地临时变更" in page and "Cast your ballot" not in page


def test_a_renamed_community_is_named_anew(readers):
    v = _vote(readers)
    assert readers.w.community.name in readers.check(v.id)["anonymous"]
    db.session.get(Community, readers.w.community.id).name = "新名社区"
    db.session.commit()
    assert "新名社区" in readers.check(v.id)["anonymous"]


def test_once_the_vote_has_closed_by_the_clock_no_button_is_offered(readers, monkeypatch):
    v = _vote(readers)
    assert "Cast your ballot" in readers.check(v.id)["elector1"]
    later = utcnow() + timedelta(days=4)
    monkeypatch.setattr("app.votes.routes.lifecycle.utcnow", lambda: later)
    page = readers.page("elector1", v.id)
    assert "Cast your ballot" not in page


def test_a_stored_page_is_read_with_the_vote_and_the_readers_standing_alone(readers):
    from tests.test_pages_queries import _statements

    v = _vote(readers)
    readers.check(v.id)
    # the vote (with its checkpoints' and cosignatures' marks); signed in, the user, the
    # communities their station serves (the electors here are deputies) and their place in the
    # electorate too
    for who, expected in (("anonymous", 1), ("elector0", 4)):
        seen = _statements(readers.clients[who], f"/votes/{v.id}")
        assert len(seen) == expected, (who, [s[:90] for s in seen])


def test_the_secretarys_page_is_not_the_stored_one(readers, login):
    w = readers.w
    v = _vote(readers)
    readers.check(v.id)
    secretary = readers.app.test_client()
    secretary.set_cookie("lang", "en")
    login(w.secretary, secretary)
    page = secretary.get(f"/votes/{v.id}").get_data(as_text=True)
    assert "Secretary's tools" in page and "Close and count" in page
    assert "Secretary's tools" not in readers.page("elector0", v.id)


def test_a_page_asked_with_an_argument_it_does_not_read_is_rendered_not_stored(readers):
    # Made-up arguments must not fill the cache with copies of one page.
    from tests.test_pages_queries import _statements

    v = _vote(readers)
    url = f"/votes/{v.id}?utm=poster"
    anonymous = readers.clients["anonymous"]
    first, again = _statements(anonymous, url), _statements(anonymous, url)
    assert len(again) == len(first) > 1, again  # the checkpoints are read on every view
    assert any("FROM vote_checkpoints" in s and "LIMIT" in s for s in again), again
