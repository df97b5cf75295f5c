"""The ballot-log format yishiting-ballot-log/1 as the app implements it (app/votes/ballot_log.py)."""

import copy
import hashlib
import json
import random

import pytest

from app.votes import ballot_log as bl
from tests.votes_data import oracle
from tests.votes_data.logs import approval_doc, export, manifest, shared_file


@pytest.fixture(scope="module")
def vectors():
    return json.loads(shared_file("rfc6962_vectors.json").read_text())


def leaf_hashes(vectors):
    return [hashlib.sha256(b"\x00" + bytes.fromhex(x)).hexdigest() for x in vectors["leaves_hex"]]


# --- canonical JSON and hashes ----------------------------------------------------------------


def test_canon_sorts_keys_drops_spaces_and_keeps_chinese_as_utf8():
    assert (
        bl.canon({"b": 1, "a": [1, "议事"], "c": None})
        == '{"a":[1,"议事"],"b":1,"c":null}'.encode()
    )


def test_manifest_hash_is_sha256_of_canonical_manifest():
    m = manifest("ratification", ["pact-1-v2"], size=10)
    assert bl.manifest_hash(m) == hashlib.sha256(bl.canon(m)).hexdigest()
    assert bl.manifest_hash(dict(reversed(list(m.items())))) == bl.manifest_hash(m)


def test_record_hash_is_a_leaf_hash_over_the_record_without_its_hash():
    r = bl.make_record(
        seq=0,
        vote=3,
        cast_at="2026-05-02T09:00:00Z",
        voter=None,
        choices={"answer": "yes"},
        nonce="0" * 32,
        prev="f" * 64,
    )
    assert list(r) == ["seq", "vote", "cast_at", "voter", "choices", "nonce", "prev", "hash"]
    body = {k: v for k, v in r.items() if k != "hash"}
    assert r["hash"] == hashlib.sha256(b"\x00" + bl.canon(body)).hexdigest()
    assert bl.record_hash(r) == r["hash"]  # a present "hash" key is ignored


def test_nonces_are_32_fresh_hex_digits():
    nonces = {bl.new_nonce() for _ in range(100)}
    assert len(nonces) == 100
    assert all(len(n) == 32 and int(n, 16) >= 0 and n == n.lower() for n in nonces)


# --- RFC 6962 test vectors -----------------------------------------------------------------


def test_hasher_vectors(vectors):
    by = {v["desc"]: v for v in vectors["hasher_vectors"]}
    assert bl.merkle_root([]) == by["empty tree root = SHA256('')"]["want"] == bl.EMPTY_ROOT
    for v in vectors["hasher_vectors"]:
        if "leaf_hex" in v:
            assert hashlib.sha256(b"\x00" + bytes.fromhex(v["leaf_hex"])).hexdigest() == v["want"]
        if "left_hex" in v:
            assert (
                bl._node(bytes.fromhex(v["left_hex"]), bytes.fromhex(v["right_hex"])).hex()
                == v["want"]
            )


def test_roots_of_every_size_match_the_vectors(vectors):
    leaves = leaf_hashes(vectors)
    assert len(vectors["roots_by_size"]) == 9
    for size, root in vectors["roots_by_size"].items():
        assert bl.merkle_root(leaves[: int(size)]) == root


def test_node_hashes_match_the_vectors(vectors):
    leaves = leaf_hashes(vectors)
    for level, nodes in enumerate(vectors["node_hashes_by_level"]):
        width = 2**level
        for i, node in enumerate(nodes):
            assert bl.merkle_root(leaves[i * width : (i + 1) * width]) == node


def test_inclusion_proofs_match_the_vectors_and_verify(vectors):
    leaves = leaf_hashes(vectors)
    for p in vectors["inclusion_proofs"]:
        size, index = p["tree_size"], p["index"]
        assert bl.inclusion_proof(index, leaves[:size]) == p["proof"]
        root = vectors["roots_by_size"][str(size)]
        assert bl.verify_inclusion(leaves[index], index, size, p["proof"], root)


def test_consistency_proofs_match_the_vectors_and_verify(vectors):
    leaves = leaf_hashes(vectors)
    roots = vectors["roots_by_size"]
    for p in vectors["consistency_proofs"]:
        s1, s2 = p["size1"], p["size2"]
        assert oracle.consistency_proof(s1, leaves[:s2]) == p["proof"]
        assert oracle.verify_consistency(s1, s2, roots[str(s1)], roots[str(s2)], p["proof"])


