"""Signed notes (c2sp.org/signed-note): keys, vkeys, signature lines, signing and verifying.

Ed25519 note signatures have type byte 0x01 and ``cosignature/v1`` (c2sp.org/tlog-cosignature)
type 0x04; the key ID is ``SHA-256(name || 0x0A || type || public key)[:4]`` and a verifier key
``<name>+<hex key ID>+base64(type || public key)``. Signer keys are written as Go's
``golang.org/x/mod/sumdb/note`` does: ``PRIVATE+KEY+<name>+<hex key ID>+base64(type || seed)``.
Re-exported by ``app.core.tlog``, which most callers use.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

#: Signature type bytes of c2sp.org/signed-note.
ED25519 = 0x01
COSIGNATURE_V1 = 0x04

EM_DASH = "\u2014"
#: A note with more signatures than this is refused (the spec asks for at least 16).
MAX_SIGNATURES = 64
_NAME = re.compile(r"^[^\s+]+$")
_DECIMAL = re.compile(r"^(0|[1-9][0-9]*)$")


class TlogError(ValueError):
    """A note, checkpoint, key, proof or policy is malformed or does not verify."""


# --- keys ------------------------------------------------------------------------------------


def b64(data: bytes) -> str:
    """Standard base64 (RFC 4648 section 4) with padding."""
    return base64.b64encode(data).decode("ascii")


def unb64(text: str, length: int | None = None) -> bytes:
    """Strict base64: canonical padding, no stray characters, optionally an exact length."""
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as e:
        raise TlogError(f"not base64: {text[:40]!r}") from e
    if b64(data) != text or (length is not None and len(data) != length):
        raise TlogError(f"not canonical base64 of {length or 'some'} bytes: {text[:40]!r}")
    return data


def check_key_name(name: str) -> str:
    """A key name is non-empty and has no Unicode spaces and no ``+`` (signed-note)."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise TlogError(f"key name {name!r} is empty or has a space or a '+'")
    return name


def key_id(name: str, sig_type: int, public_key: bytes) -> bytes:
    """``SHA-256(name || 0x0A || type || public key)[:4]``, the 4-byte key ID."""
    from hashlib import sha256

    return sha256(name.encode("utf-8") + b"\n" + bytes([sig_type]) + public_key).digest()[:4]


@dataclass(frozen=True)
class Verifier:
    """A public key that checks note signatures of one type (0x01 Ed25519 or 0x04 cosignature)."""

    name: str
    sig_type: int
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.sig_type, self.public_key)

    @property
    def vkey(self) -> str:
        """``<name>+<hex key ID>+base64(type || public key)``."""
        return f"{self.name}+{self.key_id.hex()}+{b64(bytes([self.sig_type]) + self.public_key)}"

    def verify(self, text: str, signature: bytes) -> int | None:
        """Check ``signature`` (without the key ID) over the note text.

        Returns None when it does not verify; else 0 for an Ed25519 note signature and the
        cosignature's POSIX timestamp for a ``cosignature/v1``.
        """
        key = Ed25519PublicKey.from_public_bytes(self.public_key)
        body = text.encode("utf-8")
        timestamp = 0
        if self.sig_type == COSIGNATURE_V1:
            if len(signature) != 72:
                return None
            timestamp = int.from_bytes(signature[:8], "big")
            if timestamp >= 2**63:
                return None
            body = cosigned_message(text, timestamp)
            signature = signature[8:]
        elif len(signature) != 64:
            return None
        try:
            key.verify(signature, body)
        except InvalidSignature:
            return None
        return timestamp


@dataclass(frozen=True)
class Signer:
    """A named Ed25519 private key that signs notes (0x01) or cosigns checkpoints (0x04)."""

    name: str
    sig_type: int
    private_key: Ed25519PrivateKey = field(repr=False, compare=False)

    @property
    def verifier(self) -> Verifier:
        public = self.private_key.public_key().public_bytes_raw()
        return Verifier(self.name, self.sig_type, public)

    @property
    def vkey(self) -> str:
        return self.verifier.vkey

    @property
    def skey(self) -> str:
        """The private key as ``PRIVATE+KEY+<name>+<hex key ID>+base64(type || seed)``."""
        seed = self.private_key.private_bytes_raw()
        return f"PRIVATE+KEY+{self.name}+{self.verifier.key_id.hex()}+{b64(bytes([self.sig_type]) + seed)}"


