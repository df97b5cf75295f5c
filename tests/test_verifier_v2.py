"""The standalone verifier on witnessed exports (yishiting-ballot-log/2) and tlog-proof receipts.

The exports are built by hand from app/core/tlog.py's primitives around a /1 export, and the
verifier runs as a user runs it: a separate stdlib-only process.
"""

import base64
import copy
import subprocess
import sys

import pytest

from app.core import tlog
from tests.test_votes_verifier import run, verifier
from tests.votes_data.logs import VERIFIER, approval_doc

FORMAT_2 = "yishiting-ballot-log/2"
ORIGIN = "yishiting.test/votes/7"
LOG = tlog.generate_signer(ORIGIN)
W1, W2, W3 = (tlog.generate_signer(f"w{i}.test", tlog.COSIGNATURE_V1) for i in (1, 2, 3))
POLICY = tlog.format_policy([LOG.vkey], [("w1", W1.vkey, None), ("w2", W2.vkey, None)], 2)


def note_for(size: int, root: bytes, cosigners=(W1, W2), log=LOG) -> str:
    text = tlog.format_checkpoint(ORIGIN, size, root)
    note = tlog.signed_note(text, log)
    for i, w in enumerate(cosigners):
        note = tlog.add_signatures(note, tlog.cosign(text, w, 1_780_000_000 + i))
    return note


def rechain(doc: dict) -> dict:
    """Re-link and re-hash the records and re-root the checkpoints and result, as a forger would."""
    prev = doc["manifest_hash"]
    for seq, r in enumerate(doc["ballots"]):
        r["seq"], r["prev"] = seq, prev
        r["hash"] = prev = verifier.leaf_of(r)
    leaves = [bytes.fromhex(r["hash"]) for r in doc["ballots"]]
    roots = verifier.prefix_roots(leaves, {cp["size"] for cp in doc["checkpoints"]} | {len(leaves)})
    for cp in doc["checkpoints"]:
        cp["root"] = roots[cp["size"]]
    choices = [r["choices"] for r in doc["ballots"]]
    doc["result"] = verifier.recount(doc["manifest"], choices, roots[len(leaves)])
    return doc


def witnessed(doc: dict | None = None, paper: int = 1) -> dict:
    """A /2 export: the /1 document plus signed, cosigned checkpoints, the policy, the counts."""
    doc = copy.deepcopy(doc or approval_doc())
    doc["format"] = FORMAT_2
    for cp in doc["checkpoints"]:
        cp["note"] = note_for(cp["size"], bytes.fromhex(cp["root"]))
    n = len(doc["ballots"])
    doc["policy"] = POLICY
    doc["reconciliation"] = {
        "electorate": doc["manifest"]["electorate"]["size"],
        "participants": len(doc["participation"]),
        "ballots": n,
        "paper_ballots": paper,
        "online_ballots": n - paper,
    }
    return doc


def invalid(doc, tmp_path, *args) -> str:
    code, out = run(doc, tmp_path, *args)
    assert code == 1 and out.startswith("INVALID: "), out
    return out


def test_a_witnessed_export_verifies(tmp_path):
    doc = witnessed()
    assert [cp["size"] for cp in doc["checkpoints"]] == [2, 4, 5]
    code, out = run(doc, tmp_path)
    assert code == 0, out
    assert out.startswith(f"VALID {FORMAT_2}: vote 7 ")
    assert f"log {ORIGIN} signed every checkpoint, the closing one cosigned by w1, w2" in out
    assert "5 participants of 5: 1 paper + 4 online ballots" in out


def test_a_v1_export_still_verifies(tmp_path):
    code, out = run(approval_doc(), tmp_path)
    assert code == 0 and out.startswith("VALID yishiting-ballot-log/1: "), out


def test_a_witness_missing_from_an_earlier_checkpoint_is_fine_but_not_from_the_last(tmp_path):
    doc = witnessed()
    cp = doc["checkpoints"][0]
    cp["note"] = note_for(cp["size"], bytes.fromhex(cp["root"]), cosigners=(W1,))
    assert run(doc, tmp_path)[0] == 0
    last = doc["checkpoints"][-1]
    last["note"] = note_for(last["size"], bytes.fromhex(last["root"]), cosigners=(W1, W3))
    out = invalid(doc, tmp_path)
    assert "checkpoint 2 (size 5)" in out and "(w1) do not meet the policy's quorum" in out


