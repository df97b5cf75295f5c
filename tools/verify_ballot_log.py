#!/usr/bin/env python3
"""Standalone verifier of Yishiting ballot logs, formats ``yishiting-ballot-log/1`` and ``/2``.

    python verify_ballot_log.py EXPORT.json [--receipt HASH] [--policy POLICY]
    python verify_ballot_log.py --proof RECEIPT.tlog-proof --policy POLICY [--receipt HASH]

Python standard library only, and on purpose no code shared with the app: this is a second,
independent reading of the public format described in DESIGN.md ("Ballot log"). It re-checks

* the manifest and its hash,
* every record: its fields, its hash ``H(0x00 || canon(record without "hash"))``, the chain
  (``prev``), the numbering (``seq`` 0, 1, 2, ... without gaps), duplicates, and that its choices
  are a valid ballot for the method,
* the participation list against the ballots, and the ballots against the electorate size,
* every checkpoint's root against the RFC 6962 Merkle root of that prefix of the log,
* the published result against a recount of the ballots (counts, quorum, thresholds, winners
  with ties by lot ``SHA256(root_hex + option_id)``, the Method of Equal Shares with completion
  and the greedy outcome beside it).

Prints ``VALID ...`` and exits 0, or ``INVALID: reason`` (the first problem found) and exits 1. With ``--receipt HASH`` it also prints the inclusion proof of that ballot and
checks it against the log's root.

Format ``yishiting-ballot-log/2`` (witnessed) is ``/1`` plus:

* ``checkpoints[i]["note"]``: the checkpoint as a signed note (c2sp.org/signed-note,
  c2sp.org/tlog-checkpoint): ``<origin>\n<size>\n<base64 root>\n``, a blank line, the log's
  Ed25519 signature line ``— <name> base64(key ID || signature)`` (key ID =
  ``SHA-256(name || 0x0A || 0x01 || public key)[:4]``) and the witnesses' ``cosignature/v1``
  lines (c2sp.org/tlog-cosignature: key ID with type byte 0x04; signature = u64 big-endian
  timestamp || Ed25519 over ``"cosignature/v1\ntime <t>\n" + note text``). Its size and root
  must be the checkpoint's ``size`` and ``root``; every checkpoint has the same origin.
* ``"policy"``: a c2sp.org/tlog-policy text (``log <vkey>``, ``witness <name> <vkey>``,
  ``group <name> <k|all|any> <members>``, ``quorum <name>``). A log key whose name is the
  origin must have signed every checkpoint; a signature from a key the policy names must
  verify (others are ignored); the closing checkpoint's cosignatures must meet the quorum (a
  witness that was down misses earlier checkpoints, and its cosignature of the closing one
  vouches for all the prefixes before it); successive checkpoints must be consistent (RFC 9162
  section 2.1.4), or the log has shown two histories. ``--policy FILE`` checks against a
  trusted policy instead of the one in the export.
* ``"reconciliation"``: ``{"electorate", "participants", "ballots", "paper_ballots",
  "online_ballots"}``, whole numbers that must match the log (``ballots`` = records,
  ``participants`` = the participation list, ``electorate`` = the manifest's) and add up
  (``ballots == participants == paper_ballots + online_ballots <= electorate``); optionally
  ``"paper_entered_by"``, ``{name: count}`` of who typed in the paper ballots, summing to
  ``paper_ballots``.
* The manifest may name the log's verifier key as ``"log"`` (so it is hashed with the vote):
  that key must be in the policy, and every checkpoint must be of its origin.
* In an open vote every record's ``voter`` label is unique: nobody votes twice.

``--proof FILE --policy FILE`` checks a voter's receipt offline, a c2sp.org/tlog-proof file
(``c2sp.org/tlog-proof@v1``, ``extra <base64 of the 32-byte record hash>``, ``index <seq>``,
the inclusion proof's base64 hashes, a blank line, the cosigned checkpoint): the log's
signature, the quorum of cosignatures, and the inclusion of the record hash at that index
under the checkpoint's root. ``--receipt HASH`` names the hash when the file has no ``extra``.

Ed25519 verification is pure Python (RFC 8032 section 5.1.7, after the reference code of
section 6), tested against the RFC's vectors and the ``cryptography`` package.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import math
import re
import sys
from collections import Counter
from fractions import Fraction

FORMAT = "yishiting-ballot-log/1"
FORMAT_2 = "yishiting-ballot-log/2"
ANSWERS = ["yes", "no", "abstain"]
HEX64 = re.compile(r"^[0-9a-f]{64}$")
HEX32 = re.compile(r"^[0-9a-f]{32}$")
UTC_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")
PARAMS = {  # method -> (required keys, optional keys)
    "approval": ({"max_choices", "seats", "threshold", "quorum"}, {"budget"}),
    "item_by_item": ({"threshold", "quorum"}, set()),
    "equal_shares": ({"budget", "quorum"}, set()),
    "ratification": ({"quorum"}, set()),
}


class Invalid(Exception):
    """The log fails a check."""


# --- hashing ------------------------------------------------------------------------------


def canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def leaf_of(record: dict) -> str:
    rest = dict(record)
    del rest["hash"]
    return sha(b"\x00" + canonical(rest)).hex()


def interior(left: bytes, right: bytes) -> bytes:
    return sha(b"\x01" + left + right)


def largest_power_of_two_below(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def tree_hash(leaves: list[bytes]) -> bytes:
    """MTH of RFC 6962 section 2.1, by its recursive definition (leaves are leaf hashes)."""
    if not leaves:
        return sha(b"")
    if len(leaves) == 1:
        return leaves[0]
    k = largest_power_of_two_below(len(leaves))
    return interior(tree_hash(leaves[:k]), tree_hash(leaves[k:]))


def prefix_roots(leaves: list[bytes], sizes: set[int]) -> dict[int, str]:
    """Roots of the given prefix sizes in one pass, keeping the perfect subtrees on a stack."""
    roots = {}
    if 0 in sizes:
        roots[0] = sha(b"").hex()
    stack: list[tuple[int, bytes]] = []  # (height, hash), heights strictly decreasing
    for count, leaf in enumerate(leaves, start=1):
        stack.append((0, leaf))
        while len(stack) > 1 and stack[-1][0] == stack[-2][0]:
            (h, right), (_, left) = stack.pop(), stack.pop()
            stack.append((h + 1, interior(left, right)))
        if count in sizes:
            acc = stack[-1][1]
            for _, left in reversed(stack[:-1]):
                acc = interior(left, acc)
            roots[count] = acc.hex()
    return roots


def audit_path(index: int, leaves: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]) of RFC 6962 section 2.1.1: the leaf's sibling first."""
    if len(leaves) <= 1:
        return []
    k = largest_power_of_two_below(len(leaves))
    if index < k:
        return audit_path(index, leaves[:k]) + [tree_hash(leaves[k:])]
    return audit_path(index - k, leaves[k:]) + [tree_hash(leaves[:k])]


