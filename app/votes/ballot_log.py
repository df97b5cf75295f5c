"""The ballot log, format ``yishiting-ballot-log/1`` (DESIGN.md, "Ballot log").

Pure functions, no database: the app builds records and exports with them; the tests check an
export with ``tests/votes_data/oracle.py``. ``tools/verify_ballot_log.py`` is a second,
independent reading of the same format (it shares no code with this module).

Definitions (DESIGN.md speaks first; what it leaves open is fixed here):

* ``canon(x)`` = ``json.dumps(x, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``
  encoded as UTF-8; ``H`` = SHA-256 written as lowercase hex.
* Option ids are strings. Timestamps (``cast_at``, ``opens_at``, ``closes_at``, a
  checkpoint's ``at``) are ISO 8601 UTC strings ending in ``Z``, e.g. ``2026-05-01T08:00:00Z``.
* Manifest: exactly ``{"vote", "title", "method", "options": [{"id", "title", "cost"}],
  "params", "electorate": {"kind", "size"}, "secrecy", "opens_at", "closes_at"}``. ``vote`` is
  the vote's integer id, ``cost`` a non-negative integer (currency units; positive for
  ``equal_shares``), ``secrecy`` ``"open"`` or ``"secret"``, ``electorate.size`` an integer.
  ``manifest_hash = H(canon(manifest))``.
* ``params`` holds exactly these keys per method (fill them with :func:`default_params`):

  - ``approval``: ``max_choices`` (a ballot approves at most this many), ``seats`` (at most this
    many winners), ``threshold`` (an option is eligible when its approvals EXCEED it; default
    ``size // 2``, i.e. more than half of the whole electorate), ``quorum`` (the vote is valid
    when the number of ballots EXCEEDS it; default ``size // 2``), optional ``budget`` (integer
    or null: winners must fit within it).
  - ``item_by_item``: ``threshold`` (an option passes when its yes votes EXCEED it; default
    ``size // 2``), ``quorum`` (default ``size // 2``).
  - ``equal_shares``: ``budget`` (integer, required), ``quorum`` (default ``0``: at least one
    ballot).
  - ``ratification``: ``quorum`` (default ``size // 2``: more than half of the electorate took
    part). Adopted when the quorum is met and yes > half of the ballots (abstentions count
    among those who took part).

* Ballot record ``seq`` (0, 1, 2, ...): ``{"seq", "vote", "cast_at", "voter", "choices",
  "nonce", "prev", "hash"}``; ``voter`` is the public name in an open vote and null in a secret
  one; ``nonce`` 32 lowercase hex digits; ``prev`` the manifest hash for seq 0, else the previous
  record's hash; ``hash = H(0x00 || canon(record without "hash"))``. Because of the 0x00 prefix
  a record's hash IS its RFC 6962 leaf hash: the Merkle tree is built directly on them.
* ``choices``: ratification ``{"answer": "yes"|"no"|"abstain"}``; item_by_item
  ``{option_id: "yes"|"no"|"abstain"}`` for every option; approval and equal_shares
  ``{"approve": [option ids, sorted, unique]}`` (an empty list is a valid blank ballot).
* Checkpoint ``{"size", "root", "at"}``: the Merkle root of the first ``size`` records. The
  export of a closed vote ends with a checkpoint of the whole log.
* Export: ``{"format", "manifest", "manifest_hash", "ballots", "checkpoints",
  "participation" (names, sorted), "result"}``; ``result`` is exactly what
  :func:`app.votes.methods.tally` returns for the manifest, the ballots' choices in seq order and
  the log's final root (see that module for its layout).
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Iterable

FORMAT = "yishiting-ballot-log/1"
FORMAT_2 = "yishiting-ballot-log/2"

METHODS = ("approval", "item_by_item", "equal_shares", "ratification")
SECRECY = ("open", "secret")
ANSWERS = ("yes", "no", "abstain")

MANIFEST_KEYS = frozenset(
    {
        "vote",
        "title",
        "method",
        "options",
        "params",
        "electorate",
        "secrecy",
        "opens_at",
        "closes_at",
    }
)
#: Format /2: the log's verifier key (``<origin>+<key ID>+<key>``), so it is hashed with the vote.
OPTIONAL_MANIFEST_KEYS = frozenset({"log"})
OPTION_KEYS = frozenset({"id", "title", "cost"})
ELECTORATE_KEYS = frozenset({"kind", "size"})
RECORD_KEYS = frozenset({"seq", "vote", "cast_at", "voter", "choices", "nonce", "prev", "hash"})
CHECKPOINT_KEYS = frozenset({"size", "root", "at"})
EXPORT_KEYS = frozenset(
    {"format", "manifest", "manifest_hash", "ballots", "checkpoints", "participation", "result"}
)
#: Required and optional keys of ``params`` per method.
PARAM_KEYS = {
    "approval": (frozenset({"max_choices", "seats", "threshold", "quorum"}), frozenset({"budget"})),
    "item_by_item": (frozenset({"threshold", "quorum"}), frozenset()),
    "equal_shares": (frozenset({"budget", "quorum"}), frozenset()),
    "ratification": (frozenset({"quorum"}), frozenset()),
}

EMPTY_ROOT = hashlib.sha256(b"").hexdigest()
_HEX64 = re.compile(r"[0-9a-f]{64}")
_HEX32 = re.compile(r"[0-9a-f]{32}")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z")


class InvalidBallot(ValueError):
    """A ballot that its method refuses; ``str(e)`` is an English reason, ``e.code`` a short code."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


