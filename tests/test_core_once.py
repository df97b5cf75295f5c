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
    found = _tokens(page, "once")
    assert found, "the form carries no submission token"
    return found[0]


def _tokens(page: str, name: str) -> list[str]:
    inputs = re.findall(rf'<input[^>]*name="{name}"[^>]*>', page)
    return [re.search(r'value="([^"]+)"', i).group(1) for i in inputs]


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# --------------------------------------------------------------------------- the mechanism


def test_tokens_are_fresh_per_rendered_form_and_well_formed(app):
    with app.test_request_context("/"):
        a, b = once.new_token(), once.new_token()
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


# --------------------------------------------------------------------------- the other forms


def _twice(client, url: str, data: dict, token: str):
    first = client.post(url, data={**data, "once": token})
    second = client.post(url, data={**data, "once": token})
    assert first.status_code == second.status_code == 303, second.get_data(as_text=True)[:400]
    assert first.headers["Location"] == second.headers["Location"]
    return first, second


def _flashes(client) -> list:
    with client.session_transaction() as session:
        return list(session.pop("_flashes", []))


@pytest.fixture
def pacts_world(make, app):
    from tests import pacts_factories as pf

    c = make.community()
    b = make.building(c, households=2)
    sec = make.user("secretary", community=c)
    r1 = make.user("resident", community=c, household=b.households[0])
    r2 = make.user("resident", community=c, household=b.households[1])
    with pf.request_context(app):
        pact = pf.pact(c, sec)
    db.session.commit()
    return type("W", (), {"c": c, "r1": r1, "r2": r2, "pact": pact})()


def test_a_comment_posted_twice_with_its_token_is_one_comment(en, login, pacts_world):
    from app.pacts.models import Comment

    w = pacts_world
    clause = w.pact.latest_version.clauses[0]
    login(w.r1)
    page = en.get(f"/pacts/{w.pact.id}/clauses/{clause.id}").get_data(as_text=True)
    form = page[page.index('id="comment-form"') :]
    url = f"/pacts/{w.pact.id}/clauses/{clause.id}/comments"
    first, _ = _twice(en, url, {"body": "楼道灯太暗"}, token_in(form))
    assert _count(Comment) == 1
    comment = db.session.scalar(select(Comment))
    assert first.headers["Location"].endswith(f"#comment-{comment.id}")
    # Another resident's post with that token is their own comment, not an answer to theirs.
    login(w.r2)
    other = en.post(url, data={"body": "同意", "once": token_in(form)})
    assert other.status_code == 303 and other.headers["Location"] != first.headers["Location"]
    assert _count(Comment) == 2


def test_a_reply_form_carries_a_token_of_its_own(en, login, pacts_world):
    from app.pacts.models import Comment

    w = pacts_world
    login(w.r1)
    en.post(f"/pacts/{w.pact.id}/comments", data={"body": "第一条", "once": once.new_token()})
    root = db.session.scalar(select(Comment))
    page = en.get(f"/pacts/{w.pact.id}").get_data(as_text=True)
    # The cached thread links to the comment's reply box, whose form carries a token of its own.
    box = en.get(f"/pacts/comments/{root.id}/respond").get_data(as_text=True)
    tokens = _tokens(page, "once") + _tokens(box, "once")
    assert len(tokens) >= 2 and len(set(tokens)) == len(tokens)  # reply and comment forms
    reply = box[box.index(f'name="parent_id" value="{root.id}"') :]
    _twice(
        en, f"/pacts/{w.pact.id}/comments", {"body": "回复", "parent_id": root.id}, token_in(reply)
    )
    assert _count(Comment, Comment.parent_id == root.id) == 1