def test_a_tampered_log_signature_fails(tmp_path):
    doc = witnessed()
    text = doc["checkpoints"][1]["note"].split("\n\n")[0]
    lines = doc["checkpoints"][1]["note"].splitlines(keepends=True)
    sig_line = lines[4]
    raw = bytearray(base64.b64decode(sig_line.split(" ")[2]))
    raw[10] ^= 0x01
    lines[4] = f"\u2014 {ORIGIN} {base64.b64encode(bytes(raw)).decode()}\n"
    doc["checkpoints"][1]["note"] = "".join(lines)
    assert text.startswith(ORIGIN)
    out = invalid(doc, tmp_path)
    assert f"checkpoint 1 (size 4): the signature of {ORIGIN}" in out and "does not verify" in out


def test_a_checkpoint_signed_by_another_log_key_fails(tmp_path):
    doc = witnessed()
    impostor = tlog.generate_signer(ORIGIN)
    cp = doc["checkpoints"][2]
    cp["note"] = note_for(cp["size"], bytes.fromhex(cp["root"]), log=impostor)
    out = invalid(doc, tmp_path)
    assert "no log key of the policy signed this checkpoint" in out


def test_a_note_that_disagrees_with_its_checkpoint_fails(tmp_path):
    doc = witnessed()
    doc["checkpoints"][1]["note"] = doc["checkpoints"][0]["note"]
    assert "checkpoint 1: its signed note says size 2" in invalid(doc, tmp_path)


def test_a_fork_between_checkpoints_fails(tmp_path):
    doc = witnessed()
    # the log showed someone a size-2 history without the second ballot, signed and cosigned
    forked = copy.deepcopy(doc["ballots"][:2])
    forked[1]["choices"] = {"approve": ["d"]}
    forked[1]["hash"] = verifier.leaf_of(forked[1])
    root = verifier.tree_hash([bytes.fromhex(r["hash"]) for r in forked])
    doc["checkpoints"][0]["root"] = root.hex()
    doc["checkpoints"][0]["note"] = note_for(2, root)
    out = invalid(doc, tmp_path)
    assert "checkpoints 0 (size 2) and 1 (size 4) are not consistent" in out and "fork" in out


def test_the_same_size_with_two_roots_is_a_fork(tmp_path):
    doc = witnessed()
    other = copy.deepcopy(doc["checkpoints"][-1])
    fake = bytes.fromhex(verifier.sha(b"another history").hex())
    other["root"], other["note"] = fake.hex(), note_for(5, fake)
    doc["checkpoints"].append(other)
    assert "checkpoints 2 (size 5) and 3 (size 5) are not consistent" in invalid(doc, tmp_path)


def test_reconciliation_that_does_not_add_up_fails(tmp_path):
    doc = witnessed()
    doc["reconciliation"]["paper_ballots"] = 2
    assert "does not add up: 2 paper + 4 online ballots is not 5 ballots" in invalid(doc, tmp_path)
    doc = witnessed()
    doc["reconciliation"]["participants"] = 6
    assert "the reconciliation says 6 participants; there are 5" in invalid(doc, tmp_path)
    doc = witnessed()
    del doc["reconciliation"]["online_ballots"]
    assert "the reconciliation is not" in invalid(doc, tmp_path)


def test_an_open_vote_label_that_votes_twice_fails(tmp_path):
    doc = approval_doc()
    doc["ballots"][3]["voter"] = doc["ballots"][0]["voter"]
    doc["participation"] = sorted(r["voter"] for r in doc["ballots"])
    doc = witnessed(rechain(doc))
    out = invalid(doc, tmp_path)
    assert "seq 3: the voter 'Voter 000' already voted at seq 0" in out
    # the same log in format /1 passes that check (and so /1 exports keep verifying as before)
    doc["format"] = "yishiting-ballot-log/1"
    for key in ("policy", "reconciliation"):
        del doc[key]
    for cp in doc["checkpoints"]:
        del cp["note"]
    assert run(doc, tmp_path)[0] == 0


