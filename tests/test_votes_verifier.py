"""The standalone verifier tools/verify_ballot_log.py: an independent reading of the format."""

import ast
import copy
import hashlib
import importlib.util
import json
import subprocess
import sys

import pytest

from app.votes import ballot_log as bl
from tests.votes_data import oracle
from tests.votes_data.logs import VERIFIER, approval_doc, export, manifest, rechain, shared_file


def load_verifier():
    spec = importlib.util.spec_from_file_location("verify_ballot_log", VERIFIER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


verifier = load_verifier()


def run(doc_or_path, tmp_path, *args):
    """Run the verifier as a user would, isolated from site-packages (-I -S): stdlib only."""
    path = doc_or_path
    if not isinstance(doc_or_path, str):
        path = tmp_path / "log.json"
        path.write_text(json.dumps(doc_or_path, ensure_ascii=False), encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-I", "-S", str(VERIFIER), str(path), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.stderr == ""
    return out.returncode, out.stdout


# --- independence -------------------------------------------------------------------------


def test_verifier_uses_the_standard_library_only_and_no_app_code():
    tree = ast.parse(VERIFIER.read_text())
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            modules.add(node.module.split(".")[0])
    assert modules and modules <= set(sys.stdlib_module_names) | {"__future__"}, modules


# --- Merkle reading against the RFC 6962 vectors -------------------------------------------


@pytest.fixture(scope="module")
def vectors():
    return json.loads(shared_file("rfc6962_vectors.json").read_text())


def test_verifier_roots_and_proofs_match_the_vectors(vectors):
    leaves = [hashlib.sha256(b"\x00" + bytes.fromhex(x)).digest() for x in vectors["leaves_hex"]]
    roots = vectors["roots_by_size"]
    for size, root in roots.items():
        assert verifier.tree_hash(leaves[: int(size)]).hex() == root
    assert verifier.prefix_roots(leaves, set(range(9))) == roots_as_ints(roots)
    for p in vectors["inclusion_proofs"]:
        size, index = p["tree_size"], p["index"]
        assert [x.hex() for x in verifier.audit_path(index, leaves[:size])] == p["proof"]
        assert verifier.proof_holds(leaves[index].hex(), index, size, p["proof"], roots[str(size)])


def roots_as_ints(roots):
    return {int(k): v for k, v in roots.items()}


def test_verifier_inclusion_probes(vectors):
    for p in vectors["verifier_probes"]["inclusion"]:
        ok = verifier.proof_holds(p["leaf_hash"], p["index"], p["tree_size"], p["proof"], p["root"])
        assert ok is (not p["want_err"]), p["file"]


def test_verifier_and_app_agree_on_random_trees():
    for n in (1, 2, 3, 5, 8, 13, 100, 257):
        leaves = [hashlib.sha256(str((n, i)).encode()).hexdigest() for i in range(n)]
        raw = [bytes.fromhex(x) for x in leaves]
        root = bl.merkle_root(leaves)
        assert verifier.tree_hash(raw).hex() == root
        assert verifier.prefix_roots(raw, {n})[n] == root
        for i in {0, n // 2, n - 1}:
            assert [x.hex() for x in verifier.audit_path(i, raw)] == bl.inclusion_proof(i, leaves)


# --- valid logs ----------------------------------------------------------------------------


def valid_docs():
    yield "approval", approval_doc()
    yield "approval-secret", approval_doc(secrecy="secret")
    m = manifest("item_by_item", ["x", "y"], size=4)
    yield (
        "item_by_item",
        export(
            m, [{"x": "yes", "y": "no"}, {"x": "yes", "y": "yes"}, {"x": "abstain", "y": "yes"}]
        ),
    )
    m = manifest(
        "equal_shares", [("A", 60), ("B", 40), ("C", 70)], size=10, budget=100, secrecy="secret"
    )
    yield (
        "equal_shares",
        export(m, [{"approve": ["A"]}] * 3 + [{"approve": ["B", "C"]}, {"approve": []}]),
    )
    m = manifest("ratification", ["pact-1-v3"], size=5)
    yield "ratification", export(m, [{"answer": a} for a in ("yes", "yes", "no", "abstain")])
    m = manifest("approval", ["a", "b"], size=9, seats=1)
    yield "quorum-not-met", export(m, [{"approve": ["a"]}])
    yield "empty", export(manifest("approval", ["a", "b"], size=3, seats=1), [])


@pytest.mark.parametrize("name,doc", list(valid_docs()))
def test_valid_logs_pass_the_verifier_and_the_app_check(name, doc, tmp_path):
    assert oracle.check_export(doc) == []
    code, out = run(doc, tmp_path)
    assert code == 0, out
    assert out.startswith(f"VALID {bl.FORMAT}: vote 7 ")
    assert doc["result"]["root"] in out


def test_verdict_names_winners_or_adoption(tmp_path):
    code, out = run(approval_doc(), tmp_path)
    assert "winners: " in out
    docs = dict(valid_docs())
    assert "adopted" in run(docs["ratification"], tmp_path)[1]


# --- mutations ------------------------------------------------------------------------------


def edit(doc, fn):
    doc = copy.deepcopy(doc)
    fn(doc)
    return doc


def set_choices(i, choices):
    def fn(doc):
        doc["ballots"][i]["choices"] = choices

    return fn


def rehash_one(i, choices):
    def fn(doc):
        doc["ballots"][i]["choices"] = choices
        doc["ballots"][i]["hash"] = bl.record_hash(doc["ballots"][i])

    return fn


def insert_ballot(doc):
    before = doc["ballots"][1]
    forged = bl.make_record(
        seq=2,
        vote=7,
        cast_at="2026-05-02T09:30:00Z",
        voter="Voter 999",
        choices={"approve": ["d"]},
        nonce="ab" * 16,
        prev=before["hash"],
    )
    doc["ballots"].insert(2, forged)
    doc["participation"] = sorted([*doc["participation"], "Voter 999"])


def swap(i, j, renumber=False):
    def fn(doc):
        b = doc["ballots"]
        b[i], b[j] = b[j], b[i]
        if renumber:
            b[i]["seq"], b[j]["seq"] = i, j

    return fn


def drop_last(doc):
    gone = doc["ballots"].pop()
    doc["participation"].remove(gone["voter"])


def inflate(path, value):
    def fn(doc):
        target = doc["result"]
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value(target[path[-1]])

    return fn


BASE = approval_doc()

MUTATIONS = {
    "edited ballot": (
        edit(BASE, set_choices(1, {"approve": ["c", "d"]})),
        "record hash mismatch at seq 1",
    ),
    "edited ballot with its hash redone": (
        edit(BASE, rehash_one(1, {"approve": ["c", "d"]})),
        "broken chain at seq 2",
    ),
    "dropped ballot": (edit(BASE, lambda d: d["ballots"].pop(2)), "gap or disorder"),
    "dropped last ballot": (edit(BASE, drop_last), "checkpoint"),
    "inserted ballot": (edit(BASE, insert_ballot), "gap or disorder"),
    "reordered ballots": (edit(BASE, swap(1, 3)), "gap or disorder"),
    "reordered and renumbered ballots": (
        edit(BASE, swap(1, 3, renumber=True)),
        "broken chain at seq 1",
    ),
    "duplicated ballot": (
        edit(BASE, lambda d: d["ballots"].append(copy.deepcopy(d["ballots"][0]))),
        "gap or disorder",
    ),
    "duplicated ballot, log re-forged": (
        rechain(
            edit(
                BASE,
                lambda d: (
                    d["ballots"].append(copy.deepcopy(d["ballots"][0])),
                    d["participation"].append("Voter 000"),
                    d["participation"].sort(),
                ),
            )
        ),
        "duplicates an earlier ballot",
    ),
    "edited manifest": (
        edit(BASE, lambda d: d["manifest"].update(title="Another vote")),
        "manifest hash mismatch",
    ),
    "edited manifest with its hash redone": (
        edit(
            BASE,
            lambda d: (
                d["manifest"]["params"].update(seats=3),
                d.update(manifest_hash=bl.manifest_hash(d["manifest"])),
            ),
        ),
        "broken chain at seq 0",
    ),
    "inflated approvals": (
        edit(BASE, inflate(["options", "c", "approvals"], lambda v: v + 2)),
        "result differs",
    ),
    "inflated ballot count": (edit(BASE, inflate(["ballots"], lambda v: v + 1)), "result differs"),
    "extra winner": (edit(BASE, inflate(["winners"], lambda v: [*v, "c"])), "result differs"),
    "tie drawn the other way": (
        edit(BASE, inflate(["winners"], lambda v: v[::-1])),
        "result differs",
    ),
    "quorum claimed": (
        edit(
            export(manifest("approval", ["a", "b"], size=9, seats=1), [{"approve": ["a"]}]),
            inflate(["quorum_met"], lambda v: True),
        ),
        "result differs",
    ),
    "invalid ballot, log re-forged": (
        rechain(edit(BASE, set_choices(0, {"approve": ["a", "b", "c"]}))),
        "invalid ballot at seq 0",
    ),
    "unknown option, log re-forged": (
        rechain(edit(BASE, set_choices(0, {"approve": ["zz"]}))),
        "invalid ballot",
    ),
    "unsorted approvals, log re-forged": (
        rechain(edit(BASE, set_choices(0, {"approve": ["b", "a"]}))),
        "invalid ballot",
    ),
    "more ballots than participants": (
        edit(BASE, lambda d: d["participation"].pop()),
        "more ballots (5) than participants (4)",
    ),
    "more ballots than the electorate": (
        rechain(edit(BASE, lambda d: d["manifest"]["electorate"].update(size=4))),
        "more ballots (5) than the electorate (4)",
    ),
    "wrong checkpoint root": (
        edit(BASE, lambda d: d["checkpoints"][0].update(root=bl.EMPTY_ROOT)),
        "checkpoint 0",
    ),
    "checkpoint beyond the log": (
        edit(BASE, lambda d: d["checkpoints"][1].update(size=9)),
        "checkpoint 1",
    ),
    "no closing checkpoint": (edit(BASE, lambda d: d["checkpoints"].pop()), "closing checkpoint"),
    "voter named in a secret vote": (
        edit(approval_doc(secrecy="secret"), lambda d: d["ballots"][0].update(voter="Voter 000")),
        "record hash mismatch",
    ),
}


def equal_shares_doc():
    m = manifest(
        "equal_shares", [("A", 60), ("B", 40), ("C", 70)], size=10, budget=100, secrecy="secret"
    )
    return export(m, [{"approve": ["A"]}] * 3 + [{"approve": ["B", "C"]}])


def ratification_doc():
    m = manifest("ratification", ["pact-1-v3"], size=5)
    return export(m, [{"answer": a} for a in ("yes", "yes", "no", "abstain")])


MUTATIONS.update(
    {
        "equal shares winners changed": (
            edit(equal_shares_doc(), inflate(["winners"], lambda v: ["A", "C"])),
            "winners",
        ),
        "equal shares order changed": (
            edit(equal_shares_doc(), inflate(["winners"], lambda v: v[::-1])),
            "winners",
        ),
        "equal shares share changed": (
            edit(equal_shares_doc(), inflate(["share"], lambda v: "40")),
            "share",
        ),
        "greedy outcome changed": (
            edit(equal_shares_doc(), inflate(["greedy_winners"], lambda v: ["A"])),
            "greedy_winners",
        ),
        "ratification adopted flipped": (
            edit(ratification_doc(), inflate(["adopted"], lambda v: not v)),
            "adopted",
        ),
        "ratification yes inflated": (
            edit(ratification_doc(), inflate(["yes"], lambda v: v + 1)),
            "yes",
        ),
    }
)


def item_by_item_doc():
    m = manifest("item_by_item", [("x", 10), ("y", 20)], size=4)
    return export(
        m, [{"x": "yes", "y": "no"}, {"x": "abstain", "y": "yes"}, {"x": "yes", "y": "yes"}]
    )


MUTATIONS.update(
    {
        # Every kind of invalid ballot DESIGN.md names, each in a log re-forged so that only the ballot is wrong.
        "item left unanswered, log re-forged": (
            rechain(edit(item_by_item_doc(), set_choices(1, {"x": "yes"}))),
            "invalid ballot at seq 1 for item_by_item",
        ),
        "item answered maybe, log re-forged": (
            rechain(edit(item_by_item_doc(), set_choices(0, {"x": "maybe", "y": "no"}))),
            "invalid ballot at seq 0",
        ),
        "ratification answered maybe, log re-forged": (
            rechain(edit(ratification_doc(), set_choices(2, {"answer": "maybe"}))),
            "invalid ballot at seq 2",
        ),
        "fewer ballots than participants": (
            edit(
                item_by_item_doc(),
                lambda d: (d["participation"].append("Voter 999"), d["participation"].sort()),
            ),
            "fewer ballots (3) than participants (4)",
        ),
        # A free project cannot be funded by equal shares: such a manifest is refused, not recounted.
        "equal shares option without a cost": (
            rechain(edit(equal_shares_doc(), lambda d: d["manifest"]["options"][0].update(cost=0))),
            "costs nothing",
        ),
    }
)


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_verifier_rejects_a_tampered_log(name, tmp_path):
    doc, reason = MUTATIONS[name]
    code, out = run(doc, tmp_path)
    assert code == 1, out
    assert out.startswith("INVALID: ")
    assert reason in out.splitlines()[0], out
    # the app's own check refuses it too
    assert oracle.check_export(json.loads(json.dumps(doc))) != []


def test_unreadable_file_is_invalid(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    code, out = run(str(path), tmp_path)
    assert code == 1 and out.startswith("INVALID: cannot read")
    code, out = run({"format": "something-else/2"}, tmp_path)
    assert code == 1 and "format" in out


# --- receipts ------------------------------------------------------------------------------


def test_receipt_prints_its_inclusion_proof_and_checks_it(tmp_path):
    doc = approval_doc(secrecy="secret")
    receipt = doc["ballots"][3]["hash"]
    code, out = run(doc, tmp_path, "--receipt", receipt)
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0].startswith("VALID")
    assert f"receipt {receipt}: ballot seq 3, tree size 5" in out
    proof = [line.strip() for line in lines if line.startswith("  ")]
    assert proof == bl.inclusion_proof(3, [r["hash"] for r in doc["ballots"]])
    assert f"the proof leads to the root {doc['result']['root']}" in out


def test_unknown_receipt_is_reported(tmp_path):
    code, out = run(approval_doc(), tmp_path, "--receipt", "0" * 64)
    assert code == 1
    assert out.splitlines()[-1] == f"INVALID: receipt {'0' * 64} is not in this log"


# --- the verifier's own equal shares -------------------------------------------------------------


def test_verifier_equal_shares_agrees_with_the_app_on_random_elections():
    import random

    from app.votes.methods import equal_shares_outcome, lot_key

    rng = random.Random(995079)
    root = "c" * 64
    for _ in range(300):
        projects = [f"p{i}" for i in range(rng.randint(1, 6))]
        costs = {p: rng.choice([rng.randint(1, 50), rng.randint(100, 100_000)]) for p in projects}
        ballots = [
            sorted(rng.sample(projects, rng.randint(0, len(projects))))
            for _ in range(rng.randint(1, 12))
        ]
        budget = rng.randint(10, 200_000)
        app_side = equal_shares_outcome(ballots, costs, budget, lambda p: lot_key(root, p))
        approvals = {p: sum(p in b for b in ballots) for p in projects}
        if not any(approvals.values()):
            continue
        mine = verifier.equal_shares_with_completion(ballots, costs, budget, root)
        assert mine == app_side, (ballots, costs, budget)


def test_a_small_equal_shares_vote_with_a_large_budget_verifies(tmp_path):
    m = manifest(
        "equal_shares",
        [("A", 600_000), ("B", 300_000), ("C", 250_000), ("D", 100_000)],
        size=30,
        budget=1_000_000,
        secrecy="secret",
    )
    doc = export(
        m,
        [
            {"approve": ["A"]},
            {"approve": ["B"]},
            {"approve": ["C"]},
            {"approve": ["A", "B"]},
            {"approve": ["D"]},
        ],
    )
    assert doc["result"]["winners"] == ["B", "D", "C"] and doc["result"]["share"] == "374999"
    code, out = run(doc, tmp_path)
    assert code == 0, out


def test_a_boolean_is_not_a_sequence_number(tmp_path):
    doc = copy.deepcopy(approval_doc())
    prev = doc["manifest_hash"]
    for record in doc["ballots"]:  # a forger re-links the log with seq 1 written as true
        if record["seq"] == 1:
            record["seq"] = True  # equal to 1 in Python, but not the integer the format says
        record["prev"] = prev
        record["hash"] = prev = bl.record_hash(record)
    hashes = [r["hash"] for r in doc["ballots"]]
    doc["checkpoints"] = [oracle.make_checkpoint(hashes, "2026-05-08T08:00:00Z")]
    doc["result"]["root"] = bl.merkle_root(hashes)
    code, out = run(doc, tmp_path)
    assert code == 1
    assert out.startswith("INVALID: gap or disorder in the log: position 1 holds seq True")
    assert "seq is True" in oracle.check_export(doc)[0]


def test_receipt_short_code_is_accepted(tmp_path):
    doc = approval_doc()
    receipt = doc["ballots"][2]["hash"]
    code, out = run(doc, tmp_path, "--receipt", f"{receipt[:4]}-{receipt[4:8]}".upper())
    assert code == 0, out
    assert f"receipt {receipt}: ballot seq 2, tree size 5" in out
    code, out = run(doc, tmp_path, "--receipt", "zz")
    assert code == 1 and "neither a receipt" in out
