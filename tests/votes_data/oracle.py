"""Test oracles for the ballot log: what only the tests call, built on app.votes.ballot_log.

`check_export` is the app's own reading of an export (``tools/verify_ballot_log.py`` is the
independent one, sharing no code); RFC 6962 consistency proofs, checkpoints and receipt look-ups
on an export document serve the tests of the log's properties.
"""

from __future__ import annotations

from app.votes.ballot_log import (
    _HEX32,
    CHECKPOINT_KEYS,
    EXPORT_KEYS,
    FORMAT,
    FORMAT_2,
    RECORD_KEYS,
    InvalidBallot,
    _hash_bytes,
    _is_int,
    _node,
    _root_bytes,
    _split,
    inclusion_proof,
    is_timestamp,
    manifest_hash,
    manifest_problems,
    merkle_root,
    record_hash,
    validate_choices,
)
from app.votes.methods import tally


def consistency_proof(size1: int, leaf_hashes: list[str]) -> list[str]:
    """RFC 6962 consistency proof between the first ``size1`` leaves and all of them."""
    n = len(leaf_hashes)
    if not 0 < size1 <= n:
        raise ValueError(f"no consistency proof from size {size1} to {n}")
    leaves = [bytes.fromhex(h) for h in leaf_hashes]

    def subproof(m: int, lo: int, hi: int, whole: bool) -> list[bytes]:
        size = hi - lo
        if m == size:
            return [] if whole else [_root_bytes(leaves[lo:hi])]
        k = _split(size)
        if m <= k:
            return subproof(m, lo, lo + k, whole) + [_root_bytes(leaves[lo + k : hi])]
        return subproof(m - k, lo + k, hi, False) + [_root_bytes(leaves[lo : lo + k])]

    return [p.hex() for p in subproof(size1, 0, n, True)]


