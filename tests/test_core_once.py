"""Idempotent submissions (issue 14, item 2): the same one-time token twice gives one record and
the same answer twice; another user's token is not honoured; a ballot's stored receipt names no
voter and opens only with the token."""

import re

import pytest
from sqlalchemy import func, select

from app.core import once
from app.core.once import OnceSubmission
from app.extensions import db
from app.votes.models import Ballot, Participation, Secrecy
from tests import votes_factories as vf


@pytest.fixture
def en(client):
    client.set_cookie("lang", "en")
    return client


def token_in(page: str) -> str:
    """The token of the (first) form on the page."""
    found = re.search(r'name="once" value="([^"]+)"', page)
    assert found, "the form carries no submission token"
    return found.group(1)


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# --------------------------------------------------------------------------- the mechanism


def test_tokens_are_fresh_per_rendered_form_and_well_formed(app):
    with app.test_request_context("/"):
        a, b = once.current_token(), once.current_token()
    assert a != b and once.valid(a) and once.valid(b)
    assert not once.valid("short") and not once.valid("x" * 65) and not once.valid("a b" * 8)


def test_a_failing_action_keeps_no_claim(app, db, make):
    user = make.user()
    token = once.new_token()

    def refuse() -> str:
        raise RuntimeError("refused")

    with app.test_request_context("/"):
        with pytest.raises(RuntimeError):
            once.submit("test.thing", user, token, refuse)
        assert _count(OnceSubmission) == 0
        assert once.submit("test.thing", user, token, lambda: "/first") == "/first"
        assert once.submit("test.thing", user, token, lambda: "/second") == "/first"
        # Scoped to user and kind: the same token elsewhere is a new submission.
        other = make.user()
        assert once.submit("test.thing", other, token, lambda: "/other") == "/other"
        assert once.submit("test.other", user, token, lambda: "/kind") == "/kind"


# --------------------------------------------------------------------------- ballots


def _ballot_page(client, vote) -> str:
    page = client.get(f"/votes/{vote.id}/ballot")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def _review(client, vote, token, approve) -> str:
    review = client.post(
        f"/votes/{vote.id}/ballot", data={"step": "review", "once": token, "approve": approve}
    )
    assert review.status_code == 200
    return review.get_data(as_text=True)


def test_a_ballot_cast_twice_with_its_token_gives_the_same_receipt(en, login):
    w = vf.world(n_deputies=3)
    vote = vf.vote(w, secrecy=Secrecy.SECRET)
    p = vf.ids(w.projects)
    login(w.deputies[0])
    token = token_in(_ballot_page(en, vote))
    review = _review(en, vote, token, [p[0]])
    assert token_in(review) == token  # the review page carries the ballot form's token on
    data = {"step": "cast", "once": token, "approve": [p[0]]}
    first = en.post(f"/votes/{vote.id}/ballot", data=data)
    second = en.post(f"/votes/{vote.id}/ballot", data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    ballot = db.session.scalar(select(Ballot).where(Ballot.vote_id == vote.id))
    assert ballot.hash in first.headers["Location"]
    assert _count(Ballot, Ballot.vote_id == vote.id) == 1
    assert _count(Participation, Participation.vote_id == vote.id) == 1
    receipt = en.get(second.headers["Location"])
    assert receipt.status_code == 200 and ballot.hash in receipt.get_data(as_text=True)
    # Without the token a second cast is still "already voted".
    again = en.post(f"/votes/{vote.id}/ballot", data={"step": "cast", "approve": [p[0]]})
    assert again.status_code == 409 and "already voted" in again.get_data(as_text=True)


def test_a_ballot_token_of_another_voter_is_not_honoured(en, login):
    w = vf.world(n_deputies=3)
    vote = vf.vote(w)
    p = vf.ids(w.projects)
    login(w.deputies[0])
    token = token_in(_ballot_page(en, vote))
    first = en.post(
        f"/votes/{vote.id}/ballot", data={"step": "cast", "once": token, "approve": [p[0]]}
    )
    login(w.deputies[1])
    other = en.post(
        f"/votes/{vote.id}/ballot", data={"step": "cast", "once": token, "approve": [p[1]]}
    )
    assert first.status_code == other.status_code == 303
    assert first.headers["Location"] != other.headers["Location"]
    assert _count(Ballot, Ballot.vote_id == vote.id) == 2


def test_a_stored_receipt_names_no_voter_and_opens_only_with_the_token(en, login):
    w = vf.world(n_deputies=2)
    vote = vf.vote(w)
    p = vf.ids(w.projects)
    voter = w.deputies[0]
    login(voter)
    token = token_in(_ballot_page(en, vote))
    cast = en.post(
        f"/votes/{vote.id}/ballot", data={"step": "cast", "once": token, "approve": [p[0]]}
    )
    ballot = db.session.scalar(select(Ballot).where(Ballot.vote_id == vote.id))
    row = db.session.scalar(select(OnceSubmission))
    assert row.user_id is None and row.kind == "votes.ballot"
    # Neither the receipt nor the token, nor the voter's id, can be read from the row.
    assert ballot.hash not in row.result and token not in row.result and token not in row.key
    # The holder of the token gets the receipt back; the same row read with another token, or
    # by another voter with this token, yields nothing.
    assert once._unseal(row.result, "votes.ballot", voter.id, token) == cast.headers["Location"]
    for user_id, key in ((w.deputies[1].id, token), (voter.id, once.new_token())):
        try:
            opened = once._unseal(row.result, "votes.ballot", user_id, key)
        except UnicodeDecodeError:
            opened = None
        assert opened != cast.headers["Location"]