def test_inclusion_verifier_probes(vectors):
    probes = vectors["verifier_probes"]["inclusion"]
    assert len(probes) > 50 and any(not p["want_err"] for p in probes)
    for p in probes:
        ok = bl.verify_inclusion(p["leaf_hash"], p["index"], p["tree_size"], p["proof"], p["root"])
        assert ok is (not p["want_err"]), p["file"]


def test_consistency_verifier_probes(vectors):
    for p in vectors["verifier_probes"]["consistency"]:
        ok = oracle.verify_consistency(p["size1"], p["size2"], p["root1"], p["root2"], p["proof"])
        assert ok is (not p["want_err"]), p["file"]


def _reference_root(leaves: list[bytes]) -> bytes:
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(
        b"\x01" + _reference_root(leaves[:k]) + _reference_root(leaves[k:])
    ).digest()


def test_every_size_up_to_70_matches_the_recursive_definition_and_every_proof_verifies():
    rng = random.Random(6962)
    leaves = [rng.randbytes(32).hex() for _ in range(70)]
    for n in range(1, 71):
        root = bl.merkle_root(leaves[:n])
        assert root == _reference_root([bytes.fromhex(x) for x in leaves[:n]]).hex()
        for i in range(n):
            proof = bl.inclusion_proof(i, leaves[:n])
            assert bl.verify_inclusion(leaves[i], i, n, proof, root)
            assert not bl.verify_inclusion(leaves[(i + 1) % n], i, n, proof, root) or n == 1
        for m in range(1, n + 1, 7):
            assert oracle.verify_consistency(
                m, n, bl.merkle_root(leaves[:m]), root, oracle.consistency_proof(m, leaves[:n])
            )


def test_a_proof_against_a_wrong_root_or_size_fails():
    leaves = [hashlib.sha256(bytes([i])).hexdigest() for i in range(5)]
    root, proof = bl.merkle_root(leaves), bl.inclusion_proof(3, leaves)
    assert bl.verify_inclusion(leaves[3], 3, 5, proof, root)
    assert not bl.verify_inclusion(leaves[3], 3, 4, proof, root)
    assert not bl.verify_inclusion(leaves[3], 2, 5, proof, root)
    assert not bl.verify_inclusion(leaves[3], 3, 5, proof, bl.merkle_root(leaves[:4]))
    assert not bl.verify_inclusion(leaves[3].upper(), 3, 5, proof, root)
    with pytest.raises(IndexError):
        bl.inclusion_proof(5, leaves)


# --- params and ballots --------------------------------------------------------------------


def test_default_params_follow_design():
    assert bl.default_params("approval", 9, seats=3) == {
        "seats": 3,
        "max_choices": 3,
        "threshold": 4,
        "quorum": 4,
    }
    assert bl.default_params("approval", 10, n_options=6) == {
        "seats": 5,
        "max_choices": 5,
        "threshold": 5,
        "quorum": 5,
    }
    assert bl.default_params("approval", 10, seats=2, budget=500, threshold=None)["budget"] == 500
    assert bl.default_params("item_by_item", 7) == {"threshold": 3, "quorum": 3}
    assert bl.default_params("equal_shares", 300, budget=100000) == {"budget": 100000, "quorum": 0}
    assert bl.default_params("ratification", 101) == {"quorum": 50}
    with pytest.raises(ValueError):
        bl.default_params("equal_shares", 300)
    with pytest.raises(ValueError):
        bl.default_params("ratification", 10, seats=2)


def test_approval_ballots_are_normalised_and_limited():
    p = {"max_choices": 2}
    assert bl.validate_choices("approval", ["a", "b", "c"], p, {"approve": ["c", "a", "c"]}) == {
        "approve": ["a", "c"]
    }
    assert bl.validate_choices("approval", ["a", "b"], p, {"approve": []}) == {"approve": []}
    cases = [
        ({"approve": ["a", "b", "c"]}, "too_many"),
        ({"approve": ["z"]}, "unknown_option"),
        ({"approve": [1]}, "unknown_option"),
        ({"approve": "a"}, "malformed"),
        ({"approve": ["a"], "x": 1}, "malformed"),
        (["a"], "malformed"),
    ]
    for choices, code in cases:
        with pytest.raises(bl.InvalidBallot) as e:
            bl.validate_choices("approval", ["a", "b", "c"], p, choices)
        assert e.value.code == code and str(e.value)


def test_equal_shares_ballots_may_approve_any_number():
    ids = [str(i) for i in range(10)]
    assert bl.validate_choices("equal_shares", ids, {"budget": 10}, {"approve": ids[::-1]}) == {
        "approve": sorted(ids)
    }