def verify_consistency(
    size1: int, size2: int, root1: str, root2: str, proof: list[str] | None
) -> bool:
    """Whether ``proof`` shows the tree (size1, root1) is a prefix of (size2, root2) (RFC 9162 2.1.4.2)."""
    proof = proof or []
    if not isinstance(size1, int) or not isinstance(size2, int) or not 0 < size1 <= size2:
        return False
    if size1 == size2:  # the same tree: nothing to prove, the roots must simply be equal
        return not proof and root1 == root2
    r1, r2 = _hash_bytes(root1), _hash_bytes(root2)
    nodes = [_hash_bytes(p) for p in proof]
    if r1 is None or r2 is None or any(x is None for x in nodes):
        return False
    if not nodes:
        return False
    if size1 & (size1 - 1) == 0:  # a power of two: the old root is the first node of the path
        nodes = [r1, *nodes]
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = nodes[0]
    for c in nodes[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = _node(c, fr)
            sr = _node(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = _node(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == r1 and sr == r2 and sn == 0


def make_checkpoint(leaf_hashes: list[str], at: str) -> dict:
    """A checkpoint of the log made of ``leaf_hashes`` (all records so far, in seq order)."""
    return {"size": len(leaf_hashes), "root": merkle_root(leaf_hashes), "at": at}


def find_receipt(doc: dict, receipt: str) -> dict | None:
    """The inclusion proof of the record whose hash is ``receipt`` in an export, or None."""
    hashes = [r["hash"] for r in doc["ballots"]]
    receipt = receipt.strip().lower()
    if receipt not in hashes:
        return None
    index = hashes.index(receipt)
    return {
        "index": index,
        "size": len(hashes),
        "proof": inclusion_proof(index, hashes),
        "root": merkle_root(hashes),
        "record": doc["ballots"][index],
    }


def check_witnessed(doc: dict) -> list[str]:
    """The /2 parts of an export, read with app.core.tlog: signatures, quorum, consistency, counts."""
    from app.core import tlog

    problems = []
    policy = tlog.parse_policy(doc["policy"])
    previous = None
    leaves = [bytes.fromhex(r["hash"]) for r in doc["ballots"]]
    for j, cp in enumerate(doc["checkpoints"]):
        last = j == len(doc["checkpoints"]) - 1
        try:
            if last:
                verified = tlog.verify_checkpoint(cp["note"], policy)
                checkpoint = verified.checkpoint
            else:
                checkpoint = tlog.parse_checkpoint(tlog.parse_note(cp["note"]).text)
                tlog.verify_note(cp["note"], [v for v, _ in policy.logs])
        except tlog.TlogError as e:
            problems.append(f"checkpoint {j}: {e}")
            continue
        if (checkpoint.size, checkpoint.root.hex()) != (cp["size"], cp["root"]):
            problems.append(f"checkpoint {j}: its note is of another tree")
        if checkpoint.origin != doc["manifest"].get("log", "").split("+")[0]:
            problems.append(f"checkpoint {j}: its origin is not the manifest's log")
        if previous is not None:
            proof = tlog.consistency_proof(previous.size, leaves[: checkpoint.size])
            if not tlog.verify_consistency(
                previous.size, checkpoint.size, previous.root, checkpoint.root, proof
            ) and not (previous.size == 0 and previous.root == tlog.empty_root()):
                problems.append(f"checkpoints {j - 1} and {j} are not consistent")
        previous = checkpoint
    rec = doc["reconciliation"]
    n = len(doc["ballots"])
    if (rec["ballots"], rec["participants"], rec["electorate"]) != (
        n,
        len(doc["participation"]),
        doc["manifest"]["electorate"]["size"],
    ) or rec["paper_ballots"] + rec["online_ballots"] != n:
        problems.append(f"the reconciliation does not add up: {rec}")
    if sum(rec.get("paper_entered_by", {}).values()) != rec["paper_ballots"]:
        problems.append("the paper ballots by whom do not add up")
    if doc["manifest"]["secrecy"] == "open":
        labels = [r["voter"] for r in doc["ballots"]]
        if len(set(labels)) != len(labels):
            problems.append("an open vote's label votes twice")
    return problems


def check_export(doc) -> list[str]:
    """Everything wrong with an export document (empty when it verifies).

    The app's own reading of the format; ``tools/verify_ballot_log.py`` is the independent one.
    A /2 export is checked for its witnessed parts, then as the /1 document inside it.
    """
    if not isinstance(doc, dict):
        return ["the document is not a JSON object"]
    if doc.get("format") == FORMAT_2:
        problems = check_witnessed(doc)
        inner = {k: v for k, v in doc.items() if k not in ("policy", "reconciliation")}
        inner["format"] = FORMAT
        inner["checkpoints"] = [
            {k: v for k, v in cp.items() if k != "note"} for cp in doc["checkpoints"]
        ]
        return problems + check_export(inner)
    if set(doc) != EXPORT_KEYS:
        return [f"the document's fields are not {', '.join(sorted(EXPORT_KEYS))}"]
    if doc["format"] != FORMAT:
        return [f"unknown format {doc['format']!r}"]
    manifest = doc["manifest"]
    problems = manifest_problems(manifest)
    if problems:
        return problems
    m_hash = manifest_hash(manifest)
    if doc["manifest_hash"] != m_hash:
        problems.append("manifest hash mismatch: the manifest was changed or the hash is wrong")
    method, params = manifest["method"], manifest["params"]
    option_ids = [o["id"] for o in manifest["options"]]
    ballots = doc["ballots"]
    if not isinstance(ballots, list):
        return [*problems, "the ballots are not a list"]
    prev, hashes, nonces, choices_list, voters = m_hash, [], set(), [], []
    for i, record in enumerate(ballots):
        where = f"ballot {i}"
        if not isinstance(record, dict) or set(record) != RECORD_KEYS:
            problems.append(
                f"{where}: the record's fields are not {', '.join(sorted(RECORD_KEYS))}"
            )
            break
        if not _is_int(record["seq"]) or record["seq"] != i:
            problems.append(
                f"{where}: seq is {record['seq']!r}, the chain has a gap or is out of order"
            )
            break
        if record["prev"] != prev:
            problems.append(f"{where}: broken chain (prev is not the previous record's hash)")
            break
        if record["hash"] != record_hash(record):
            problems.append(f"{where}: record hash mismatch (the record was changed)")
            break
        if not _is_int(record["vote"]) or record["vote"] != manifest["vote"]:
            problems.append(f"{where}: belongs to vote {record['vote']!r}")
        if not is_timestamp(record["cast_at"]):
            problems.append(f"{where}: cast_at is not an ISO 8601 UTC time")
        if not isinstance(record["nonce"], str) or not _HEX32.fullmatch(record["nonce"]):
            problems.append(f"{where}: the nonce is not 32 hex digits")
        elif record["nonce"] in nonces:
            problems.append(f"{where}: duplicated ballot (its nonce appears twice)")
        nonces.add(record["nonce"])
        if manifest["secrecy"] == "secret" and record["voter"] is not None:
            problems.append(f"{where}: a secret vote's record names its voter")
        if manifest["secrecy"] == "open" and not (
            isinstance(record["voter"], str) and record["voter"]
        ):
            problems.append(f"{where}: an open vote's record has no voter")
        voters.append(record["voter"])
        try:
            normal = validate_choices(method, option_ids, params, record["choices"])
        except InvalidBallot as e:
            problems.append(f"{where}: invalid ballot for {method}: {e}")
        else:
            if normal != record["choices"]:
                problems.append(f"{where}: the choices are not in canonical form")
            choices_list.append(normal)
        prev = record["hash"]
        hashes.append(record["hash"])
    if problems:
        return problems
    n = len(ballots)
    size = manifest["electorate"]["size"]
    participation = doc["participation"]
    if not isinstance(participation, list) or not all(isinstance(p, str) for p in participation):
        problems.append("the participation is not a list of names")
    else:
        if participation != sorted(participation):
            problems.append("the participation list is not sorted")
        if n > len(participation):
            problems.append(f"more ballots ({n}) than participants ({len(participation)})")
        elif n < len(participation):
            problems.append(f"fewer ballots ({n}) than participants ({len(participation)})")
        elif manifest["secrecy"] == "open" and sorted(voters) != participation:
            problems.append("the participation list does not name the voters of the records")
    if n > size:
        problems.append(f"more ballots ({n}) than the electorate ({size})")
    root = merkle_root(hashes)
    checkpoints = doc["checkpoints"]
    if not isinstance(checkpoints, list):
        problems.append("the checkpoints are not a list")
    else:
        last = 0
        for j, cp in enumerate(checkpoints):
            if not isinstance(cp, dict) or set(cp) != CHECKPOINT_KEYS or not _is_int(cp["size"]):
                problems.append(f"checkpoint {j} is not {{size, root, at}}")
                continue
            if not 0 <= cp["size"] <= n:
                problems.append(f"checkpoint {j} has size {cp['size']} but the log has {n} ballots")
            elif cp["root"] != merkle_root(hashes[: cp["size"]]):
                problems.append(
                    f"checkpoint {j}: its root is not the root of the first {cp['size']} ballots"
                )
            if cp["size"] < last:
                problems.append(f"checkpoint {j} is smaller than the one before it")
            last = max(last, cp["size"])
            if not is_timestamp(cp["at"]):
                problems.append(f"checkpoint {j}: at is not an ISO 8601 UTC time")
        if not checkpoints or checkpoints[-1].get("size") != n:
            problems.append("the last checkpoint does not cover the whole log")
    recount = tally(manifest, choices_list, root)
    result = doc["result"]
    if result != recount:
        if not isinstance(result, dict):
            problems.append("the result is not an object")
        else:
            keys = sorted(set(result) | set(recount))
            diff = [k for k in keys if result.get(k) != recount.get(k)]
            problems.append(
                "the result differs from its recount in "
                + ", ".join(
                    f"{k} (published {result.get(k)!r}, recount {recount.get(k)!r})"
                    for k in diff[:3]
                )
            )
    return problems