def proof_holds(leaf_hex: str, index: int, size: int, proof: list | None, root_hex: str) -> bool:
    """Rebuild the root from a leaf and its audit path, walking the tree from the top down."""
    proof = list(proof or [])
    if not all(isinstance(x, str) and HEX64.match(x) for x in [leaf_hex, root_hex, *proof]):
        return False
    if not (isinstance(index, int) and isinstance(size, int) and 0 <= index < size):
        return False
    siblings = [bytes.fromhex(x) for x in proof]

    def rebuild(i: int, n: int, depth_left: list[bytes]) -> bytes | None:
        if n == 1:
            return bytes.fromhex(leaf_hex)
        if not depth_left:
            return None
        sibling = depth_left.pop()  # the topmost sibling is the last one of the path
        k = largest_power_of_two_below(n)
        if i < k:
            below = rebuild(i, k, depth_left)
            return None if below is None else interior(below, sibling)
        below = rebuild(i - k, n - k, depth_left)
        return None if below is None else interior(sibling, below)

    remaining = list(siblings)
    got = rebuild(index, size, remaining)
    return got is not None and not remaining and got.hex() == root_hex


def lot(root_hex: str, option_id: str) -> str:
    return hashlib.sha256((root_hex + option_id).encode("utf-8")).hexdigest()


# --- Ed25519 (RFC 8032 section 5.1, after the reference code of section 6) ---------------------

