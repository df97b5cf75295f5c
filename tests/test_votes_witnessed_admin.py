"""The community's witness form (who may use it, audit, CSRF, refusals in both languages), the
frozen policy of a vote, receipts' download routes, labels unique within the electorate and the
reconciliation on the result page."""

import pytest
from sqlalchemy import func, select

from app.core import tlog
from app.core.audit import AuditEntry
from app.extensions import db
from app.votes import operations as ops
from app.votes import signing
from app.votes.models import ElectorateKind, Vote, Witness
from app.votes.permissions import can_manage_witnesses
from tests import votes_factories as vf

W1 = tlog.generate_signer("committee.test/witness", tlog.COSIGNATURE_V1)
W2 = tlog.generate_signer("owners.test/witness", tlog.COSIGNATURE_V1)


@pytest.fixture
def en(client):
    client.set_cookie("lang", "en")
    return client


def form(**over):
    return {"name": "committee", "vkey": W1.vkey, "url": "http://127.0.0.1:8765", **over}


def count_witnesses() -> int:
    return db.session.scalar(select(func.count(Witness.id))) or 0


def test_only_the_secretary_or_an_admin_of_the_community_manages_its_witnesses(client, login, make):
    w = vf.world()
    other = vf.world()
    resident = make.user("resident", w.community)
    admin = make.user("admin")
    url = f"/votes/community/{w.community.id}/witnesses"
    assert client.get(url).status_code in (302, 401)
    for user, status in ((resident, 403), (other.secretary, 403), (w.deputies[0], 403)):
        login(user)
        assert client.get(url).status_code == status
        assert client.post(url, data=form()).status_code == status
    assert count_witnesses() == 0
    for user in (w.secretary, admin):
        login(user)
        page = client.get(url)
        assert page.status_code == 200
        assert "flask witness serve --port 8765" in page.get_data(as_text=True)
    assert can_manage_witnesses(w.secretary, w.community)
    assert not can_manage_witnesses(other.secretary, w.community)
    assert not can_manage_witnesses(resident, w.community)


def test_adding_and_removing_a_witness_is_audited(client, login):
    w = vf.world()
    login(w.secretary)
    url = f"/votes/community/{w.community.id}/witnesses"
    response = client.post(url, data=form())
    assert response.status_code == 303
    witness = db.session.scalar(select(Witness))
    assert (witness.name, witness.vkey, witness.url) == (
        "committee",
        W1.vkey,
        "http://127.0.0.1:8765",
    )
    assert "committee" in client.get(url).get_data(as_text=True)
    added = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "vote.witness_add"))
    assert added.actor_id == w.secretary.id and W1.vkey in added.detail
    other = vf.world()
    login(other.secretary)
    removal = f"{url}/{witness.id}/remove"
    assert client.post(removal).status_code == 403
    login(w.secretary)
    assert client.post(removal).status_code == 303
    assert count_witnesses() == 0
    removed = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "vote.witness_remove")
    )
    assert removed.actor_id == w.secretary.id and removed.community_id == w.community.id


def test_the_witness_forms_need_a_csrf_token(client, login):
    w = vf.world()
    witness_id = ops_add(w).id
    login(w.secretary)
    url = f"/votes/community/{w.community.id}/witnesses"
    assert client.post(url, data=form(name="other", vkey=W2.vkey), csrf=False).status_code == 400
    assert client.post(f"{url}/{witness_id}/remove", csrf=False).status_code == 400
    assert count_witnesses() == 1


def ops_add(w, name="committee", signer=W1):
    from app.votes import witnessing

    witness = witnessing.add_witness(
        w.community.id, name, signer.vkey, "http://127.0.0.1:1", w.secretary
    )
    db.session.commit()
    return witness


@pytest.mark.parametrize(
    ("over", "status", "en_text", "zh_text"),
    [
        (
            {"vkey": "not-a-key"},
            400,
            "This is not a witness key (name+key ID+key).",
            "这不是见证方密钥（名称+密钥ID+密钥）。",
        ),
        (
            {"vkey": tlog.generate_signer("log.test").vkey},
            400,
            "This is not a witness key (name+key ID+key).",
            "这不是见证方密钥（名称+密钥ID+密钥）。",
        ),
        (
            {"name": "quorum"},
            400,
            "A witness&#39;s name is letters, digits, dots, dashes or underscores",
            "见证方名称只能包含字母、数字、点、连字符或下划线",
        ),
        (
            {"url": "ftp://example.org"},
            400,
            "The witness&#39;s address starts with http:// or https://.",
            "见证方地址须以 http:// 或 https:// 开头。",
        ),
        (
            {"name": "committee", "vkey": W2.vkey},
            409,
            "The community already has a witness with this name or key.",
            "本社区已有同名或同密钥的见证方。",
        ),
    ],
)
def test_a_refused_witness_re_renders_the_form_with_the_reason(
    client, login, over, status, en_text, zh_text
):
    w = vf.world()
    ops_add(w)
    login(w.secretary)
    url = f"/votes/community/{w.community.id}/witnesses"
    data = form(**over)
    zh = client.post(url, data=data)
    assert zh.status_code == status
    assert zh_text in zh.get_data(as_text=True)
    client.set_cookie("lang", "en")
    en = client.post(url, data=data)
    body = en.get_data(as_text=True)
    assert en.status_code == status and en_text in body
    assert f'value="{data["url"]}"' in body  # the user's input is kept
    assert count_witnesses() == 1