def test_a_trusted_policy_replaces_the_one_in_the_export(tmp_path):
    doc = witnessed()
    other_log = tlog.generate_signer(ORIGIN)
    trusted = tmp_path / "trusted.policy"
    trusted.write_text(tlog.format_policy([other_log.vkey], [("w1", W1.vkey, None)], 1))
    out = invalid(doc, tmp_path, "--policy", str(trusted))
    assert "no log key of the policy signed" in out
    trusted.write_text(POLICY)
    assert run(doc, tmp_path, "--policy", str(trusted))[0] == 0


# --- receipts --------------------------------------------------------------------------------


@pytest.fixture
def receipt(tmp_path):
    """The .tlog-proof of ballot 2, and the policy file beside it."""
    doc = witnessed()
    leaves = [bytes.fromhex(r["hash"]) for r in doc["ballots"]]
    proof = tlog.Proof(2, tuple(tlog.inclusion_proof(2, leaves)), doc["checkpoints"][-1]["note"])
    proof = tlog.Proof(proof.index, proof.proof, proof.note, extra=leaves[2])
    policy = tmp_path / "vote-7.policy"
    policy.write_text(POLICY)
    return proof, policy, leaves


def _run_proof(tmp_path, text, policy, *args):
    path = tmp_path / "ballot.tlog-proof"
    path.write_text(text, encoding="utf-8")
    out = subprocess.run(
        [
            sys.executable,
            "-I",
            "-S",
            str(VERIFIER),
            "--proof",
            str(path),
            "--policy",
            str(policy),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.stderr == ""
    return out.returncode, out.stdout


def test_a_receipt_verifies_offline(tmp_path, receipt):
    proof, policy, leaves = receipt
    code, out = _run_proof(tmp_path, str(proof), policy)
    assert code == 0, out
    assert out.startswith(f"VALID c2sp.org/tlog-proof@v1: receipt {leaves[2].hex()} is ballot 2")
    assert "cosigned by w1, w2 (quorum quorum met)" in out
    # without the extra line, the voter gives the hash they noted down
    bare = tlog.Proof(proof.index, proof.proof, proof.note)
    assert _run_proof(tmp_path, str(bare), policy, "--receipt", leaves[2].hex())[0] == 0
    code, out = _run_proof(tmp_path, str(bare), policy, "--receipt", leaves[3].hex())
    assert code == 1 and "does not lead to the root" in out


def test_a_receipt_with_a_flipped_bit_fails(tmp_path, receipt):
    proof, policy, _ = receipt
    step = bytearray(proof.proof[0])
    step[0] ^= 0x80
    flipped = tlog.Proof(proof.index, (bytes(step), *proof.proof[1:]), proof.note, proof.extra)
    code, out = _run_proof(tmp_path, str(flipped), policy)
    assert code == 1 and "the inclusion proof of entry 2 does not lead to the root" in out
    note = proof.note.replace("\n5\n", "\n6\n")
    code, out = _run_proof(tmp_path, str(tlog.Proof(2, proof.proof, note, proof.extra)), policy)
    assert code == 1 and "does not verify" in out


def test_a_receipt_with_a_wrong_index_fails(tmp_path, receipt):
    proof, policy, _ = receipt
    wrong = tlog.Proof(3, proof.proof, proof.note, proof.extra)
    code, out = _run_proof(tmp_path, str(wrong), policy)
    assert code == 1 and "the inclusion proof of entry 3 does not lead to the root" in out


def test_a_receipt_cosigned_by_an_unknown_key_fails(tmp_path, receipt):
    proof, policy, leaves = receipt
    note = note_for(5, verifier.tree_hash(leaves), cosigners=(W1, W3))
    code, out = _run_proof(tmp_path, str(tlog.Proof(2, proof.proof, note, proof.extra)), policy)
    assert code == 1 and "the cosignatures (w1) do not meet the policy's quorum" in out
    # a witness key with a known name but another key is not that witness either
    impostor = tlog.generate_signer(W2.name, tlog.COSIGNATURE_V1)
    note = note_for(5, verifier.tree_hash(leaves), cosigners=(W1, impostor))
    code, out = _run_proof(tmp_path, str(tlog.Proof(2, proof.proof, note, proof.extra)), policy)
    assert code == 1 and "do not meet the policy's quorum" in out
