"""The witness's HTTP interface, as c2sp.org/tlog-witness specifies it.

``POST /add-checkpoint`` with ``old <size>\\n``, up to 63 base64 consistency-proof lines, an
empty line and the signed checkpoint. The answers:

* 200 with the ``cosignature/v1`` line, after the new state is stored;
* 400 for a malformed body or an old size above the checkpoint's size;
* 403 when no trusted key of the origin signed it, or a trusted key's signature fails;
* 404 for an origin the witness was not configured with;
* 409 with the size it last cosigned (``text/x.tlog.size``) when the old size is not that;
* 422 for an empty tree with a non-empty root, a proof from size 0, a consistency proof that
  does not verify, or the same size with another root: a fork.

``GET /<sha256(origin) hex>/checkpoint`` serves the latest cosigned checkpoint;
``GET /`` tells the witness's verifier key and the origins it knows.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, request

from app.core import tlog
from app.witness.state import WitnessState, load_key

log = logging.getLogger("yishiting.witness")

#: A request body larger than this is refused before it is read (63 proof lines and a note
#: with a few dozen signatures fit well within it).
MAX_BODY = 64 * 1024
MAX_PROOF_LINES = 63
SIZE_TYPE = "text/x.tlog.size"


@dataclass(frozen=True)
class Answer:
    """An HTTP answer of add-checkpoint: status, body and content type."""

    status: int
    body: str
    content_type: str = "text/plain; charset=utf-8"


class Witness:
    """The witness's logic, apart from HTTP: its key, the logs it trusts and its state."""

    def __init__(self, state_dir: Path, log_keys: Iterable[str], name: str | None = None):
        self.signer = load_key(Path(state_dir), name)
        self.state = WitnessState(Path(state_dir))
        self.logs: dict[str, list[tlog.Verifier]] = {}
        #: Family keys ``<prefix>/*+...``: the same key signs every log ``<prefix>/<name>``
        #: under that origin's own name (one key per site, one origin per vote).
        self.families: list[tuple[str, bytes]] = []
        for vkey in log_keys:
            verifier = tlog.parse_vkey(vkey)
            if verifier.sig_type != tlog.ED25519:
                raise tlog.TlogError(f"log key {verifier.name} is not an Ed25519 note key")
            if verifier.name.endswith("/*"):
                self.families.append((verifier.name[:-1], verifier.public_key))
            else:
                self.logs.setdefault(verifier.name, []).append(verifier)

    def keys_for(self, origin: str) -> list[tlog.Verifier]:
        """The trusted keys of a log origin: its own, or its family's under the origin's name."""
        keys = list(self.logs.get(origin, []))
        for prefix, public_key in self.families:
            rest = origin[len(prefix) :]
            if origin.startswith(prefix) and rest and "/" not in rest:
                keys.append(tlog.Verifier(origin, tlog.ED25519, public_key))
        return keys

    def add_checkpoint(self, body: bytes) -> Answer:
        """Check a submitted checkpoint and, if it is consistent, record and cosign it."""
        try:
            text = body.decode("utf-8")
            old_size, proof, note = parse_request(text)
            parsed = tlog.parse_note(note)
            checkpoint = tlog.parse_checkpoint(parsed.text)
        except (UnicodeDecodeError, tlog.TlogError) as e:
            return Answer(400, f"malformed request: {e}\n")
        origin = checkpoint.origin
        keys = self.keys_for(origin)
        if not keys:
            return Answer(404, f"unknown log origin {origin}\n")
        try:
            tlog.verify_note(parsed, keys)
        except tlog.TlogError as e:
            return Answer(403, f"{e}\n")
        if old_size > checkpoint.size:
            return Answer(400, f"old size {old_size} is above the checkpoint size\n")
        with self.state.transaction() as conn:
            latest = self.state.latest_in(conn, origin)
            known = latest.size if latest else 0
            if old_size != known:
                return Answer(409, f"{known}\n", SIZE_TYPE)
            why = inconsistency(old_size, proof, checkpoint, latest.root if latest else None)
            if why:
                self.state.refuse(conn, origin, 422, why, text)
                log.warning("refused a checkpoint of %s: %s", origin, why)
                return Answer(422, f"{why}\n")
            line = tlog.cosign(parsed.text, self.signer, max(int(time.time()), 1))
            stored = tlog.add_signatures(note, line)
            if not self.state.advance(conn, origin, old_size, checkpoint, stored):
                return Answer(409, f"{known}\n", SIZE_TYPE)
        log.info("%s cosigned %s at size %s", self.signer.name, origin, checkpoint.size)
        return Answer(200, line)