def generate_signer(name: str, sig_type: int = ED25519) -> Signer:
    """A new random key named ``name``: a log key (0x01) or a witness key (0x04)."""
    if sig_type not in (ED25519, COSIGNATURE_V1):
        raise TlogError(f"unsupported signature type {sig_type:#04x}")
    return Signer(check_key_name(name), sig_type, Ed25519PrivateKey.generate())


def load_signer(skey: str) -> Signer:
    """Read a signer key written by ``Signer.skey``; raises TlogError when it is malformed."""
    parts = skey.strip().split("+", 4)  # base64 may hold "+"; names may not
    if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
        raise TlogError("a signer key is PRIVATE+KEY+<name>+<key ID>+<key>")
    name, hex_id, material = parts[2], parts[3], unb64(parts[4], 33)
    if material[0] not in (ED25519, COSIGNATURE_V1):
        raise TlogError(f"unsupported signature type {material[0]:#04x}")
    signer = Signer(
        check_key_name(name), material[0], Ed25519PrivateKey.from_private_bytes(material[1:])
    )
    if signer.verifier.key_id.hex() != hex_id:
        raise TlogError(f"the signer key's ID {hex_id} does not match its name and key")
    return signer


def write_private_file(path: Path, text: str, *, replace: bool = True) -> bool:
    """Write ``text`` to ``path`` atomically (temporary file, fsync, rename), readable by owner only.

    With ``replace=False`` an existing file is kept (the temporary file is linked into place,
    which fails if another process got there first) and False is returned.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            os.fchmod(fh.fileno(), 0o600)
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if replace:
            os.replace(tmp, path)
            return True
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        return True
    finally:
        Path(tmp).unlink(missing_ok=True)


def load_or_create_signer(path: Path, name: str, sig_type: int = ED25519) -> Signer:
    """The signer key kept in ``path``, generated there on first use.

    Several processes starting at once (gunicorn workers) all end up with the one key written.
    """
    path = Path(path)
    if not path.exists():
        signer = generate_signer(name, sig_type)
        if write_private_file(path, signer.skey + "\n", replace=False):
            return signer
    return load_signer(path.read_text(encoding="utf-8"))


def parse_vkey(vkey: str) -> Verifier:
    """Read ``<name>+<hex key ID>+base64(type || key)``; the key ID must match (type 0x01 or 0x04)."""
    parts = vkey.strip().split("+", 2)  # base64 may hold "+"; names may not
    if len(parts) != 3:
        raise TlogError(f"a verifier key is <name>+<key ID>+<key>: {vkey[:60]!r}")
    name, hex_id, material = check_key_name(parts[0]), parts[1], unb64(parts[2], 33)
    if material[0] not in (ED25519, COSIGNATURE_V1):
        raise TlogError(f"unsupported signature type {material[0]:#04x} in {name}")
    verifier = Verifier(name, material[0], material[1:])
    if not re.fullmatch(r"[0-9a-f]{8}", hex_id) or verifier.key_id.hex() != hex_id:
        raise TlogError(f"the verifier key's ID {hex_id!r} does not match its name and key")
    return verifier


# --- signed notes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Signature:
    """One signature line of a note: the key name, the 4-byte key ID and the signature bytes."""

    name: str
    key_id: bytes
    signature: bytes

    @property
    def line(self) -> str:
        return f"{EM_DASH} {self.name} {b64(self.key_id + self.signature)}\n"


@dataclass(frozen=True)
class Note:
    """A note's text (with its final newline) and its signature lines, in order."""

    text: str
    signatures: tuple[Signature, ...]

    def __str__(self) -> str:
        return self.text + "\n" + "".join(s.line for s in self.signatures)


