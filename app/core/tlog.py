"""Transparency-log formats: signed notes, checkpoints, cosignatures, Merkle proofs, policies.

Pure functions over the public C2SP formats, so that a vote's ballot log can be witnessed by
services that know nothing of Yishiting, and checked by tools that share no code with it:

* c2sp.org/signed-note: a note is ``text`` (ending in a newline), a blank line, and lines
  ``— <key name> base64(key ID || signature)``. Ed25519 signatures have type byte 0x01 and
  key ID ``SHA-256(name || 0x0A || 0x01 || public key)[:4]``; a verifier key (vkey) is
  ``<name>+<hex key ID>+base64(type || public key)``.
* c2sp.org/tlog-checkpoint: the note text ``<origin>\\n<size>\\n<base64 root>\\n``.
* c2sp.org/tlog-cosignature, ``cosignature/v1``: type byte 0x04, key ID
  ``SHA-256(name || 0x0A || 0x04 || public key)[:4]``, signature ``u64 timestamp (big endian)
  || Ed25519 over "cosignature/v1\\ntime <t>\\n" + checkpoint text``.
* RFC 6962 / RFC 9162 section 2.1 Merkle trees: root, inclusion and consistency proofs.
* c2sp.org/tlog-policy: ``log``, ``witness``, ``group`` and ``quorum`` lines.
* c2sp.org/tlog-proof: an offline receipt (index, inclusion proof, cosigned checkpoint).

Signer keys are written as Go's ``golang.org/x/mod/sumdb/note`` writes them:
``PRIVATE+KEY+<name>+<hex key ID>+base64(type || 32-byte Ed25519 seed)``.

Imports no app domain; Ed25519 comes from the ``cryptography`` package. Merkle hashes are
raw 32-byte ``bytes`` (leaf hashes in, roots and proof steps out).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.core.merkle import (
    consistency_proof,
    empty_root,
    inclusion_proof,
    leaf_hash,
    merkle_root,
    node_hash,
    verify_consistency,
    verify_inclusion,
)
from app.core.notes import (
    COSIGNATURE_V1,
    ED25519,
    EM_DASH,
    Note,
    Signature,
    Signer,
    TlogError,
    Verifier,
    add_signatures,
    b64,
    check_key_name,
    check_note_text,
    cosigned_message,
    generate_signer,
    key_id,
    load_or_create_signer,
    load_signer,
    parse_note,
    parse_signature_line,
    parse_vkey,
    sign_note,
    signed_note,
    unb64,
    verify_note,
    write_private_file,
)

__all__ = [  # re-exported from app.core.notes and app.core.merkle, so callers import one module
    "COSIGNATURE_V1",
    "ED25519",
    "EM_DASH",
    "Note",
    "Signature",
    "Signer",
    "TlogError",
    "Verifier",
    "add_signatures",
    "b64",
    "check_key_name",
    "check_note_text",
    "consistency_proof",
    "cosigned_message",
    "empty_root",
    "generate_signer",
    "inclusion_proof",
    "key_id",
    "leaf_hash",
    "load_or_create_signer",
    "load_signer",
    "merkle_root",
    "node_hash",
    "parse_note",
    "parse_signature_line",
    "parse_vkey",
    "sign_note",
    "signed_note",
    "unb64",
    "verify_consistency",
    "verify_inclusion",
    "verify_note",
    "write_private_file",
]

_DECIMAL = re.compile(r"^(0|[1-9][0-9]*)$")


# --- cosignatures ---------------------------------------------------------------------------


def cosign(text: str, signer: Signer, timestamp: int) -> str:
    """A witness's ``cosignature/v1`` line over a checkpoint text, at POSIX time ``timestamp``."""
    if signer.sig_type != COSIGNATURE_V1:
        raise TlogError("cosignatures need a key of type 0x04")
    parse_checkpoint(text)
    if not 0 < timestamp < 2**63:
        raise TlogError("a cosignature's timestamp is a positive POSIX time")
    sig = signer.private_key.sign(cosigned_message(text, timestamp))
    return Signature(signer.name, signer.verifier.key_id, timestamp.to_bytes(8, "big") + sig).line


# --- checkpoints -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """The body of a c2sp.org/tlog-checkpoint: origin, tree size, root hash, extension lines."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return format_checkpoint(self.origin, self.size, self.root, self.extensions)


def format_checkpoint(origin: str, size: int, root: bytes, extensions: tuple[str, ...] = ()) -> str:
    """``<origin>\\n<size>\\n<base64 root>\\n`` (plus any extension lines), the note text."""
    if not origin or "\n" in origin or size < 0 or len(root) != 32:
        raise TlogError("a checkpoint has an origin, a size >= 0 and a 32-byte root")
    if any(not e or "\n" in e for e in extensions):
        raise TlogError("extension lines are non-empty single lines")
    return "".join(f"{line}\n" for line in (origin, str(size), b64(root), *extensions))