def parse_request(text: str) -> tuple[int, list[bytes], str]:
    """Split an add-checkpoint body into the old size, the proof hashes and the note."""
    head, sep, note = text.partition("\n\n")
    if not sep:
        raise tlog.TlogError("no empty line before the checkpoint")
    lines = head.split("\n")
    first = lines[0]
    if not first.startswith("old ") or not first[4:].isdigit() or str(int(first[4:])) != first[4:]:
        raise tlog.TlogError("the first line is not 'old <size>'")
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise tlog.TlogError(f"more than {MAX_PROOF_LINES} consistency proof lines")
    return int(first[4:]), [tlog.unb64(line, 32) for line in lines[1:]], note


def inconsistency(
    old_size: int, proof: list[bytes], checkpoint: tlog.Checkpoint, old_root: bytes | None
) -> str | None:
    """Why the checkpoint cannot follow the witness's latest one (422), or None if it can."""
    if checkpoint.size == 0 and checkpoint.root != tlog.empty_root():
        return "a checkpoint of size 0 must have the empty tree's root"
    if old_size == 0:
        return "a proof from size 0 must be empty" if proof else None
    assert old_root is not None  # noqa: S101 - old_size > 0 means a stored checkpoint
    if old_size == checkpoint.size:
        if proof or checkpoint.root != old_root:
            return f"another root at size {old_size}: the log has forked"
        return None
    if not tlog.verify_consistency(old_size, checkpoint.size, old_root, checkpoint.root, proof):
        return f"the consistency proof from size {old_size} to {checkpoint.size} does not verify"
    return None


def create_witness_app(state_dir: Path, log_keys: Iterable[str], name: str | None = None) -> Flask:
    """The witness as a WSGI app (werkzeug, gunicorn): one folder of state, the trusted log keys."""
    witness = Witness(Path(state_dir), log_keys, name)
    app = Flask("yishiting_witness")
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    app.extensions["witness"] = witness

    @app.post("/add-checkpoint")
    def add_checkpoint():
        """Cosign a checkpoint consistent with what this witness cosigned before."""
        answer = witness.add_checkpoint(request.get_data(cache=False))
        return Response(answer.body, status=answer.status, content_type=answer.content_type)

    @app.get("/<origin_hash>/checkpoint")
    def latest_checkpoint(origin_hash: str):
        """The latest cosigned checkpoint of the log whose origin hashes to ``origin_hash``."""
        for origin in witness.logs:
            if hashlib.sha256(origin.encode("utf-8")).hexdigest() == origin_hash:
                latest = witness.state.latest(origin)
                if latest is not None:
                    return Response(latest.note, content_type="text/plain; charset=utf-8")
        return Response("never cosigned a checkpoint of that log\n", status=404)

    @app.get("/")
    def about():
        """The witness's verifier key and the logs it witnesses, for people setting it up."""
        lines = [f"witness {witness.signer.vkey}"] + [
            f"log {v.vkey}" for vs in witness.logs.values() for v in vs
        ]
        lines += [
            f"log {tlog.Verifier(prefix + '*', tlog.ED25519, key).vkey}"
            for prefix, key in witness.families
        ]
        return Response("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")

    return app


def app_from_env() -> Flask:
    """For gunicorn: ``WITNESS_STATE`` (folder), ``WITNESS_LOG_KEYS`` (vkeys, whitespace-separated)
    and optionally ``WITNESS_NAME``, e.g. ``gunicorn -b 127.0.0.1:8765 'app.witness.service:app_from_env()'``.
    """
    state = os.environ.get("WITNESS_STATE")
    keys = os.environ.get("WITNESS_LOG_KEYS", "").split()
    if not state or not keys:
        raise RuntimeError("set WITNESS_STATE and WITNESS_LOG_KEYS")
    return create_witness_app(Path(state), keys, os.environ.get("WITNESS_NAME"))