ED_P = 2**255 - 19
ED_Q = 2**252 + 27742317777372353535851937790883648493  # the group order L
ED_D = -121665 * pow(121666, ED_P - 2, ED_P) % ED_P
ED_SQRT_M1 = pow(2, (ED_P - 1) // 4, ED_P)


def _sha512_int(data: bytes) -> int:
    return int.from_bytes(hashlib.sha512(data).digest(), "little")


def _point_add(a: tuple, b: tuple) -> tuple:
    """Addition in extended coordinates (X, Y, Z, T), x = X/Z, y = Y/Z, x*y = T/Z."""
    p = ED_P
    aa = (a[1] - a[0]) * (b[1] - b[0]) % p
    bb = (a[1] + a[0]) * (b[1] + b[0]) % p
    cc = 2 * a[3] * b[3] * ED_D % p
    dd = 2 * a[2] * b[2] % p
    e, f, g, h = bb - aa, dd - cc, dd + cc, bb + aa
    return (e * f % p, g * h % p, f * g % p, e * h % p)


def _point_mul(s: int, point: tuple) -> tuple:
    acc = (0, 1, 1, 0)  # the neutral element
    while s > 0:
        if s & 1:
            acc = _point_add(acc, point)
        point = _point_add(point, point)
        s >>= 1
    return acc


def _point_equal(a: tuple, b: tuple) -> bool:
    p = ED_P
    return (a[0] * b[2] - b[0] * a[2]) % p == 0 and (a[1] * b[2] - b[1] * a[2]) % p == 0


def _recover_x(y: int, sign: int) -> int | None:
    p = ED_P
    if y >= p:
        return None
    x2 = (y * y - 1) * pow(ED_D * y * y + 1, p - 2, p) % p
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (p + 3) // 8, p)
    if (x * x - x2) % p != 0:
        x = x * ED_SQRT_M1 % p
    if (x * x - x2) % p != 0:
        return None
    if (x & 1) != sign:
        x = p - x
    return x


_ED_BY = 4 * pow(5, ED_P - 2, ED_P) % ED_P
_ED_BX = _recover_x(_ED_BY, 0) or 0  # the base point's x is never None
ED_BASE = (_ED_BX, _ED_BY, 1, _ED_BX * _ED_BY % ED_P)


def _compress(point: tuple) -> bytes:
    zinv = pow(point[2], ED_P - 2, ED_P)
    x, y = point[0] * zinv % ED_P, point[1] * zinv % ED_P
    return int.to_bytes(y | ((x & 1) << 255), 32, "little")


def _decompress(data: bytes) -> tuple | None:
    if len(data) != 32:
        return None
    y = int.from_bytes(data, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = _recover_x(y, sign)
    if x is None:
        return None
    return (x, y, 1, x * y % ED_P)


def _expand_secret(secret: bytes) -> tuple[int, bytes]:
    h = hashlib.sha512(secret).digest()
    a = int.from_bytes(h[:32], "little")
    a &= (1 << 254) - 8
    a |= 1 << 254
    return a, h[32:]


def ed25519_public_key(secret: bytes) -> bytes:
    """The 32-byte public key of a 32-byte secret key (seed)."""
    if len(secret) != 32:
        raise ValueError("an Ed25519 secret key is 32 bytes")
    return _compress(_point_mul(_expand_secret(secret)[0], ED_BASE))


def ed25519_sign(secret: bytes, message: bytes) -> bytes:
    """RFC 8032 section 5.1.6 (for tests and for making examples; the verifier only verifies)."""
    a, prefix = _expand_secret(secret)
    public = _compress(_point_mul(a, ED_BASE))
    r = _sha512_int(prefix + message) % ED_Q
    big_r = _compress(_point_mul(r, ED_BASE))
    k = _sha512_int(big_r + public + message) % ED_Q
    return big_r + int.to_bytes((r + k * a) % ED_Q, 32, "little")


def ed25519_verify(public: bytes, message: bytes, signature: bytes) -> bool:
    """RFC 8032 section 5.1.7: [S]B = R + [k]A, with S < L and A, R valid encodings."""
    if len(public) != 32 or len(signature) != 64:
        return False
    a = _decompress(public)
    r = _decompress(signature[:32])
    if a is None or r is None:
        return False
    s = int.from_bytes(signature[32:], "little")
    if s >= ED_Q:
        return False
    k = _sha512_int(signature[:32] + public + message) % ED_Q
    return _point_equal(_point_mul(s, ED_BASE), _point_add(r, _point_mul(k, a)))


# --- signed notes, cosignatures, policies (c2sp.org) ----------------------------------------

EM_DASH = "\u2014"
NOTE_ED25519, NOTE_COSIGNATURE_V1 = 0x01, 0x04
DECIMAL = re.compile(r"^(0|[1-9][0-9]*)$")
KEY_NAME = re.compile(r"^[^\s+]+$")
PROOF_HEADER = "c2sp.org/tlog-proof@v1"


def strict_b64(text: str, length: int | None = None) -> bytes:
    """Standard base64 with padding, canonical, optionally of an exact length; else Invalid."""
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError) as e:
        raise Invalid(f"{text[:40]!r} is not base64") from e
    if base64.b64encode(data).decode("ascii") != text or (
        length is not None and len(data) != length
    ):
        raise Invalid(f"{text[:40]!r} is not the base64 of {length or 'some'} bytes")
    return data


def note_key_id(name: str, sig_type: int, public: bytes) -> bytes:
    return sha(name.encode("utf-8") + b"\n" + bytes([sig_type]) + public)[:4]


def parse_vkey(vkey: str) -> tuple[str, bytes, int, bytes]:
    """``<name>+<hex key ID>+base64(type || key)`` -> (name, key ID, type, public key)."""
    parts = vkey.split("+", 2)
    if (
        len(parts) != 3
        or not KEY_NAME.match(parts[0])
        or not re.fullmatch(r"[0-9a-f]{8}", parts[1])
    ):
        raise Invalid(f"{vkey[:60]!r} is not a verifier key <name>+<key ID>+<key>")
    material = strict_b64(parts[2], 33)
    if material[0] not in (NOTE_ED25519, NOTE_COSIGNATURE_V1):
        raise Invalid(f"the key {parts[0]} has the unsupported signature type {material[0]:#04x}")
    kid = note_key_id(parts[0], material[0], material[1:])
    if kid.hex() != parts[1]:
        raise Invalid(f"the key ID {parts[1]} of {parts[0]} does not match its name and key")
    return parts[0], kid, material[0], material[1:]


def split_note(note: str) -> tuple[str, list[tuple[str, bytes, bytes]]]:
    """A signed note -> (text, [(key name, key ID, signature bytes)]) (c2sp.org/signed-note)."""
    if not note.endswith("\n") or any(ord(c) < 0x20 and c != "\n" for c in note):
        raise Invalid("a signed note ends in a newline and holds no control characters")
    cut = note.rfind("\n\n")
    if cut < 0:
        raise Invalid("a signed note has a blank line before its signatures")
    text, sigs = note[: cut + 1], []
    lines = note[cut + 2 :].split("\n")[:-1]
    if not lines or len(lines) > 64:
        raise Invalid("a signed note has 1 to 64 signature lines")
    for line in lines:
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != EM_DASH or not KEY_NAME.match(parts[1]):
            raise Invalid(f"{line[:60]!r} is not a signature line")
        raw = strict_b64(parts[2])
        if len(raw) < 5:
            raise Invalid(f"the signature of {parts[1]} is too short")
        sigs.append((parts[1], raw[:4], raw[4:]))
    return text, sigs


def parse_checkpoint_text(text: str) -> tuple[str, int, bytes]:
    """c2sp.org/tlog-checkpoint: origin, size, root (and optional extension lines)."""
    lines = text[:-1].split("\n")
    if len(lines) < 3 or any(not line for line in lines) or not DECIMAL.match(lines[1]):
        raise Invalid("the note is not a checkpoint (origin, size, base64 root)")
    return lines[0], int(lines[1]), strict_b64(lines[2], 32)


def signature_holds(sig_type: int, public: bytes, text: str, signature: bytes) -> bool:
    """A note signature (0x01) or a ``cosignature/v1`` (0x04: u64 time || Ed25519 signature)."""
    if sig_type == NOTE_ED25519:
        return ed25519_verify(public, text.encode("utf-8"), signature)
    if len(signature) != 72 or int.from_bytes(signature[:8], "big") >= 2**63:
        return False
    message = f"cosignature/v1\ntime {int.from_bytes(signature[:8], 'big')}\n{text}"
    return ed25519_verify(public, message.encode("utf-8"), signature[8:])


def parse_policy(text: str) -> dict:
    """c2sp.org/tlog-policy -> {"logs": [vkey tuples], "witnesses": {name: vkey tuple},
    "groups": {name: (k, members)}, "quorum": name}."""
    logs, witnesses, groups, quorum, seen = [], {}, {}, None, set()
    for number, raw in enumerate(text.split("\n"), 1):
        where = f"policy line {number}"
        if any(ord(c) < 0x20 and c != "\t" for c in raw) or "\x7f" in raw:
            raise Invalid(f"{where}: control character")
        words = raw.replace("\t", " ").split()
        if not words or words[0].startswith("#"):
            continue
        kind, args = words[0], words[1:]
        if kind == "log" and len(args) in (1, 2):
            key = parse_vkey(args[0])
            if key[2] != NOTE_ED25519 or key[3] in seen:
                raise Invalid(f"{where}: not an Ed25519 log key, or a duplicate key")
            seen.add(key[3])
            logs.append(key)
        elif kind in ("witness", "group") and len(args) >= 2:
            name = args[0]
            if name == "none" or name in witnesses or name in groups:
                raise Invalid(f"{where}: the name {name} is reserved or already defined")
            if kind == "witness":
                if len(args) > 3:
                    raise Invalid(f"{where}: witness <name> <vkey> [<url>]")
                key = parse_vkey(args[1])
                if key[2] != NOTE_COSIGNATURE_V1 or key[3] in seen:
                    raise Invalid(f"{where}: not a cosignature/v1 key, or a duplicate key")
                seen.add(key[3])
                witnesses[name] = key
                continue
            members = args[2:]
            if not members or len(set(members)) != len(members):
                raise Invalid(f"{where}: a group lists its members once each")
            if any(m not in witnesses and m not in groups for m in members):
                raise Invalid(f"{where}: a member is not defined on a line above")
            k = {"all": len(members), "any": 1}.get(args[1])
            if k is None:
                if not DECIMAL.match(args[1]) or not 1 <= int(args[1]) <= len(members):
                    raise Invalid(f"{where}: the threshold is all, any or 1..{len(members)}")
                k = int(args[1])
            groups[name] = (k, members)
        elif kind == "quorum" and len(args) == 1:
            if quorum is not None:
                raise Invalid(f"{where}: a second quorum line")
            if args[0] != "none" and args[0] not in witnesses and args[0] not in groups:
                raise Invalid(f"{where}: the quorum {args[0]} is not defined on a line above")
            quorum = args[0]
        else:
            raise Invalid(f"{where}: not a log, witness, group or quorum line")
    if quorum is None:
        raise Invalid("the policy has no quorum line")
    return {"logs": logs, "witnesses": witnesses, "groups": groups, "quorum": quorum}


def witnessed(policy: dict, name: str, cosigned: set) -> bool:
    if name == "none":
        return True
    if name in policy["witnesses"]:
        return name in cosigned
    k, members = policy["groups"][name]
    return sum(witnessed(policy, m, cosigned) for m in members) >= k


def check_signed_checkpoint(
    note, policy: dict, quorum: bool = True
) -> tuple[str, int, bytes, dict]:
    """Verify a cosigned checkpoint against a policy.

    Returns (origin, size, root, {witness name: cosignature time}). A policy log whose key
    name is the origin must have signed it; signatures from keys the policy does not know are
    ignored, and one from a known key that fails to verify makes the note invalid.
    """
    if not isinstance(note, str):
        raise Invalid("the note is not text")
    text, sigs = split_note(note)
    origin, size, root = parse_checkpoint_text(text)
    known = {(k[0], k[1]): ("log", k) for k in policy["logs"] if k[0] == origin}
    known.update({(k[0], k[1]): (name, k) for name, k in policy["witnesses"].items()})
    logged, cosigned = False, {}
    for name, kid, signature in sigs:
        who = known.get((name, kid))
        if who is None:
            continue
        role, key = who
        if not signature_holds(key[2], key[3], text, signature):
            raise Invalid(f"the signature of {name} ({kid.hex()}) does not verify")
        if role == "log":
            logged = True
        else:
            cosigned[role] = int.from_bytes(signature[:8], "big")
    if not logged:
        raise Invalid(f"no log key of the policy signed this checkpoint of {origin}")
    if quorum and not witnessed(policy, policy["quorum"], set(cosigned)):
        raise Invalid(
            f"the cosignatures ({', '.join(sorted(cosigned)) or 'none'}) do not meet the "
            f"policy's quorum {policy['quorum']}"
        )
    return origin, size, root, cosigned


def consistency_holds(size1: int, size2: int, root1: bytes, root2: bytes, proof: list) -> bool:
    """RFC 9162 section 2.1.4.2; from size 0, and between equal sizes, the proof is empty."""
    if not 0 <= size1 <= size2 or any(len(x) != 32 for x in (root1, root2, *proof)):
        return False
    if size1 == 0:
        return not proof and root1 == sha(b"") and (size2 > 0 or root2 == root1)
    if size1 == size2:
        return not proof and root1 == root2
    if not proof:
        return False
    path = ([root1] if size1 & (size1 - 1) == 0 else []) + list(proof)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = interior(c, fr), interior(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = interior(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == root1 and sr == root2 and sn == 0


def consistency_path(size1: int, leaves: list[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 9162 section 2.1.4.1 (empty from 0 and for the whole tree)."""

    def sub(m: int, part: list[bytes], whole: bool) -> list[bytes]:
        if m == len(part):
            return [] if whole else [tree_hash(part)]
        k = largest_power_of_two_below(len(part))
        if m <= k:
            return sub(m, part[:k], whole) + [tree_hash(part[k:])]
        return sub(m - k, part[k:], False) + [tree_hash(part[:k])]

    return [] if size1 in (0, len(leaves)) else sub(size1, leaves, True)


def check_witnessed(doc: dict, leaves: list[bytes], facts: dict) -> None:
    """The /2 checks on checkpoints: log signature, cosignatures, consistency, closing quorum."""
    try:
        policy = parse_policy(doc["policy"]) if isinstance(doc["policy"], str) else None
    except Invalid as e:
        raise Invalid(f"the policy: {e}") from e
    if policy is None:
        raise Invalid("the policy is not text")
    if facts.get("trusted_policy") is not None:
        policy = facts["trusted_policy"]
    if not policy["logs"]:
        raise Invalid("the policy names no log key")
    manifest_log = doc["manifest"].get("log")
    if manifest_log is not None:
        name, kid = parse_vkey(manifest_log)[:2]
        if (name, kid) not in {(k[0], k[1]) for k in policy["logs"]}:
            raise Invalid(f"the manifest's log key {name}+{kid.hex()} is not in the policy")
    cps, origin, previous = doc["checkpoints"], None, None
    for j, cp in enumerate(cps):
        last = j == len(cps) - 1
        if manifest_log is not None:
            try:
                text = split_note(cp["note"])[0] if isinstance(cp["note"], str) else ""
                cp_origin = parse_checkpoint_text(text)[0]
            except Invalid:
                cp_origin = None
            if cp_origin is not None and cp_origin != manifest_log.split("+", 1)[0]:
                raise Invalid(
                    f"checkpoint {j} is of the log {cp_origin}, not the manifest's "
                    f"{manifest_log.split('+', 1)[0]}"
                )
        try:
            got = check_signed_checkpoint(cp["note"], policy, quorum=last)
        except Invalid as e:
            raise Invalid(f"checkpoint {j} (size {cp['size']}): {e}") from e
        if (got[1], got[2].hex()) != (cp["size"], cp["root"]):
            raise Invalid(f"checkpoint {j}: its signed note says size {got[1]} root {got[2].hex()}")
        if origin is not None and got[0] != origin:
            raise Invalid(f"checkpoint {j} is of the log {got[0]}, not {origin}")
        origin = got[0]
        if previous is not None:
            size1, root1 = previous
            proof = consistency_path(size1, leaves[: got[1]]) if got[1] <= len(leaves) else []
            if got[1] > len(leaves) or not consistency_holds(size1, got[1], root1, got[2], proof):
                raise Invalid(
                    f"checkpoints {j - 1} (size {size1}) and {j} (size {got[1]}) are not "
                    "consistent: the log shows two histories (a fork)"
                )
        previous = (got[1], got[2])
        if last:
            facts["origin"], facts["cosigned"] = origin, sorted(got[3])
            facts["quorum"] = policy["quorum"]


def check_reconciliation(rec, n: int, people: int, electorate: int) -> None:
    keys = {"electorate", "participants", "ballots", "paper_ballots", "online_ballots"}
    if isinstance(rec, dict) and "paper_entered_by" in rec:
        by_whom = rec["paper_entered_by"]
        if not isinstance(by_whom, dict) or any(
            not isinstance(k, str) or not whole_number(v) or v <= 0 for k, v in by_whom.items()
        ):
            raise Invalid("the reconciliation's paper_entered_by is not {name: count > 0}")
        if sum(by_whom.values()) != rec.get("paper_ballots"):
            raise Invalid(
                f"the reconciliation does not add up: the paper ballots entered by "
                f"{', '.join(sorted(by_whom)) or 'nobody'} ({sum(by_whom.values())}) are not "
                f"the {rec.get('paper_ballots')} paper ballots"
            )
        rec = {k: v for k, v in rec.items() if k != "paper_entered_by"}
    if not isinstance(rec, dict) or set(rec) != keys:
        raise Invalid("the reconciliation is not {" + ", ".join(sorted(keys)) + "}")
    if any(not whole_number(v) or v < 0 for v in rec.values()):
        raise Invalid("the reconciliation figures are not whole numbers >= 0")
    for key, actual, what in (
        ("ballots", n, "ballots in the log"),
        ("participants", people, "names in the participation list"),
        ("electorate", electorate, "the manifest's electorate"),
    ):
        if rec[key] != actual:
            raise Invalid(f"the reconciliation says {rec[key]} {key}; there are {actual} ({what})")
    if rec["paper_ballots"] + rec["online_ballots"] != rec["ballots"]:
        raise Invalid(
            f"the reconciliation does not add up: {rec['paper_ballots']} paper + "
            f"{rec['online_ballots']} online ballots is not {rec['ballots']} ballots"
        )
    if rec["ballots"] != rec["participants"] or rec["participants"] > rec["electorate"]:
        raise Invalid(
            f"the reconciliation does not add up: {rec['ballots']} ballots, "
            f"{rec['participants']} participants, an electorate of {rec['electorate']}"
        )


def check_tlog_proof(text: str, policy: dict, receipt: str | None) -> str:
    """Verify a c2sp.org/tlog-proof receipt offline; returns the verdict line, or raises Invalid."""
    head, sep, note = text.partition("\n\n")
    lines = head.split("\n")
    if not sep or lines[0] != PROOF_HEADER:
        raise Invalid(
            f"the receipt does not start with {PROOF_HEADER} and a blank-line-separated checkpoint"
        )
    rest, extra = lines[1:], None
    if rest and rest[0].startswith("extra "):
        extra = strict_b64(rest.pop(0)[6:])
    if not rest or not rest[0].startswith("index ") or not DECIMAL.match(rest[0][6:]):
        raise Invalid("the receipt has no 'index N' line")
    index = int(rest[0][6:])
    path = [strict_b64(line, 32) for line in rest[1:]]
    if receipt is not None:
        wanted = receipt.strip().lower()
        if not HEX64.match(wanted):
            raise Invalid(f"{receipt!r} is not a receipt (64 hex digits)")
        if extra is not None and extra.hex() != wanted:
            raise Invalid(f"the receipt file is for {extra.hex()}, not {wanted}")
        leaf = bytes.fromhex(wanted)
    elif extra is not None and len(extra) == 32:
        leaf = extra
    else:
        raise Invalid("the receipt file does not carry the ballot's hash: give --receipt HASH")
    origin, size, root, cosigned = check_signed_checkpoint(note, policy)
    if not proof_holds(leaf.hex(), index, size, [x.hex() for x in path], root.hex()):
        raise Invalid(
            f"the inclusion proof of entry {index} does not lead to the root of {origin} at size {size}"
        )
    return (
        f"VALID {PROOF_HEADER}: receipt {leaf.hex()} is ballot {index} of {origin} (size {size}); "
        f"signed by the log, cosigned by {', '.join(sorted(cosigned)) or 'no witness'} "
        f"(quorum {policy['quorum']} met)"
    )


# --- recount ----------------------------------------------------------------------------------


def mes_run(
    groups: list[tuple[frozenset, int]], costs: dict, share: Fraction, tiebreak
) -> list[str]:
    """One Method of Equal Shares run, cost satisfaction, every voter starting with ``share``.

    Voters with the same approval set are one group: they always hold the same money.
    """
    money = [share for _ in groups]
    support = {p: [g for g, (s, _) in enumerate(groups) if p in s] for p in costs}
    voters = {p: sum(groups[g][1] for g in support[p]) for p in costs}
    open_projects = [p for p in costs if voters[p] > 0 and costs[p] > 0]
    floor = {p: Fraction(1, voters[p]) for p in open_projects}  # rho never drops below this
    chosen: list[str] = []
    while open_projects:
        open_projects.sort(key=lambda p: floor[p])
        best = None
        candidates: list[str] = []
        for p in list(open_projects):
            if best is not None and floor[p] > best:
                break
            levels: Counter = Counter()
            exact = {}
            for g in support[p]:
                if money[g] > 0:
                    key = (money[g].numerator, money[g].denominator)
                    levels[key] += groups[g][1]
                    exact[key] = money[g]
            wallet = sorted((exact[key], n) for key, n in levels.items())
            if sum(m * n for m, n in wallet) < costs[p]:
                open_projects.remove(p)
                continue
            still, rest = sum(n for _, n in wallet), Fraction(costs[p])
            for m, n in wallet:
                if m * still >= rest:
                    break
                rest -= m * n
                still -= n
            rho = rest / still / costs[p]
            floor[p] = rho
            if best is None or rho < best:
                best, candidates = rho, [p]
            elif rho == best:
                candidates.append(p)
        if best is None:
            break
        candidates.sort(key=tiebreak)
        winner = candidates[0]
        chosen.append(winner)
        open_projects.remove(winner)
        price = best * costs[winner]
        for g in support[winner]:
            money[g] = money[g] - price if money[g] > price else Fraction(0)
    return chosen


def mes_run_tracked(groups: list[tuple[frozenset, int]], costs: dict, share: Fraction, tiebreak):
    """The same run with every amount written as ``a + b*t`` (``t`` = extra share per voter).

    Returns the funded projects and the largest integer ``t`` for which every decision of the run
    (affordable or not, who pays all they have, which project asks least per unit of cost) comes
    out the same at ``share + t``; None when no such limit exists. The outcome is then the same
    for every share from ``share`` to ``share + t``.
    """
    slack: list = [None]

    def keep(a: Fraction, b: Fraction, strict: bool = False) -> None:
        # a + b*t >= 0 (> 0 when strict) holds at t = 0; find the last integer t where it still does
        if b >= 0 or slack[0] == 0:
            return
        edge = a / -b
        last = math.ceil(edge) - 1 if strict else math.floor(edge)
        if slack[0] is None or last < slack[0]:
            slack[0] = last

    none = (Fraction(0), Fraction(0))
    money = [(share, Fraction(1)) for _ in groups]
    support = {p: [g for g, (s, _) in enumerate(groups) if p in s] for p in costs}
    voters = {p: sum(groups[g][1] for g in support[p]) for p in costs}
    open_projects = [p for p in costs if voters[p] > 0 and costs[p] > 0]
    chosen: list[str] = []
    while open_projects:
        offers = {}
        for p in list(open_projects):
            wallet = sorted(
                ((money[g], groups[g][1]) for g in support[p] if money[g][0] > 0),
                key=lambda w: w[0][0],
            )
            have_a = sum(m[0] * n for m, n in wallet)
            have_b = sum((m[1] * n for m, n in wallet), Fraction(0))
            if have_a < costs[p]:
                keep(costs[p] - have_a, -have_b, strict=True)
                open_projects.remove(p)
                continue
            keep(have_a - costs[p], have_b)
            still, rest_a, rest_b, cut = (
                sum(n for _, n in wallet),
                Fraction(costs[p]),
                Fraction(0),
                0,
            )
            for (ma, mb), n in wallet:
                if ma * still >= rest_a:
                    break
                rest_a, rest_b, still, cut = rest_a - ma * n, rest_b - mb * n, still - n, cut + 1
            part_a, part_b = rest_a / still, rest_b / still
            for i, ((ma, mb), _) in enumerate(wallet):
                if i < cut:
                    keep(part_a - ma, part_b - mb)
                else:
                    keep(ma - part_a, mb - part_b)
            offers[p] = (part_a / costs[p], part_b / costs[p], part_a, part_b)
        if not offers:
            break
        winner = min(offers, key=lambda p: (offers[p][0], tiebreak(p)))
        wa, wb, part_a, part_b = offers[winner]
        for q, (qa, qb, _, _) in offers.items():
            if q != winner:
                keep(qa - wa, qb - wb, strict=tiebreak(q) < tiebreak(winner))
        chosen.append(winner)
        open_projects.remove(winner)
        for g in support[winner]:
            ma, mb = money[g]
            if ma == 0:
                continue
            if ma > part_a:
                money[g] = (ma - part_a, mb - part_b)
                keep(ma - part_a, mb - part_b)
            else:
                money[g] = none
                keep(part_a - ma, part_b - mb)
    return chosen, slack[0]


def equal_shares_with_completion(ballots: list[list[str]], costs: dict, budget: int, root: str):
    counted = Counter(frozenset(b) for b in ballots if b)
    groups = list(counted.items())
    approvals = Counter(p for b in ballots for p in b)

    def tiebreak(p):
        return (costs[p], -approvals[p], lot(root, p))

    fundable = {p for p in costs if approvals[p] > 0 and costs[p] > 0}
    if not ballots or not fundable:
        return [], None
    # DESIGN.md: try share B/n, B/n + 1, B/n + 2, ... while the outcome costs at most B, and keep
    # the last outcome that fitted (stop once everything approved is funded). A tracked run tells
    # how many following shares give the same outcome; those are skipped, which changes nothing.
    # Where outcomes change at almost every step, plain runs are cheaper: use them for a while.
    share = Fraction(budget, len(ballots))
    last, steady = mes_run_tracked(groups, costs, share, tiebreak)
    plain, wait = 0, 1
    while set(last) != fundable and steady is not None:
        nxt = share + steady + 1
        if plain:
            outcome, steady_next, plain = mes_run(groups, costs, nxt, tiebreak), 0, plain - 1
        else:
            outcome, steady_next = mes_run_tracked(groups, costs, nxt, tiebreak)
            if steady_next == 0:
                plain, wait = wait, wait * 2
            else:
                wait = 1
        if sum(costs[p] for p in outcome) > budget:
            return last, nxt - 1
        last, share, steady = outcome, nxt, steady_next
    return last, share


def recount(manifest: dict, choices: list[dict], root: str) -> dict:
    method, params = manifest["method"], manifest["params"]
    n = len(choices)
    quorum_met = n > params["quorum"]
    out = {
        "ballots": n,
        "electorate": manifest["electorate"]["size"],
        "quorum_met": quorum_met,
        "root": root,
    }
    if method == "ratification":
        for a in ANSWERS:
            out[a] = sum(1 for c in choices if c["answer"] == a)
        out["adopted"] = quorum_met and out["yes"] * 2 > n
        return out
    ids = [o["id"] for o in manifest["options"]]
    costs = {o["id"]: o["cost"] for o in manifest["options"]}
    if method == "item_by_item":
        table = {i: {a: sum(1 for c in choices if c[i] == a) for a in ANSWERS} for i in ids}
        out["options"] = table
        passed = sorted(
            (i for i in ids if table[i]["yes"] > params["threshold"]),
            key=lambda i: (-table[i]["yes"], lot(root, i)),
        )
        out["winners"] = passed if quorum_met else []
        return out
    votes = {i: sum(1 for c in choices if i in c["approve"]) for i in ids}
    out["options"] = {i: {"approvals": votes[i]} for i in ids}
    if method == "approval":
        ranked = sorted(
            (i for i in ids if votes[i] > params["threshold"]),
            key=lambda i: (-votes[i], lot(root, i)),
        )
        limit = params.get("budget")
        won: list[str] = []
        for i in ranked:
            if len(won) >= params["seats"]:
                break
            if limit is None or sum(costs[w] for w in won) + costs[i] <= limit:
                won.append(i)
        out["winners"] = won if quorum_met else []
        return out
    budget = params["budget"]
    won, share, plain = [], None, []
    if quorum_met:
        won, share = equal_shares_with_completion(
            [c["approve"] for c in choices], costs, budget, root
        )
        spent = 0
        for i in sorted(
            (i for i in ids if votes[i] > 0), key=lambda i: (-votes[i], costs[i], lot(root, i))
        ):
            if spent + costs[i] <= budget:
                plain.append(i)
                spent += costs[i]
    out["winners"] = won
    out["cost"] = sum(costs[i] for i in won)
    out["share"] = None if share is None else str(share)
    out["greedy_winners"] = plain
    out["greedy_cost"] = sum(costs[i] for i in plain)
    return out


# --- checks -----------------------------------------------------------------------------------


def whole_number(x) -> bool:
    return type(x) is int


def check_manifest(m, witnessed_log: bool = False) -> None:
    """The manifest's fields and values; a /2 manifest may also name its ``log`` verifier key."""
    fields = {
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
    if witnessed_log and isinstance(m, dict) and "log" in m:
        fields.add("log")
        try:
            parse_vkey(m["log"]) if isinstance(m["log"], str) else None
        except Invalid as e:
            raise Invalid(f"the manifest's log key: {e}") from e
        if not isinstance(m["log"], str):
            raise Invalid("the manifest's log key is not text")
    if not isinstance(m, dict) or set(m) != fields:
        raise Invalid("the manifest does not have exactly the fields " + ", ".join(sorted(fields)))
    if m["method"] not in PARAMS:
        raise Invalid(f"unknown method {m['method']!r}")
    if not whole_number(m["vote"]) or not isinstance(m["title"], str):
        raise Invalid("the manifest's vote or title is malformed")
    if m["secrecy"] not in ("open", "secret"):
        raise Invalid("the manifest's secrecy is neither open nor secret")
    for key in ("opens_at", "closes_at"):
        if not isinstance(m[key], str) or not UTC_TIME.match(m[key]):
            raise Invalid(f"the manifest's {key} is not an ISO 8601 UTC time")
    e = m["electorate"]
    if (
        not isinstance(e, dict)
        or set(e) != {"kind", "size"}
        or not whole_number(e["size"])
        or e["size"] < 0
    ):
        raise Invalid("the manifest's electorate is not {kind, size}")
    if not isinstance(m["options"], list):
        raise Invalid("the manifest's options are not a list")
    seen = set()
    for o in m["options"]:
        if (
            not isinstance(o, dict)
            or set(o) != {"id", "title", "cost"}
            or not isinstance(o["id"], str)
            or not o["id"]
            or not whole_number(o["cost"])
            or o["cost"] < 0
        ):
            raise Invalid(f"malformed option {o!r}")
        if o["id"] in seen:
            raise Invalid(f"option id {o['id']} appears twice")
        if m["method"] == "equal_shares" and o["cost"] == 0:
            raise Invalid(f"option {o['id']} of an equal-shares vote costs nothing")
        seen.add(o["id"])
    if m["method"] != "ratification" and not seen:
        raise Invalid("the vote has no options")
    required, optional = PARAMS[m["method"]]
    p = m["params"]
    if not isinstance(p, dict) or not required <= set(p) <= required | optional:
        raise Invalid(
            f"the params of a {m['method']} vote are not {sorted(required)} (+ {sorted(optional)})"
        )
    for key, value in p.items():
        if key == "budget" and value is None and m["method"] == "approval":
            continue
        if (
            not whole_number(value)
            or value < 0
            or (value == 0 and key in ("seats", "max_choices", "budget"))
        ):
            raise Invalid(f"parameter {key} = {value!r} is not allowed")


def ballot_problem(method: str, ids: list[str], params: dict, choices) -> str | None:
    """Why ``choices`` is not a valid (and canonical) ballot for the method, or None."""
    if not isinstance(choices, dict):
        return "the choices are not an object"
    if method == "ratification":
        if list(choices) != ["answer"] or choices["answer"] not in ANSWERS:
            return 'a ratification ballot is {"answer": yes|no|abstain}'
        return None
    if method == "item_by_item":
        if set(choices) != set(ids):
            return "an item-by-item ballot answers every option and nothing else"
        if any(v not in ANSWERS for v in choices.values()):
            return "an item-by-item answer is not yes, no or abstain"
        return None
    if list(choices) != ["approve"] or not isinstance(choices["approve"], list):
        return 'an approval ballot is {"approve": [...]}'
    picked = choices["approve"]
    if any(not isinstance(x, str) or x not in ids for x in picked):
        return "the ballot approves an unknown option"
    if picked != sorted(set(picked)):
        return "the approved options are not sorted and unique"
    if method == "approval" and len(picked) > params["max_choices"]:
        return f"{len(picked)} approvals where at most {params['max_choices']} are allowed"
    return None


def verify(doc, trusted_policy: dict | None = None) -> tuple[list[str], dict]:
    """All problems found (empty when valid) and facts for the verdict line.

    ``trusted_policy`` (parsed) replaces the policy a /2 export carries, for a reader who has
    the log and witness keys from elsewhere (the paper notice in the building).
    """
    problems: list[str] = []
    facts: dict = {"trusted_policy": trusted_policy}
    try:
        if not isinstance(doc, dict):
            raise Invalid("the file is not a JSON object")
        if doc.get("format") not in (FORMAT, FORMAT_2):
            raise Invalid(f"the format is {doc.get('format')!r}, not {FORMAT} or {FORMAT_2}")
        witnessed_log = doc["format"] == FORMAT_2
        facts["format"] = doc["format"]
        top = {
            "format",
            "manifest",
            "manifest_hash",
            "ballots",
            "checkpoints",
            "participation",
            "result",
        } | ({"policy", "reconciliation"} if witnessed_log else set())
        if set(doc) != top:
            raise Invalid("the document does not have exactly the fields " + ", ".join(sorted(top)))
        m = doc["manifest"]
        check_manifest(m, witnessed_log)
        facts["manifest"] = m
        head = sha(canonical(m)).hex()
        if doc["manifest_hash"] != head:
            raise Invalid(
                f"manifest hash mismatch: the manifest hashes to {head}, the file says {doc['manifest_hash']}"
            )
        ids = [o["id"] for o in m["options"]]
        records = doc["ballots"]
        if not isinstance(records, list):
            raise Invalid("the ballots are not a list")
        fields = {"seq", "vote", "cast_at", "voter", "choices", "nonce", "prev", "hash"}
        link, leaves, choices, names, nonces = head, [], [], [], set()
        labels: dict[str, int] = {}
        for pos, r in enumerate(records):
            if not isinstance(r, dict) or set(r) != fields:
                raise Invalid(
                    f"ballot at position {pos} does not have exactly the fields {', '.join(sorted(fields))}"
                )
            if not whole_number(r["seq"]) or r["seq"] != pos:
                raise Invalid(f"gap or disorder in the log: position {pos} holds seq {r['seq']!r}")
            if r["prev"] != link:
                raise Invalid(f"broken chain at seq {pos}: prev does not match the previous hash")
            if not isinstance(r["hash"], str) or leaf_of(r) != r["hash"]:
                raise Invalid(f"record hash mismatch at seq {pos}: the record was altered")
            if not whole_number(r["vote"]) or r["vote"] != m["vote"]:
                raise Invalid(f"seq {pos} belongs to another vote ({r['vote']!r})")
            if not isinstance(r["cast_at"], str) or not UTC_TIME.match(r["cast_at"]):
                raise Invalid(f"seq {pos}: cast_at is not an ISO 8601 UTC time")
            if not isinstance(r["nonce"], str) or not HEX32.match(r["nonce"]):
                raise Invalid(f"seq {pos}: the nonce is not 32 hex digits")
            if r["nonce"] in nonces:
                raise Invalid(f"seq {pos} duplicates an earlier ballot (same nonce)")
            nonces.add(r["nonce"])
            if m["secrecy"] == "secret" and r["voter"] is not None:
                raise Invalid(f"seq {pos}: a secret vote's record names its voter")
            if m["secrecy"] == "open" and (not isinstance(r["voter"], str) or not r["voter"]):
                raise Invalid(f"seq {pos}: an open vote's record does not name its voter")
            if witnessed_log and m["secrecy"] == "open":
                if r["voter"] in labels:
                    raise Invalid(
                        f"seq {pos}: the voter {r['voter']!r} already voted at seq {labels[r['voter']]}"
                        " (an open vote's labels must be unique)"
                    )
                labels[r["voter"]] = pos
            why = ballot_problem(m["method"], ids, m["params"], r["choices"])
            if why:
                raise Invalid(f"invalid ballot at seq {pos} for {m['method']}: {why}")
            link = r["hash"]
            leaves.append(bytes.fromhex(r["hash"]))
            choices.append(r["choices"])
            names.append(r["voter"])
        n = len(records)
        facts["ballots"] = n
        people = doc["participation"]
        if not isinstance(people, list) or any(not isinstance(x, str) for x in people):
            raise Invalid("the participation list is not a list of names")
        if n > len(people):
            raise Invalid(f"more ballots ({n}) than participants ({len(people)})")
        if n < len(people):
            raise Invalid(
                f"fewer ballots ({n}) than participants ({len(people)}): a ballot is missing"
            )
        if people != sorted(people):
            raise Invalid("the participation list is not sorted")
        if m["secrecy"] == "open" and sorted(names) != people:
            raise Invalid("the participation list does not match the voters named in the records")
        if n > m["electorate"]["size"]:
            raise Invalid(f"more ballots ({n}) than the electorate ({m['electorate']['size']})")
        if witnessed_log:
            check_reconciliation(doc["reconciliation"], n, len(people), m["electorate"]["size"])
            facts["reconciliation"] = doc["reconciliation"]
        cps = doc["checkpoints"]
        if not isinstance(cps, list):
            raise Invalid("the checkpoints are not a list")
        sizes = set()
        cp_fields = {"size", "root", "at"} | ({"note"} if witnessed_log else set())
        for j, cp in enumerate(cps):
            if not isinstance(cp, dict) or set(cp) != cp_fields or not whole_number(cp["size"]):
                raise Invalid(f"checkpoint {j} is not {{{', '.join(sorted(cp_fields))}}}")
            if not 0 <= cp["size"] <= n:
                raise Invalid(f"checkpoint {j} claims {cp['size']} ballots; the log has {n}")
            if j and cp["size"] < cps[j - 1]["size"]:
                raise Invalid(f"checkpoint {j} is smaller than the checkpoint before it")
            if not isinstance(cp["at"], str) or not UTC_TIME.match(cp["at"]):
                raise Invalid(f"checkpoint {j}: at is not an ISO 8601 UTC time")
            sizes.add(cp["size"])
        if witnessed_log:
            if not cps or cps[-1]["size"] != n:
                raise Invalid("no closing checkpoint covers the whole log")
            check_witnessed(doc, leaves, facts)
        roots = prefix_roots(leaves, sizes | {n})
        for j, cp in enumerate(cps):
            if cp["root"] != roots[cp["size"]]:
                raise Invalid(
                    f"checkpoint {j} (size {cp['size']}): its root is not the root of that prefix of the log"
                )
        if not cps or cps[-1]["size"] != n:
            raise Invalid("no closing checkpoint covers the whole log")
        root = roots[n]
        facts["root"] = root
        facts["leaves"] = leaves
        expected = recount(m, choices, root)
        facts["result"] = expected
        got = doc["result"]
        if got != expected:
            if not isinstance(got, dict):
                raise Invalid("the result is not an object")
            for key in sorted(set(got) | set(expected)):
                if got.get(key) != expected.get(key):
                    raise Invalid(
                        f"the result differs from its recount: {key} is {json.dumps(got.get(key), ensure_ascii=False)}"
                        f" but the recount gives {json.dumps(expected.get(key), ensure_ascii=False)}"
                    )
    except Invalid as e:
        problems.append(str(e))
    return problems, facts


def verdict(facts: dict) -> str:
    m, r = facts["manifest"], facts["result"]
    line = (
        f'VALID {facts["format"]}: vote {m["vote"]} "{m["title"]}" ({m["method"]}, {m["secrecy"]}), '
        f"{facts['ballots']} ballots of an electorate of {m['electorate']['size']}, "
        f"quorum {'met' if r['quorum_met'] else 'NOT met'}, root {facts['root']}"
    )
    if m["method"] == "ratification":
        line += f"; yes {r['yes']}, no {r['no']}, abstain {r['abstain']}: {'adopted' if r['adopted'] else 'not adopted'}"
    else:
        line += "; winners: " + (", ".join(r["winners"]) or "none")
    if facts["format"] == FORMAT_2:
        rec = facts["reconciliation"]
        line += (
            f"; log {facts['origin']} signed every checkpoint, the closing one cosigned by "
            f"{', '.join(facts['cosigned']) or 'no witness'} (quorum {facts['quorum']} met)"
            f"; {rec['participants']} participants of {rec['electorate']}: "
            f"{rec['paper_ballots']} paper + {rec['online_ballots']} online ballots"
        )
    return line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Verify a Yishiting ballot log export (yishiting-ballot-log/1 or /2), "
        "or a ballot's receipt file (c2sp.org/tlog-proof) offline."
    )
    parser.add_argument("file", nargs="?", help="the exported JSON document")
    parser.add_argument(
        "--receipt",
        help="a ballot's receipt (its record hash, or the short code shown beside it): "
        "print and check its inclusion proof",
    )
    parser.add_argument("--proof", help="a .tlog-proof receipt file to check offline")
    parser.add_argument(
        "--policy",
        help="a trusted policy file (c2sp.org/tlog-policy): the log key, the witness keys and "
        "the quorum; needed with --proof, and replaces the policy inside a /2 export",
    )
    args = parser.parse_args(argv)
    trusted = None
    if args.policy:
        try:
            with open(args.policy, encoding="utf-8") as fh:
                trusted = parse_policy(fh.read())
        except (OSError, ValueError) as e:
            print(f"INVALID: cannot read the policy {args.policy}: {e}")
            return 1
        except Invalid as e:
            print(f"INVALID: the policy {args.policy}: {e}")
            return 1
    if args.proof:
        if trusted is None or args.file:
            print("INVALID: --proof FILE needs --policy FILE (and no export)")
            return 1
        try:
            with open(args.proof, encoding="utf-8") as fh:
                print(check_tlog_proof(fh.read(), trusted, args.receipt))
        except (OSError, ValueError) as e:
            print(f"INVALID: cannot read the receipt {args.proof}: {e}")
            return 1
        except Invalid as e:
            print(f"INVALID: {e}")
            return 1
        return 0
    if not args.file:
        parser.print_usage()
        print("INVALID: give an export file, or --proof FILE --policy FILE")
        return 1
    try:
        with open(args.file, encoding="utf-8") as fh:
            doc = json.load(fh)
    except (OSError, ValueError) as e:
        print(f"INVALID: cannot read {args.file} as JSON: {e}")
        return 1
    problems, facts = verify(doc, trusted)
    if problems:
        print(f"INVALID: {problems[0]}")
        return 1
    print(verdict(facts))
    if args.receipt:
        # the full hash, or the short code shown beside it (its first 8 hex digits, e.g. ABCD-1234)
        wanted = args.receipt.strip().lower().replace("-", "")
        hexes = [leaf.hex() for leaf in facts["leaves"]]
        if len(wanted) < 8 or not HEX64.match(wanted.ljust(64, "0")):
            print(
                f"INVALID: {args.receipt!r} is neither a receipt (64 hex digits) nor its short code"
            )
            return 1
        found = [i for i, h in enumerate(hexes) if h.startswith(wanted)]
        if not found:
            print(f"INVALID: receipt {wanted} is not in this log")
            return 1
        if len(found) > 1:
            print(f"INVALID: {len(found)} ballots start with {wanted}: give the full receipt")
            return 1
        index = found[0]
        wanted = hexes[index]
        path = [x.hex() for x in audit_path(index, facts["leaves"])]
        print(f"receipt {wanted}: ballot seq {index}, tree size {len(hexes)}")
        print("inclusion proof (leaf sibling first):")
        for step in path:
            print(f"  {step}")
        if not proof_holds(wanted, index, len(hexes), path, facts["root"]):
            print(f"INVALID: the inclusion proof does not lead to the root {facts['root']}")
            return 1
        print(f"the proof leads to the root {facts['root']}: the ballot is in the counted log")
    return 0


if __name__ == "__main__":
    sys.exit(main())