def parse_checkpoint(text: str) -> Checkpoint:
    """Read a checkpoint's note text (not the signatures)."""
    check_note_text(text)
    lines = text[:-1].split("\n")
    if len(lines) < 3 or any(not line for line in lines):
        raise TlogError("a checkpoint is at least three non-empty lines")
    origin, size, root = lines[:3]
    if not _DECIMAL.match(size):
        raise TlogError(f"the checkpoint size {size!r} is not a decimal without leading zeroes")
    return Checkpoint(origin, int(size), unb64(root, 32), tuple(lines[3:]))


# --- tlog-proof ------------------------------------------------------------------------------

PROOF_HEADER = "c2sp.org/tlog-proof@v1"


@dataclass(frozen=True)
class Proof:
    """A c2sp.org/tlog-proof: the entry's index, its inclusion proof and the cosigned checkpoint."""

    index: int
    proof: tuple[bytes, ...]
    note: str
    extra: bytes | None = None

    def __str__(self) -> str:
        lines = [PROOF_HEADER]
        if self.extra is not None:
            lines.append(f"extra {b64(self.extra)}")
        lines.append(f"index {self.index}")
        lines += [b64(h) for h in self.proof]
        return "\n".join(lines) + "\n\n" + self.note


def parse_proof(text: str) -> Proof:
    """Read a ``.tlog-proof`` file (checks the form; verify with ``verify_proof``)."""
    head, sep, note = text.partition("\n\n")
    lines = head.split("\n")
    if not sep or lines[0] != PROOF_HEADER:
        raise TlogError(f"a tlog-proof starts with {PROOF_HEADER} and has a blank line")
    extra = None
    rest = lines[1:]
    if rest and rest[0].startswith("extra "):
        extra = unb64(rest.pop(0)[6:])
    if not rest or not rest[0].startswith("index ") or not _DECIMAL.match(rest[0][6:]):
        raise TlogError("the tlog-proof has no 'index N' line")
    index = int(rest[0][6:])
    if len(rest) - 1 > 63:
        raise TlogError("an inclusion proof has at most 63 hashes")
    proof = tuple(unb64(line, 32) for line in rest[1:])
    parse_note(note)
    return Proof(index, proof, note, extra)


# --- policy ----------------------------------------------------------------------------------


@dataclass
class Policy:
    """A c2sp.org/tlog-policy: the accepted logs, the witnesses, groups and the quorum."""

    logs: list[tuple[Verifier, str | None]] = field(default_factory=list)
    witnesses: dict[str, tuple[Verifier, str | None]] = field(default_factory=dict)
    groups: dict[str, tuple[int, tuple[str, ...]]] = field(default_factory=dict)
    quorum: str = "none"

    def witnessed(self, name: str, cosigned: set[str]) -> bool:
        """Whether ``name`` (a witness, a group or ``none``) has witnessed, given who cosigned."""
        if name == "none":
            return True
        if name in self.witnesses:
            return name in cosigned
        k, members = self.groups[name]
        return sum(self.witnessed(m, cosigned) for m in members) >= k

    def quorum_met(self, cosigned: set[str]) -> bool:
        """Whether the witnesses named in ``cosigned`` (policy names) satisfy the quorum."""
        return self.witnessed(self.quorum, cosigned)


def format_policy(
    log_vkeys: list[str], witnesses: list[tuple[str, str, str | None]], quorum: int | str
) -> str:
    """A policy text: ``log`` lines, ``witness <name> <vkey> [url]`` lines and the quorum.

    ``quorum`` is a witness name, ``none``, or a number k: then a group ``quorum`` of all the
    witnesses with threshold k is defined and named as the quorum.
    """
    lines = [f"log {v}" for v in log_vkeys]
    lines += [" ".join(x for x in ("witness", n, v, u) if x) for n, v, u in witnesses]
    if isinstance(quorum, int):
        if not witnesses:
            raise TlogError("a numeric quorum needs witnesses")
        lines.append(f"group quorum {quorum} " + " ".join(n for n, _, _ in witnesses))
        quorum = "quorum"
    lines.append(f"quorum {quorum}")
    text = "\n".join(lines) + "\n"
    parse_policy(text)
    return text