def test_item_by_item_ballots_answer_every_item():
    ids = ["a", "b"]
    assert bl.validate_choices("item_by_item", ids, {}, {"b": "no", "a": "abstain"}) == {
        "a": "abstain",
        "b": "no",
    }
    for choices, code in [
        ({"a": "yes"}, "missing_item"),
        ({"a": "yes", "b": "no", "c": "yes"}, "unknown_option"),
        ({"a": "yes", "b": "maybe"}, "bad_answer"),
    ]:
        with pytest.raises(bl.InvalidBallot) as e:
            bl.validate_choices("item_by_item", ids, {}, choices)
        assert e.value.code == code


def test_ratification_ballots_hold_one_answer():
    assert bl.validate_choices("ratification", [], {}, {"answer": "abstain"}) == {
        "answer": "abstain"
    }
    with pytest.raises(bl.InvalidBallot):
        bl.validate_choices("ratification", [], {}, {"answer": "perhaps"})
    with pytest.raises(bl.InvalidBallot):
        bl.validate_choices("ratification", [], {}, {"answer": "yes", "extra": 1})


def test_manifest_problems_catch_malformed_manifests():
    m = manifest("equal_shares", [("a", 10)], size=3, budget=20)
    assert bl.manifest_problems(m) == []
    assert bl.manifest_problems({**m, "extra": 1})
    assert bl.manifest_problems({**m, "options": [{"id": "a", "title": "A", "cost": 0}]})
    assert bl.manifest_problems({**m, "options": [{"id": "a", "title": "A", "cost": 1.5}]})
    assert bl.manifest_problems({**m, "params": {"budget": 20}})
    assert bl.manifest_problems({**m, "secrecy": "hidden"})
    assert bl.manifest_problems({**m, "opens_at": "2026-05-01 08:00"})


# --- exports and checkpoints -------------------------------------------------------------------


def test_a_built_export_checks_out_and_survives_json():
    doc = approval_doc()
    assert doc["format"] == bl.FORMAT
    assert list(doc) == [
        "format",
        "manifest",
        "manifest_hash",
        "ballots",
        "checkpoints",
        "participation",
        "result",
    ]
    assert oracle.check_export(json.loads(json.dumps(doc, ensure_ascii=False))) == []


def test_every_checkpoint_taken_while_open_verifies_against_the_final_log():
    m = manifest("approval", ["a", "b", "c"], size=40, seats=2)
    rng = random.Random(5)
    doc = export(
        m, [{"approve": rng.sample(["a", "b", "c"], 2)} for _ in range(37)], checkpoint_every=5
    )
    hashes = [r["hash"] for r in doc["ballots"]]
    final_root = bl.merkle_root(hashes)
    assert len(doc["checkpoints"]) == 8 and doc["checkpoints"][-1]["size"] == 37
    for cp in doc["checkpoints"]:
        assert cp["root"] == bl.merkle_root(hashes[: cp["size"]])
        # the log seen then is a prefix of the final one, provably
        proof = oracle.consistency_proof(cp["size"], hashes)
        assert oracle.verify_consistency(cp["size"], len(hashes), cp["root"], final_root, proof)
    assert oracle.check_export(doc) == []


def test_check_export_names_what_is_wrong():
    doc = approval_doc()
    bad = copy.deepcopy(doc)
    bad["ballots"][2]["choices"] = {"approve": ["c", "d"]}
    assert "record hash mismatch" in oracle.check_export(bad)[0]
    bad = copy.deepcopy(doc)
    bad["checkpoints"][0]["root"] = bl.EMPTY_ROOT
    assert any("checkpoint 0" in p for p in oracle.check_export(bad))
    bad = copy.deepcopy(doc)
    bad["result"]["options"]["a"]["approvals"] += 1
    assert any("differs from its recount" in p for p in oracle.check_export(bad))
    bad = copy.deepcopy(doc)
    bad["manifest"]["title"] = "Another title"
    assert any("manifest hash mismatch" in p for p in oracle.check_export(bad))


def test_find_receipt_gives_a_proof_that_verifies():
    doc = approval_doc(secrecy="secret")
    receipt = doc["ballots"][3]["hash"]
    found = oracle.find_receipt(doc, receipt.upper())
    assert found["index"] == 3 and found["size"] == 5 and found["root"] == doc["result"]["root"]
    assert bl.verify_inclusion(receipt, 3, 5, found["proof"], found["root"])
    assert oracle.find_receipt(doc, "0" * 64) is None