def check_note_text(text: str) -> str:
    """Note text ends in a newline and has no control characters other than newline."""
    if not text.endswith("\n") or any(ord(c) < 0x20 and c != "\n" for c in text):
        raise TlogError("note text must end in a newline and hold no control characters")
    return text


def parse_signature_line(line: str) -> Signature:
    """Read ``— <name> <base64(key ID || signature)>`` (without its newline)."""
    parts = line.split(" ")
    if len(parts) != 3 or parts[0] != EM_DASH:
        raise TlogError(f"malformed signature line {line[:60]!r}")
    raw = unb64(parts[2])
    if len(raw) < 5:
        raise TlogError(f"signature of {parts[1]} is too short")
    return Signature(check_key_name(parts[1]), raw[:4], raw[4:])


def parse_note(note: str | bytes) -> Note:
    """Split a signed note into its text and signature lines (checks the form, not the keys)."""
    if isinstance(note, bytes):
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError as e:
            raise TlogError("a note must be UTF-8") from e
    if any(ord(c) < 0x20 and c != "\n" for c in note) or not note.endswith("\n"):
        raise TlogError("a note ends in a newline and holds no control characters but newlines")
    cut = note.rfind("\n\n")
    if cut < 0:
        raise TlogError("a note has a blank line between its text and its signatures")
    text, block = note[: cut + 1], note[cut + 2 :]
    lines = block.split("\n")[:-1]
    if not lines:
        raise TlogError("the note has no signature")
    if len(lines) > MAX_SIGNATURES:
        raise TlogError(f"the note has more than {MAX_SIGNATURES} signatures")
    return Note(text, tuple(parse_signature_line(line) for line in lines))


def sign_note(text: str, signer: Signer) -> str:
    """The Ed25519 (0x01) signature line of ``signer`` over the note text."""
    if signer.sig_type != ED25519:
        raise TlogError("a cosigner key signs checkpoints with cosign()")
    check_note_text(text)
    sig = signer.private_key.sign(text.encode("utf-8"))
    return Signature(signer.name, signer.verifier.key_id, sig).line


def signed_note(text: str, *signers: Signer) -> str:
    """The whole note: the text, a blank line and one signature line per signer."""
    return text + "\n" + "".join(sign_note(text, s) for s in signers)


def cosigned_message(text: str, timestamp: int) -> bytes:
    """What a ``cosignature/v1`` signs: ``cosignature/v1\\ntime <t>\\n`` + the checkpoint text."""
    return f"cosignature/v1\ntime {timestamp}\n{text}".encode()


def add_signatures(note: str, lines: str) -> str:
    """The note with further signature lines (a witness's response) appended, without repeats."""
    parsed = parse_note(note)
    extra = parse_note(parsed.text + "\n" + lines).signatures if lines.strip() else ()
    have = set(parsed.signatures)
    return str(Note(parsed.text, parsed.signatures + tuple(s for s in extra if s not in have)))


def verify_note(note: str | Note, verifiers: list[Verifier]) -> dict[Verifier, int]:
    """Check a note against the known keys; returns each known key that signed it and its time.

    Follows signed-note: a signature from an unknown key (name and key ID) is ignored, one
    from a known key must verify (else TlogError), and at least one known key must have signed.
    The time is 0 for note signatures and the timestamp for cosignatures.
    """
    parsed = parse_note(note) if isinstance(note, str) else note
    known = {(v.name, v.key_id): v for v in verifiers}
    found: dict[Verifier, int] = {}
    for sig in parsed.signatures:
        verifier = known.get((sig.name, sig.key_id))
        if verifier is None:
            continue
        got = verifier.verify(parsed.text, sig.signature)
        if got is None:
            raise TlogError(f"the signature of {sig.name} ({sig.key_id.hex()}) does not verify")
        found[verifier] = got
    if not found:
        raise TlogError("no known key signed the note")
    return found