def parse_policy(text: str) -> Policy:
    """Read a policy; raises TlogError naming the line of the first problem."""
    policy, pubkeys, quorum = Policy(), set(), None
    for number, raw in enumerate(text.split("\n"), 1):
        if any(ord(c) < 0x20 and c != "\t" for c in raw) or "\x7f" in raw:
            raise TlogError(f"policy line {number}: control character")
        words = raw.replace("\t", " ").split()
        if not words or words[0].startswith("#"):
            continue
        where = f"policy line {number}"
        kind, args = words[0], words[1:]
        if kind == "log" and len(args) in (1, 2):
            v = _policy_key(args[0], ED25519, where)
            if (v.sig_type, v.public_key) in pubkeys:
                raise TlogError(f"{where}: duplicate key")
            pubkeys.add((v.sig_type, v.public_key))
            policy.logs.append((v, args[1] if len(args) == 2 else None))
        elif kind == "witness" and len(args) in (2, 3):
            _new_name(policy, args[0], where)
            v = _policy_key(args[1], COSIGNATURE_V1, where)
            if (v.sig_type, v.public_key) in pubkeys:
                raise TlogError(f"{where}: duplicate key")
            pubkeys.add((v.sig_type, v.public_key))
            policy.witnesses[args[0]] = (v, args[2] if len(args) == 3 else None)
        elif kind == "group" and len(args) >= 3:
            name, threshold, members = args[0], args[1], tuple(args[2:])
            _new_name(policy, name, where)
            for m in members:
                if m not in policy.witnesses and m not in policy.groups:
                    raise TlogError(f"{where}: {m} is not defined above")
            if len(set(members)) != len(members):
                raise TlogError(f"{where}: a member is listed twice")
            k = {"all": len(members), "any": 1}.get(threshold)
            if k is None:
                if not _DECIMAL.match(threshold) or not 1 <= int(threshold) <= len(members):
                    raise TlogError(f"{where}: threshold {threshold} is not all, any or 1..n")
                k = int(threshold)
            policy.groups[name] = (k, members)
        elif kind == "quorum" and len(args) == 1:
            if quorum is not None:
                raise TlogError(f"{where}: a second quorum line")
            if args[0] != "none" and not (args[0] in policy.witnesses or args[0] in policy.groups):
                raise TlogError(f"{where}: {args[0]} is not defined above")
            quorum = args[0]
        else:
            raise TlogError(f"{where}: not a log, witness, group or quorum line")
    if quorum is None:
        raise TlogError("the policy has no quorum line")
    policy.quorum = quorum
    return policy


def _new_name(policy: Policy, name: str, where: str) -> None:
    if name == "none" or name in policy.witnesses or name in policy.groups:
        raise TlogError(f"{where}: the name {name} is reserved or already defined")


def _policy_key(vkey: str, sig_type: int, where: str) -> Verifier:
    try:
        v = parse_vkey(vkey)
    except TlogError as e:
        raise TlogError(f"{where}: {e}") from e
    if v.sig_type != sig_type:
        raise TlogError(f"{where}: key type {v.sig_type:#04x}, expected {sig_type:#04x}")
    return v


# --- verifying against a policy --------------------------------------------------------------


@dataclass(frozen=True)
class Verified:
    """A checkpoint that a policy accepts, and which of its witnesses cosigned it (and when)."""

    checkpoint: Checkpoint
    log: Verifier
    cosigned: dict[str, int]


def verify_checkpoint(note: str, policy: Policy) -> Verified:
    """Check a cosigned checkpoint: a policy log signed it for its origin, the quorum cosigned."""
    parsed = parse_note(note)
    checkpoint = parse_checkpoint(parsed.text)
    logs = [v for v, _ in policy.logs if v.name == checkpoint.origin]
    witnesses = {v: name for name, (v, _) in policy.witnesses.items()}
    signed = verify_note(parsed, logs + list(witnesses))
    log = next((v for v in logs if v in signed), None)
    if log is None:
        raise TlogError(f"no log key of the policy signed the checkpoint of {checkpoint.origin}")
    cosigned = {witnesses[v]: t for v, t in signed.items() if v in witnesses}
    if not policy.quorum_met(set(cosigned)):
        raise TlogError(
            f"the checkpoint's cosignatures ({', '.join(sorted(cosigned)) or 'none'}) "
            f"do not meet the quorum {policy.quorum}"
        )
    return Verified(checkpoint, log, cosigned)


def verify_proof(proof: Proof, leaf: bytes, policy: Policy) -> Verified:
    """Check a tlog-proof for the leaf hash ``leaf``: checkpoint, quorum, inclusion."""
    verified = verify_checkpoint(proof.note, policy)
    cp = verified.checkpoint
    if not verify_inclusion(leaf, proof.index, cp.size, list(proof.proof), cp.root):
        raise TlogError(f"the inclusion proof of entry {proof.index} does not lead to the root")
    return verified