def test_a_vote_freezes_its_witnesses_and_quorum_into_its_policy_when_it_opens(app):
    w = vf.world()
    ops_add(w, "w1", W1)
    ops_add(w, "w2", W2)
    v = vf.vote(w, open_it=False)
    v.witness_quorum = 1
    db.session.commit()
    ops.open_vote(v, w.secretary)
    db.session.commit()
    policy = tlog.parse_policy(v.witness_policy)
    assert [name for name in policy.witnesses] == ["w1", "w2"]
    assert policy.groups["quorum"][0] == 1
    assert [v.vkey for v, _ in policy.logs] == [v.manifest["log"]]
    # removing a witness later does not change the open vote's published policy
    from app.votes import witnessing

    witnessing.remove_witness(db.session.scalar(select(Witness)), w.secretary)
    db.session.commit()
    assert tlog.parse_policy(db.session.get(Vote, v.id).witness_policy).witnesses.keys() == {
        "w1",
        "w2",
    }
    assert signing.default_quorum(3) == 2 and signing.default_quorum(2) == 2


def test_every_checkpoint_is_a_signed_note_and_the_vote_page_shows_the_key(client):
    w = vf.world(n_deputies=3)
    v = vf.vote(w)
    for d in w.deputies:
        ops.cast_ballot(v, d, {"approve": [vf.ids(w.projects)[0]]})
    ops.close_vote(v, w.secretary)
    db.session.commit()
    checkpoint = db.session.get(Vote, v.id).checkpoints[-1]
    verified = tlog.verify_checkpoint(checkpoint.note, tlog.parse_policy(v.witness_policy))
    assert verified.checkpoint.origin == f"localhost/votes/{v.id}"
    assert verified.checkpoint.size == 3 and verified.checkpoint.root.hex() == checkpoint.root
    page = client.get(f"/votes/{v.id}").get_data(as_text=True)
    assert v.manifest["log"] in page and "quorum none" in page
    assert client.get("/votes/log-key").get_data(as_text=True).startswith("localhost/votes/*+")


def test_receipt_files_are_found_only_under_their_own_vote(client):
    w = vf.world(n_deputies=2)
    v = vf.vote(w)
    other = vf.vote(w, title="另一次表决")
    b = ops.cast_ballot(v, w.deputies[0], {"approve": []})
    ops.close_vote(v, w.secretary)
    db.session.commit()
    assert client.get(f"/votes/{v.id}/receipt/{b.hash}/proof").status_code == 200
    assert client.get(f"/votes/{other.id}/receipt/{b.hash}/proof").status_code == 404
    assert client.get(f"/votes/{v.id}/receipt/{'0' * 64}/qr.svg").status_code == 404
    assert client.get(f"/votes/{v.id}/receipt/nothex/proof").status_code == 404


def test_open_vote_labels_are_unique_even_when_masked_names_collide(make):
    w = vf.world(n_deputies=0, n_residents=0)
    residents = [
        make.user("resident", w.community, building=w.building, name="沈小明") for _ in range(3)
    ]
    v = vf.vote(w, electorate=ElectorateKind.RESIDENTS, params={"max_choices": 1, "seats": 1})
    for r in residents:
        ops.cast_ballot(v, r, {"approve": []})
    db.session.commit()
    from app.votes.queries import ballots

    labels = [b.voter for b in ballots(v)]
    assert len(set(labels)) == 3 and all(label.startswith("沈*") for label in labels)
    assert all(" · #" in label for label in labels)


def test_deputies_are_named_and_numbered_only_when_two_share_a_name(make):
    w = vf.world(n_deputies=2)
    twin = make.user("deputy", w.community, station=w.station, name="代表0")
    v = vf.vote(w)
    for d in [*w.deputies, twin]:
        ops.cast_ballot(v, d, {"approve": []})
    db.session.commit()
    from app.votes.queries import ballots

    labels = sorted(b.voter for b in ballots(v))
    assert labels[2] == "代表1"
    assert labels[0].startswith("代表0 · #") and labels[1].startswith("代表0 · #")


def test_the_result_page_reconciles_paper_and_online_ballots(en, login):
    w = vf.world(n_deputies=3)
    v = vf.vote(w)
    ops.cast_ballot(v, w.deputies[0], {"approve": []}, entered_by=w.secretary)
    ops.cast_ballot(v, w.deputies[1], {"approve": []})
    ops.close_vote(v, w.secretary)
    ops.publish_vote(v, w.secretary)
    db.session.commit()
    body = en.get(f"/votes/{v.id}").get_data(as_text=True)
    assert "Electorate 3 · took part 2 · ballots in the log 2 = 1 paper + 1 online" in body
    assert "Paper ballots entered by" in body and "陈书记 (1)" in body


def test_the_verifier_checks_the_manifests_log_key_and_who_entered_paper_ballots(tmp_path):
    from tests.test_verifier_v2 import LOG, ORIGIN, invalid, rechain, witnessed
    from tests.test_votes_verifier import run, verifier
    from tests.votes_data.logs import approval_doc

    def with_log(vkey):
        doc = approval_doc()
        doc["manifest"]["log"] = vkey
        doc["manifest_hash"] = verifier.sha(verifier.canonical(doc["manifest"])).hex()
        return witnessed(rechain(doc))

    doc = with_log(LOG.vkey)
    assert run(doc, tmp_path)[0] == 0
    doc["reconciliation"]["paper_entered_by"] = {"陈书记": 1}
    assert run(doc, tmp_path)[0] == 0
    doc["reconciliation"]["paper_entered_by"] = {"陈书记": 2}
    assert "the paper ballots entered by 陈书记 (2) are not the 1" in invalid(doc, tmp_path)
    stranger = tlog.generate_signer(ORIGIN)
    assert "is not in the policy" in invalid(with_log(stranger.vkey), tmp_path)
    # a /1 export may not carry a log key in its manifest
    v1 = approval_doc()
    v1["manifest"]["log"] = LOG.vkey
    assert "exactly the fields" in invalid(v1, tmp_path)
