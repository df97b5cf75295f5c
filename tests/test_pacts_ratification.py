"""The secretary sends a pact in revision to a ratification vote from the pact's own page;
the vote's result comes back through the votes signals."""

from datetime import timedelta

from sqlalchemy import func, select

from app.core.time import to_local, utcnow
from app.extensions import db
from app.pacts.models import Pact, PactStatus
from app.votes.models import Method, Vote
from tests import pacts_factories as pf


def _local(moment) -> str:
    return to_local(moment).strftime("%Y-%m-%dT%H:%M")


def test_the_secretary_sends_a_pact_in_revision_to_a_ratification_vote(client, make, login, app):
    c = make.community()
    b = make.building(c, households=2)
    sec = make.user("secretary", community=c)
    resident = make.user("resident", community=c, household=b.households[0])
    with pf.request_context(app):
        pact = pf.pact(c, sec, PactStatus.REVISION)
        other = pf.pact(c, sec, PactStatus.CONSULTATION, title="另一个公约")
    db.session.commit()
    start = utcnow() + timedelta(hours=1)
    data = {
        "electorate_kind": "residents",
        "secrecy": "secret",
        "quorum": "",
        "opens_at": _local(start),
        "closes_at": _local(start + timedelta(days=3)),
    }
    login(resident)
    assert client.post(f"/pacts/{pact.id}/ratify", data=data).status_code == 403
    login(sec)
    r = client.post(f"/pacts/{other.id}/ratify", data=data)
    assert r.status_code == 409
    assert "只有处于修订阶段且已有发布版本的公约才能提交表决。" in r.get_data(as_text=True)
    client.set_cookie("lang", "en")
    r = client.post(f"/pacts/{other.id}/ratify", data=data)
    assert "Only a pact in revision with a published version can go to ratification." in (
        r.get_data(as_text=True)
    )
    assert db.session.scalar(select(func.count(Vote.id))) == 0
    assert client.get(f"/pacts/{pact.id}/ratify").status_code == 200
    r = client.post(f"/pacts/{pact.id}/ratify", data=data)
    assert r.status_code == 303
    vote = db.session.scalar(select(Vote))
    saved = db.session.get(Pact, pact.id)
    assert vote.method == Method.RATIFICATION and saved.status == PactStatus.RATIFICATION
    assert vote.pact_version_id == saved.latest_version.id
    assert r.headers["Location"].endswith(f"/votes/{vote.id}")


def test_a_refused_ratification_form_keeps_what_was_typed(client, make, login, app):
    c = make.community()
    sec = make.user("secretary", community=c)
    with pf.request_context(app):
        pact = pf.pact(c, sec, PactStatus.REVISION)
    db.session.commit()
    start = utcnow() + timedelta(hours=1)
    login(sec)
    r = client.post(
        f"/pacts/{pact.id}/ratify",
        data={
            "electorate_kind": "residents",
            "secrecy": "secret",
            "quorum": "7",
            "opens_at": _local(start),
            "closes_at": _local(start - timedelta(days=1)),
        },
    )
    assert r.status_code == 400
    assert 'value="7"' in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Vote.id))) == 0
    assert db.session.get(Pact, pact.id).status == PactStatus.REVISION