# --- canonical JSON and hashes -------------------------------------------------------------


def canon(x) -> bytes:
    """The canonical JSON bytes of ``x`` that every hash of the format is taken over."""
    return json.dumps(x, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


H = sha256_hex


def manifest_hash(manifest: dict) -> str:
    return sha256_hex(canon(manifest))


def record_hash(record_without_hash: dict) -> str:
    """``H(0x00 || canon(record))``; a ``hash`` key, if present, is left out."""
    body = {k: v for k, v in record_without_hash.items() if k != "hash"}
    return sha256_hex(b"\x00" + canon(body))


def new_nonce() -> str:
    """32 random lowercase hex digits."""
    return secrets.token_hex(16)


def make_record(
    *, seq: int, vote: int, cast_at: str, voter: str | None, choices: dict, nonce: str, prev: str
) -> dict:
    """The ballot record number ``seq`` of the chain, including its ``hash`` (the receipt)."""
    record = {
        "seq": seq,
        "vote": vote,
        "cast_at": cast_at,
        "voter": voter,
        "choices": choices,
        "nonce": nonce,
        "prev": prev,
    }
    record["hash"] = record_hash(record)
    return record


def is_timestamp(value) -> bool:
    return isinstance(value, str) and _TIMESTAMP.fullmatch(value) is not None


def is_hash(value) -> bool:
    return isinstance(value, str) and _HEX64.fullmatch(value) is not None


# --- RFC 6962 Merkle tree over the records' hashes -------------------------------------------


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _root_bytes(leaves: list[bytes]) -> bytes:
    """RFC 6962 MTH over leaf hashes (bytes), bottom-up.

    Pairing level by level and carrying an odd last node up unchanged gives exactly the tree
    whose split is the largest power of two below n.
    """
    if not leaves:
        return hashlib.sha256(b"").digest()
    level = leaves
    while len(level) > 1:
        nxt = [_node(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


def _split(n: int) -> int:
    """The largest power of two strictly below ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def merkle_root(leaf_hashes: list[str]) -> str:
    """The RFC 6962 root of the given leaf hashes (hex); ``H(b"")`` for none."""
    return _root_bytes([bytes.fromhex(h) for h in leaf_hashes]).hex()


def inclusion_proof(index: int, leaf_hashes: list[str]) -> list[str]:
    """RFC 6962 audit path of leaf ``index`` in the tree of ``leaf_hashes``, leaf sibling first."""
    n = len(leaf_hashes)
    if not 0 <= index < n:
        raise IndexError(f"leaf {index} is not in a tree of size {n}")
    leaves = [bytes.fromhex(h) for h in leaf_hashes]
    path: list[bytes] = []
    lo, hi, m = 0, n, index
    # Walk from the root down, collecting siblings; reverse at the end so the leaf's sibling is first.
    while hi - lo > 1:
        k = _split(hi - lo)
        if m < k:
            path.append(_root_bytes(leaves[lo + k : hi]))
            hi = lo + k
        else:
            path.append(_root_bytes(leaves[lo : lo + k]))
            lo, m = lo + k, m - k
    return [p.hex() for p in reversed(path)]


def _hash_bytes(value) -> bytes | None:
    if not is_hash(value):
        return None
    return bytes.fromhex(value)


def verify_inclusion(
    leaf_hash: str, index: int, size: int, proof: list[str] | None, root: str
) -> bool:
    """Whether ``proof`` shows leaf ``leaf_hash`` at ``index`` in a tree of ``size`` with ``root``.

    RFC 9162 section 2.1.3.2. Every hash must be 64 lowercase hex digits.
    """
    proof = proof or []
    if not isinstance(index, int) or not isinstance(size, int) or not 0 <= index < size:
        return False
    leaf, want = _hash_bytes(leaf_hash), _hash_bytes(root)
    maybe = [_hash_bytes(p) for p in proof]
    siblings = [s for s in maybe if s is not None]
    if leaf is None or want is None or len(siblings) != len(maybe):
        return False
    fn, sn, r = index, size - 1, leaf
    for p in siblings:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = _node(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = _node(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == want


# --- parameters and ballots ----------------------------------------------------------------


def default_params(
    method: str, electorate_size: int, *, n_options: int | None = None, **given
) -> dict:
    """``params`` for ``method`` with DESIGN.md's defaults for whatever is not ``given``.

    Given values of ``None`` count as not given. For ``approval``, ``seats`` and ``max_choices``
    default to each other; when neither is given they default to one less than ``n_options``
    (差额: more candidates than places), or 1.
    """
    if method not in PARAM_KEYS:
        raise ValueError(f"unknown method {method!r}")
    given = {k: v for k, v in given.items() if v is not None}
    required, optional = PARAM_KEYS[method]
    unknown = set(given) - required - optional
    if unknown:
        raise ValueError(f"unknown parameters for {method}: {', '.join(sorted(unknown))}")
    half = electorate_size // 2
    params: dict = {}
    if method == "approval":
        seats = given.get("seats", given.get("max_choices"))
        if seats is None:
            seats = max(1, (n_options or 2) - 1)
        params["seats"] = seats
        params["max_choices"] = given.get("max_choices", seats)
        params["threshold"] = given.get("threshold", half)
        params["quorum"] = given.get("quorum", half)
        if "budget" in given:
            params["budget"] = given["budget"]
    elif method == "item_by_item":
        params["threshold"] = given.get("threshold", half)
        params["quorum"] = given.get("quorum", half)
    elif method == "equal_shares":
        if "budget" not in given:
            raise ValueError("equal_shares needs a budget")
        params["budget"] = given["budget"]
        params["quorum"] = given.get("quorum", 0)
    else:
        params["quorum"] = given.get("quorum", half)
    return params


def _is_int(x) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def manifest_problems(manifest) -> list[str]:
    """What makes ``manifest`` not a well-formed manifest of the format (empty when fine)."""
    if not isinstance(manifest, dict):
        return ["the manifest is not an object"]
    problems = []
    keys = set(manifest)
    if not MANIFEST_KEYS <= keys <= MANIFEST_KEYS | OPTIONAL_MANIFEST_KEYS:
        missing, extra = MANIFEST_KEYS - keys, keys - MANIFEST_KEYS - OPTIONAL_MANIFEST_KEYS
        if missing:
            problems.append(f"the manifest lacks {', '.join(sorted(missing))}")
        if extra:
            problems.append(f"the manifest has unknown fields {', '.join(sorted(extra))}")
        return problems
    method = manifest["method"]
    if method not in METHODS:
        return [f"unknown method {method!r}"]
    if "log" in manifest and not (
        isinstance(manifest["log"], str) and manifest["log"].count("+") >= 2
    ):
        problems.append("the manifest's log is not a verifier key")
    if not _is_int(manifest["vote"]):
        problems.append("the manifest's vote is not an integer")
    if not isinstance(manifest["title"], str):
        problems.append("the manifest's title is not a string")
    if manifest["secrecy"] not in SECRECY:
        problems.append("the manifest's secrecy is neither open nor secret")
    for key in ("opens_at", "closes_at"):
        if not is_timestamp(manifest[key]):
            problems.append(f"the manifest's {key} is not an ISO 8601 UTC time")
    electorate = manifest["electorate"]
    if (
        not isinstance(electorate, dict)
        or set(electorate) != ELECTORATE_KEYS
        or not isinstance(electorate["kind"], str)
        or not _is_int(electorate["size"])
        or electorate["size"] < 0
    ):
        problems.append("the manifest's electorate is not {kind, size}")
    options = manifest["options"]
    if not isinstance(options, list):
        problems.append("the manifest's options are not a list")
    else:
        ids = []
        for option in options:
            if (
                not isinstance(option, dict)
                or set(option) != OPTION_KEYS
                or not isinstance(option["id"], str)
                or not option["id"]
                or not isinstance(option["title"], str)
                or not _is_int(option["cost"])
                or option["cost"] < 0
            ):
                problems.append(f"an option is not {{id, title, cost}}: {option!r}")
                continue
            if method == "equal_shares" and option["cost"] <= 0:
                problems.append(f"option {option['id']} has no positive cost")
            ids.append(option["id"])
        if len(set(ids)) != len(ids):
            problems.append("two options share an id")
        if method != "ratification" and not ids:
            problems.append("the vote has no options")
    params = manifest["params"]
    required, optional = PARAM_KEYS[method]
    if not isinstance(params, dict):
        problems.append("the manifest's params are not an object")
    else:
        keys = set(params)
        if not required <= keys or not keys <= required | optional:
            problems.append(
                f"the params of {method} must be {', '.join(sorted(required))}"
                + (f" and optionally {', '.join(sorted(optional))}" if optional else "")
            )
        else:
            for key, value in params.items():
                if key == "budget" and method == "approval" and value is None:
                    continue
                if not _is_int(value) or value < 0:
                    problems.append(f"parameter {key} is not a non-negative integer")
                elif key in ("seats", "max_choices", "budget") and value == 0:
                    problems.append(f"parameter {key} is zero")
    return problems


def validate_choices(method: str, option_ids: list[str], params: dict, choices) -> dict:
    """The normalised ``choices`` of a ballot, or :class:`InvalidBallot` saying what is wrong."""
    if not isinstance(choices, dict):
        raise InvalidBallot("malformed", "The ballot is not an object.")
    if method == "ratification":
        if set(choices) != {"answer"}:
            raise InvalidBallot("malformed", 'A ratification ballot holds only "answer".')
        if choices["answer"] not in ANSWERS:
            raise InvalidBallot("bad_answer", "The answer must be yes, no or abstain.")
        return {"answer": choices["answer"]}
    known = set(option_ids)
    if method == "item_by_item":
        keys = set(choices)
        unknown = keys - known
        if unknown:
            raise InvalidBallot("unknown_option", f"Unknown option {sorted(unknown)[0]}.")
        missing = [o for o in option_ids if o not in keys]
        if missing:
            raise InvalidBallot("missing_item", f"No answer for option {missing[0]}.")
        for option, answer in choices.items():
            if answer not in ANSWERS:
                raise InvalidBallot(
                    "bad_answer", f"The answer for option {option} must be yes, no or abstain."
                )
        return {o: choices[o] for o in sorted(choices)}
    if method in ("approval", "equal_shares"):
        if set(choices) != {"approve"} or not isinstance(choices["approve"], list):
            raise InvalidBallot("malformed", 'An approval ballot holds only "approve", a list.')
        approve = choices["approve"]
        for option in approve:
            if not isinstance(option, str) or option not in known:
                raise InvalidBallot("unknown_option", f"Unknown option {option!r}.")
        approve = sorted(set(approve))
        if method == "approval" and len(approve) > params["max_choices"]:
            raise InvalidBallot(
                "too_many",
                f"At most {params['max_choices']} approvals are allowed; this ballot has {len(approve)}.",
            )
        return {"approve": approve}
    raise InvalidBallot("unknown_method", f"Unknown method {method!r}.")


# --- export ----------------------------------------------------------------------------------


def build_export(
    manifest: dict,
    ballots: list[dict],
    checkpoints: list[dict],
    participation: Iterable[str],
    result: dict,
    *,
    policy: str | None = None,
    reconciliation: dict | None = None,
) -> dict:
    """The public export document of a vote (records in seq order, participation sorted).

    With a ``policy`` and ``reconciliation`` it is format /2: every checkpoint then carries its
    cosigned ``note``.
    """
    witnessed = {}
    if policy is not None:
        witnessed = {"policy": policy, "reconciliation": reconciliation or {}}
    return {
        **witnessed,
        "format": FORMAT_2 if witnessed else FORMAT,
        "manifest": manifest,
        "manifest_hash": manifest_hash(manifest),
        "ballots": sorted(ballots, key=lambda r: r["seq"]),
        "checkpoints": list(checkpoints),
        "participation": sorted(participation),
        "result": result,
    }
