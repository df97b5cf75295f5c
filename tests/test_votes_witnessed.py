"""Witnessed ballot logs end to end (issue 12): two witness processes on 127.0.0.1 cosign a real
vote's checkpoints from the tick jobs, the /2 export and a downloaded receipt verify with the
standalone verifier, forks are refused by the witnesses and by the verifier, and a witness that
was down catches up on the next tick."""

import json
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from app.core import tlog
from app.core.db import begin_write
from app.core.registry import registered
from app.core.time import utcnow
from app.extensions import db
from app.votes import cli, signing, witnessing
from app.votes import operations as ops
from app.votes.models import Checkpoint, Cosignature, Vote
from app.witness.client import WitnessRefused, request_cosignature
from tests import votes_factories as vf
from tests.test_votes_verifier import run
from tests.test_witness import WitnessProcess
from tests.votes_data import oracle
from tests.votes_data.logs import VERIFIER


class Clock:
    """The scheduler's time: each tick moves on 11 minutes, so a checkpoint is due."""

    def __init__(self):
        self.now = utcnow()

    def tick(self) -> list[str | None]:
        """What `flask tick` does with the votes' jobs: each in turn, committing after each."""
        self.now += timedelta(minutes=11)
        begin_write()
        first = cli.lifecycle_job(self.now)
        db.session.commit()
        second = cli.witness_job(self.now)
        db.session.commit()
        return [first, second]


@pytest.fixture
def started(app, tmp_path):
    """Two witness processes trusting every vote of this site (its `<host>/votes/*` key)."""
    with app.app_context():
        family = signing.family_vkey()
    procs = [WitnessProcess(tmp_path / f"w{i}", family, f"witness{i}.test").start() for i in (1, 2)]
    yield procs
    for p in procs:
        p.stop()


def witnessed_world(procs, n_deputies=5):
    w = vf.world(n_deputies=n_deputies)
    for i, p in enumerate(procs, 1):
        witnessing.add_witness(w.community.id, f"w{i}", p.vkey, p.url, w.secretary)
    db.session.commit()
    return w


def cosigners(vote_id: int) -> dict[int, list[str]]:
    """Per checkpoint size, who cosigned it."""
    rows = db.session.execute(
        select(Checkpoint.size, Cosignature.witness)
        .join(Cosignature, Cosignature.checkpoint_id == Checkpoint.id)
        .where(Checkpoint.vote_id == vote_id)
        .order_by(Checkpoint.size, Cosignature.witness)
    ).all()
    out: dict[int, list[str]] = {}
    for size, name in rows:
        out.setdefault(size, []).append(name)
    return out