def test_an_amendment_proposed_twice_with_its_token_is_one_amendment(en, login, pacts_world):
    from app.pacts.models import Amendment

    w = pacts_world
    clause = w.pact.latest_version.clauses[0]
    login(w.r1)
    page = en.get(f"/pacts/{w.pact.id}/clauses/{clause.id}").get_data(as_text=True)
    form = page[page.index('id="amendment-form"') :]
    token = _tokens(form, "am-once")[0]
    url = f"/pacts/{w.pact.id}/clauses/{clause.id}/amendments"
    data = {"am-text": "楼道内不堆放任何杂物。", "am-reason": "更清楚", "am-once": token}
    first = en.post(url, data=data)
    second = en.post(url, data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    amendment = db.session.scalar(select(Amendment))
    assert _count(Amendment) == 1 and first.headers["Location"].endswith(
        f"#amendment-{amendment.id}"
    )
    # The same text with a fresh token is a second proposal, as it always was.
    assert en.post(url, data={**data, "am-once": once.new_token()}).status_code == 303
    assert _count(Amendment) == 2


@pytest.fixture
def hearings_world(make):
    c = make.community(name="梅园居民区")
    b = make.building(c, households=3)
    resident = make.user("resident", community=c, building=b)
    neighbour = make.user("resident", community=c, building=b)
    make.user("secretary", community=c)
    return type("W", (), {"c": c, "b": b, "resident": resident, "neighbour": neighbour})()


def test_a_suggestion_submitted_twice_with_its_token_is_one_suggestion(en, login, hearings_world):
    from app.suggestions.models import Suggestion

    w = hearings_world
    login(w.resident)
    url = f"/hearings/community/{w.c.id}/suggestions/new"
    token = token_in(en.get(url).get_data(as_text=True))
    data = {"category": "lift", "summary": "3号楼电梯经常停运", "building": w.b.id}
    first = en.post(url, data={**data, "once": token})
    said_first = _flashes(en)
    second = en.post(url, data={**data, "once": token})
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    s = db.session.scalar(select(Suggestion))
    assert _count(Suggestion) == 1 and first.headers["Location"].endswith(s.number)
    # The same answer twice: the same tracking number.
    assert (
        said_first
        == _flashes(en)
        == [("success", f"Thank you. Your tracking number is {s.number}.")]
    )
    login(w.neighbour)
    other = en.post(url, data={**data, "once": token})
    assert other.status_code == 303 and other.headers["Location"] != first.headers["Location"]
    assert _count(Suggestion) == 2


def test_a_registration_posted_twice_with_its_token_registers_once(en, login, hearings_world):
    from app.hearings.models import Registration
    from tests import hearings_factories as hf

    w = hearings_world
    s = hf.session(w.c, capacity=1)
    db.session.commit()
    login(w.resident)
    token = token_in(en.get(f"/hearings/sessions/{s.id}").get_data(as_text=True))
    url = f"/hearings/sessions/{s.id}/register"
    first = en.post(url, data={"speak_topic": "电梯", "once": token})
    said_first = _flashes(en)
    second = en.post(url, data={"speak_topic": "电梯", "once": token})
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert said_first == _flashes(en) == [("success", "You are registered.")]
    assert _count(Registration) == 1
    # Without the token a second registration is refused as before.
    again = en.post(url, data={"speak_topic": "电梯"}, follow_redirects=True)
    assert "You have registered for this session already." in again.get_data(as_text=True)
    # Another resident's post with that token is their own registration (the waiting list).
    login(w.neighbour)
    other = en.post(url, data={"once": token})
    assert other.status_code == 303
    assert _flashes(en)[0][0] == "warning"
    assert _count(Registration) == 2


def test_a_suggestion_recorded_at_a_reception_twice_with_its_token_is_one(en, login, make):
    from app.hearings.models import SessionKind
    from app.suggestions.models import Suggestion
    from tests import hearings_factories as hf

    c = make.community(name="梅园居民区")
    station = make.station([c], name="新华路联络站")
    deputy = make.user("deputy", station=station, name="周代表")
    s = hf.session(
        station=station,
        kind=SessionKind.RECEPTION,
        starts_in=__import__("datetime").timedelta(hours=-1),
        host_id=deputy.id,
        actor=deputy,
    )
    db.session.commit()
    login(deputy)
    url = f"/hearings/sessions/{s.id}/suggestions/new"
    token = token_in(en.get(url).get_data(as_text=True))
    data = {"community": c.id, "category": "streets", "summary": "路口需要红绿灯", "once": token}
    first = en.post(url, data=data)
    said_first = _flashes(en)
    second = en.post(url, data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    number = db.session.scalar(select(Suggestion.number))
    assert _count(Suggestion) == 1
    assert (
        said_first
        == _flashes(en)
        == [("success", f"Recorded as {number}. Give this number to the resident.")]
    )


def test_a_used_token_answers_repeats_for_thirty_days_then_flask_tick_forgets_it(
    en, login, pacts_world
):
    from datetime import timedelta

    from app.cli import run_tick
    from app.core.time import utcnow
    from app.pacts.models import Comment

    w = pacts_world
    clause = w.pact.latest_version.clauses[0]
    login(w.r1)
    page = en.get(f"/pacts/{w.pact.id}/clauses/{clause.id}").get_data(as_text=True)
    token = token_in(page[page.index('id="comment-form"') :])
    url = f"/pacts/{w.pact.id}/clauses/{clause.id}/comments"
    first, _ = _twice(en, url, {"body": "楼道灯太暗"}, token)

    lines: list[str] = []
    assert run_tick(utcnow() + timedelta(days=29), echo=lambda m, **k: lines.append(m))
    db.session.commit()
    again = en.post(url, data={"body": "楼道灯太暗", "once": token})
    assert again.headers["Location"] == first.headers["Location"] and _count(Comment) == 1

    assert run_tick(utcnow() + timedelta(days=31), echo=lambda m, **k: lines.append(m))
    db.session.commit()
    assert _count(OnceSubmission) == 0
    assert any("1 used submission tokens forgotten" in line for line in lines), lines
