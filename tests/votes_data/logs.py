"""Build ballot-log exports in memory with the app's own functions, for tests."""

from __future__ import annotations

import copy
from pathlib import Path

from app.votes import ballot_log as bl
from app.votes.methods import tally
from tests.votes_data import oracle

REPO = Path(__file__).resolve().parents[2]
#: Public test data copied into the repository (tests/data/README.md says where from).
TESTDATA = REPO / "tests" / "data"
VERIFIER = REPO / "tools" / "verify_ballot_log.py"


def shared_file(name: str) -> Path:
    """A file of the public test data in tests/data; fails (never skips) when it is missing."""
    path = TESTDATA / name
    assert path.is_file(), f"test data missing: {path}"
    return path


def manifest(
    method: str, options, *, size: int, secrecy: str = "open", vote: int = 7, **params
) -> dict:
    """A manifest with DESIGN defaults for the params not given; options are (id, cost) pairs or ids."""
    opts = []
    for o in options:
        oid, cost = (o, 0) if isinstance(o, str) else o
        opts.append({"id": oid, "title": f"Project {oid}", "cost": cost})
    return {
        "vote": vote,
        "title": "A test vote",
        "method": method,
        "options": opts,
        "params": bl.default_params(method, size, n_options=len(opts), **params),
        "electorate": {"kind": "deputies", "size": size},
        "secrecy": secrecy,
        "opens_at": "2026-05-01T08:00:00Z",
        "closes_at": "2026-05-08T08:00:00Z",
    }


def export(m: dict, ballots: list[dict], *, checkpoint_every: int = 2) -> dict:
    """The export of a closed vote with ``ballots`` (raw choices) cast in order."""
    ids = [o["id"] for o in m["options"]]
    prev = bl.manifest_hash(m)
    records, checkpoints, names = [], [], []
    for seq, choices in enumerate(ballots):
        name = f"Voter {seq:03d}"
        record = bl.make_record(
            seq=seq,
            vote=m["vote"],
            cast_at=f"2026-05-02T09:{seq % 60:02d}:00Z",
            voter=name if m["secrecy"] == "open" else None,
            choices=bl.validate_choices(m["method"], ids, m["params"], choices),
            nonce=bl.new_nonce(),
            prev=prev,
        )
        records.append(record)
        names.append(name)
        prev = record["hash"]
        if (seq + 1) % checkpoint_every == 0:
            checkpoints.append(
                oracle.make_checkpoint([r["hash"] for r in records], "2026-05-03T00:00:00Z")
            )
    hashes = [r["hash"] for r in records]
    checkpoints.append(oracle.make_checkpoint(hashes, "2026-05-08T08:00:00Z"))
    result = tally(m, [r["choices"] for r in records], bl.merkle_root(hashes))
    return bl.build_export(m, records, checkpoints, names, result)


def rechain(doc: dict, *, recount: bool = True) -> dict:
    """Re-link, re-hash and re-checkpoint a (tampered) export, like a forger with no receipts would."""
    doc = copy.deepcopy(doc)
    doc["manifest_hash"] = bl.manifest_hash(doc["manifest"])
    prev = doc["manifest_hash"]
    for seq, record in enumerate(doc["ballots"]):
        record["seq"], record["prev"] = seq, prev
        record["hash"] = bl.record_hash(record)
        prev = record["hash"]
    hashes = [r["hash"] for r in doc["ballots"]]
    doc["checkpoints"] = [oracle.make_checkpoint(hashes, "2026-05-08T08:00:00Z")]
    if recount:
        try:
            doc["result"] = tally(
                doc["manifest"], [r["choices"] for r in doc["ballots"]], bl.merkle_root(hashes)
            )
        except (KeyError, TypeError):
            pass  # ballots the tally cannot even read: keep the old result
    return doc


def approval_doc(secrecy: str = "open") -> dict:
    """Five deputies choose two of four projects."""
    m = manifest("approval", ["a", "b", "c", "d"], size=5, secrecy=secrecy, seats=2)
    return export(
        m,
        [
            {"approve": ["a", "b"]},
            {"approve": ["c", "a"]},
            {"approve": ["a", "b"]},
            {"approve": ["b", "c"]},
            {"approve": ["d"]},
        ],
    )