def verify_proof(tmp_path, proof_text: str, policy_text: str):
    (tmp_path / "r.tlog-proof").write_text(proof_text, encoding="utf-8")
    (tmp_path / "v.policy").write_text(policy_text, encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-I", "-S", str(VERIFIER), "--proof", str(tmp_path / "r.tlog-proof")]
        + ["--policy", str(tmp_path / "v.policy")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return out.returncode, out.stdout


def test_the_votes_jobs_are_registered_for_flask_tick(app):
    with app.app_context():
        jobs = registered("tick")
    assert cli.lifecycle_job in jobs and cli.witness_job in jobs
    assert jobs.index(cli.lifecycle_job) < jobs.index(cli.witness_job)
    assert getattr(cli.witness_job, "manages_transactions", False)


def test_a_vote_open_to_published_is_cosigned_by_both_witnesses_and_verifies(
    started, client, tmp_path
):
    w = witnessed_world(started)
    v = vf.vote(w)
    vote_id = v.id
    clock = Clock()
    p = vf.ids(w.projects)
    assert v.manifest["log"].startswith(f"localhost/votes/{vote_id}+")
    policy = tlog.parse_policy(v.witness_policy)
    assert set(policy.witnesses) == {"w1", "w2"} and policy.groups["quorum"][0] == 2
    for deputy in w.deputies[:3]:
        ops.cast_ballot(v, deputy, {"approve": [p[0]]})
    db.session.commit()
    assert clock.tick()[1] == "2 cosignatures received"
    assert cosigners(vote_id) == {3: ["w1", "w2"]}
    for deputy in w.deputies[3:]:
        ops.cast_ballot(v, deputy, {"approve": [p[1], p[0]]})
    ops.close_vote(v, w.secretary, now=clock.now + timedelta(minutes=1))
    db.session.commit()
    clock.tick()
    assert cosigners(vote_id) == {3: ["w1", "w2"], 5: ["w1", "w2"]}
    ops.publish_vote(db.session.get(Vote, vote_id), w.secretary)
    db.session.commit()

    page = client.get(f"/votes/{vote_id}").get_data(as_text=True)
    v = db.session.get(Vote, vote_id)
    assert v.manifest["log"] in page and 'id="cosigners"' in page
    assert "✓ <strong>w1</strong>" in page and "✓ <strong>w2</strong>" in page
    assert 'id="reconciliation"' in page

    export = client.get(f"/votes/{vote_id}/ballot-log.json")
    doc = json.loads(export.get_data(as_text=True))
    assert doc["format"] == "yishiting-ballot-log/2" and oracle.check_export(doc) == []
    assert doc["reconciliation"] == {
        "electorate": 5,
        "participants": 5,
        "ballots": 5,
        "paper_ballots": 0,
        "online_ballots": 5,
        "paper_entered_by": {},
    }
    code, out = run(doc, tmp_path)
    assert code == 0, out
    assert "the closing one cosigned by w1, w2 (quorum quorum met)" in out
    policy_text = client.get(f"/votes/{vote_id}/policy").get_data(as_text=True)
    (tmp_path / "trusted.policy").write_text(policy_text)
    assert run(doc, tmp_path, "--policy", str(tmp_path / "trusted.policy"))[0] == 0


def test_a_downloaded_receipt_verifies_offline_and_a_tampered_one_does_not(
    started, client, tmp_path
):
    w = witnessed_world(started)
    v = vf.vote(w)
    vote_id = v.id
    p = vf.ids(w.projects)
    ballots = [ops.cast_ballot(v, d, {"approve": [p[i % 3]]}) for i, d in enumerate(w.deputies)]
    receipt, seq = ballots[2].hash, ballots[2].seq
    db.session.commit()
    page = client.get(f"/votes/{vote_id}/receipt/{receipt}").get_data(as_text=True)
    assert 'id="receipt-proof-link"' not in page  # no signed checkpoint holds it yet
    assert client.get(f"/votes/{vote_id}/receipt/{receipt}/proof").status_code == 404
    clock = Clock()
    ops.close_vote(v, w.secretary, now=clock.now)
    db.session.commit()
    clock.tick()

    page = client.get(f"/votes/{vote_id}/receipt/{receipt}").get_data(as_text=True)
    assert 'id="receipt-proof-link"' in page and 'id="receipt-qr"' in page
    download = client.get(f"/votes/{vote_id}/receipt/{receipt}/proof")
    assert download.status_code == 200
    assert f"vote-{vote_id}-ballot-{seq}.tlog-proof" in download.headers["Content-Disposition"]
    text = download.get_data(as_text=True)
    policy_text = client.get(f"/votes/{vote_id}/policy").get_data(as_text=True)
    code, out = verify_proof(tmp_path, text, policy_text)
    assert code == 0, out
    assert out.startswith(f"VALID c2sp.org/tlog-proof@v1: receipt {receipt} is ballot {seq}")
    assert "cosigned by w1, w2" in out

    qr = client.get(f"/votes/{vote_id}/receipt/{receipt}/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    assert b"<svg" in qr.data and b"<script" not in qr.data and b"style=" not in qr.data

    proof = tlog.parse_proof(text)
    step = bytearray(proof.proof[0])
    step[3] ^= 0x01
    flipped = tlog.Proof(proof.index, (bytes(step), *proof.proof[1:]), proof.note, proof.extra)
    code, out = verify_proof(tmp_path, str(flipped), policy_text)
    assert code == 1 and "does not lead to the root" in out
    wrong = tlog.Proof(proof.index + 1, proof.proof, proof.note, proof.extra)
    code, out = verify_proof(tmp_path, str(wrong), policy_text)
    assert code == 1 and f"entry {seq + 1} does not lead to the root" in out
    stranger = tlog.generate_signer("stranger.test", tlog.COSIGNATURE_V1)
    bare = tlog.Note(tlog.parse_note(proof.note).text, tlog.parse_note(proof.note).signatures[:1])
    text_only = bare.text
    forged = tlog.add_signatures(str(bare), tlog.cosign(text_only, stranger, 1_780_000_000))
    code, out = verify_proof(
        tmp_path, str(tlog.Proof(proof.index, proof.proof, forged, proof.extra)), policy_text
    )
    assert code == 1 and "do not meet the policy's quorum" in out


def test_a_forked_log_is_refused_by_each_witness_and_by_the_verifier(started, client, tmp_path):
    w = witnessed_world(started)
    v = vf.vote(w)
    vote_id = v.id
    p = vf.ids(w.projects)
    for d in w.deputies[:4]:
        ops.cast_ballot(v, d, {"approve": [p[0]]})
    db.session.commit()
    clock = Clock()
    clock.tick()
    assert cosigners(vote_id) == {4: ["w1", "w2"]}
    v = db.session.get(Vote, vote_id)
    hashes = [bytes.fromhex(h) for h in oracle_hashes(vote_id)]
    signer = signing.vote_signer(v)
    # whoever holds the site's key signs another history; the witnesses will not cosign it
    other = [tlog.leaf_hash(b"a ballot dropped")] + hashes[1:]
    same_size = tlog.signed_note(
        tlog.format_checkpoint(signer.name, 4, tlog.merkle_root(other)), signer
    )
    smaller = tlog.signed_note(
        tlog.format_checkpoint(signer.name, 3, tlog.merkle_root(other[:3])), signer
    )
    for proc in started:
        with pytest.raises(WitnessRefused) as e:
            request_cosignature(proc.url, same_size, 4, [])
        assert e.value.status == 422 and "forked" in e.value.message
        with pytest.raises(WitnessRefused) as e:
            request_cosignature(proc.url, smaller, 3, [])
        assert e.value.status == 409 and e.value.known_size == 4
    # the app itself refuses to sign a tree that does not extend its last checkpoint
    with pytest.raises(signing.LogForked):
        signing.sign_checkpoint(v, ops.latest_checkpoint(v), 4, tlog.merkle_root(other), [])
    with pytest.raises(signing.LogForked):
        signing.sign_checkpoint(v, ops.latest_checkpoint(v), 3, tlog.merkle_root(other[:3]), [])
    db.session.rollback()
    # a published log whose checkpoints show two histories fails the verifier
    v = db.session.get(Vote, vote_id)
    ops.close_vote(v, w.secretary, now=clock.now + timedelta(minutes=1))
    ops.publish_vote(v, w.secretary)
    db.session.commit()
    doc = json.loads(client.get(f"/votes/{vote_id}/ballot-log.json").get_data(as_text=True))
    assert run(doc, tmp_path)[0] == 0
    forked = json.loads(json.dumps(doc))
    fake = tlog.merkle_root(other)
    assert [c["size"] for c in doc["checkpoints"]] == [4]
    forked["checkpoints"].insert(
        0, {"size": 4, "root": fake.hex(), "at": doc["checkpoints"][0]["at"], "note": same_size}
    )
    code, out = run(forked, tmp_path)
    assert code == 1 and "checkpoints 0 (size 4) and 1 (size 4) are not consistent" in out
    forked["checkpoints"][0]["root"] = doc["checkpoints"][0]["root"]
    code, out = run(forked, tmp_path)
    assert code == 1 and "signed note says size 4 root" in out
    prefix = json.loads(json.dumps(doc))
    prefix["checkpoints"].insert(
        0,
        {"size": 3, "root": tlog.merkle_root(other[:3]).hex(), "at": doc["checkpoints"][0]["at"]}
        | {"note": smaller},
    )
    code, out = run(prefix, tmp_path)
    assert code == 1 and "checkpoints 0 (size 3) and 1 (size 4) are not consistent" in out


def oracle_hashes(vote_id: int) -> list[str]:
    from app.votes.models import Ballot

    return list(
        db.session.scalars(
            select(Ballot.hash).where(Ballot.vote_id == vote_id).order_by(Ballot.seq)
        )
    )


def test_a_witness_killed_mid_vote_catches_up_on_the_next_tick(started, client, tmp_path):
    w = witnessed_world(started, n_deputies=6)
    v = vf.vote(w)
    vote_id = v.id
    p = vf.ids(w.projects)
    clock = Clock()
    for d in w.deputies[:2]:
        ops.cast_ballot(v, d, {"approve": [p[0]]})
    db.session.commit()
    clock.tick()
    assert cosigners(vote_id) == {2: ["w1", "w2"]}

    started[1].kill()
    for d in w.deputies[2:4]:  # voting goes on while a witness is down
        ops.cast_ballot(db.session.get(Vote, vote_id), d, {"approve": [p[1]]})
    db.session.commit()
    summary = clock.tick()[1]
    assert summary.startswith("1 cosignatures received; not yet from w2")
    assert cosigners(vote_id) == {2: ["w1", "w2"], 4: ["w1"]}
    page = client.get(f"/votes/{vote_id}").get_data(as_text=True)
    assert "✓ <strong>w1</strong>" in page and "… w2" in page
    assert clock.tick()[1] == f"0 cosignatures received; not yet from w2 (vote {vote_id})"

    started[1].start()
    clock.tick()
    assert cosigners(vote_id) == {2: ["w1", "w2"], 4: ["w1", "w2"]}
    # the app forgets that w2 cosigned: w2 answers 409 with the size it knows, and the app
    # asks again from there
    db.session.execute(
        delete(Cosignature).where(
            Cosignature.witness == "w2",
            Cosignature.checkpoint_id.in_(
                select(Checkpoint.id).where(Checkpoint.vote_id == vote_id)
            ),
        )
    )
    ops.cast_ballot(db.session.get(Vote, vote_id), w.deputies[4], {"approve": []})
    db.session.commit()
    clock.tick()
    assert cosigners(vote_id)[5] == ["w1", "w2"]

    v = db.session.get(Vote, vote_id)
    ops.close_vote(v, w.secretary, now=clock.now + timedelta(minutes=1))
    ops.publish_vote(v, w.secretary)
    db.session.commit()
    clock.tick()
    sizes = [c.size for c in db.session.get(Vote, vote_id).checkpoints]
    assert sizes == sorted(set(sizes))  # one signed checkpoint per size: nothing signed twice
    doc = json.loads(client.get(f"/votes/{vote_id}/ballot-log.json").get_data(as_text=True))
    code, out = run(doc, tmp_path)
    assert code == 0, out
    assert "cosigned by w1, w2" in out
