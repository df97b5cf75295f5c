"""The site's log key, each vote's log origin, signed checkpoints and the published policy.

The site has one Ed25519 key (c2sp.org/signed-note). Each vote's log has its own origin,
``<SITE_HOST>/votes/<id>``, and is signed by that key under the origin's name (tlog-checkpoint
asks that the key name be the origin), so the verifier key ``<origin>+<key ID>+<key>`` differs
per vote while the key does not: a witness trusts every vote of the site with one
``--log-key <SITE_HOST>/votes/*+...`` family key (see app/witness).

The key comes from ``LOG_KEY`` (config) or ``YISHITING_LOG_KEY`` (environment), a signer key as
``flask witness``/Go's note package write it; otherwise it is generated on first use into the
instance folder (``ballot-log.key``, or ``LOG_KEY_FILE``). Nothing is read or made at import.
"""

import os
from dataclasses import replace
from pathlib import Path

from flask import current_app

from app.core import tlog
from app.votes.models import Checkpoint, Vote

_EXT = "yishiting.votes.log_key"
KEY_FILE = "ballot-log.key"


class LogForked(RuntimeError):
    """A checkpoint that does not extend the last signed one: the app refuses to sign it."""


def site_host() -> str:
    """The host name in log origins (``SITE_HOST``; ``localhost`` by default)."""
    return str(current_app.config.get("SITE_HOST") or os.environ.get("SITE_HOST") or "localhost")


def site_signer() -> tlog.Signer:
    """The site's log key, loaded (or generated into the instance folder) on first use."""
    signer = current_app.extensions.get(_EXT)
    if signer is None:
        skey = current_app.config.get("LOG_KEY") or os.environ.get("YISHITING_LOG_KEY")
        if skey:
            signer = tlog.load_signer(skey)
        else:
            path = current_app.config.get("LOG_KEY_FILE") or (
                Path(current_app.instance_path) / KEY_FILE
            )
            signer = tlog.load_or_create_signer(Path(path), f"{site_host()}/votes")
        current_app.extensions[_EXT] = signer
    return signer


def family_vkey() -> str:
    """The key a witness is started with to trust every vote of this site: ``<host>/votes/*``."""
    return replace(site_signer(), name=f"{site_host()}/votes/*").vkey


def new_origin(vote: Vote) -> str:
    return f"{site_host()}/votes/{vote.id}"


def new_log_vkey(vote: Vote) -> str:
    """The verifier key of a vote about to open, recorded in its manifest as ``log``."""
    return replace(site_signer(), name=new_origin(vote)).vkey


def log_vkey(vote: Vote) -> str | None:
    """The vote's log verifier key, as frozen in its manifest (None for a vote opened before)."""
    return (vote.manifest or {}).get("log")


def origin(vote: Vote) -> str | None:
    vkey = log_vkey(vote)
    return vkey.split("+", 1)[0] if vkey else None


def vote_signer(vote: Vote) -> tlog.Signer | None:
    """The site key under the vote's origin; refuses when the site key is not the manifest's."""
    vkey = log_vkey(vote)
    if vkey is None:
        return None
    signer = replace(site_signer(), name=vkey.split("+", 1)[0])
    if signer.vkey != vkey:
        raise LogForked(f"vote {vote.id}: the site's log key is not the one in its manifest")
    return signer


def sign_checkpoint(
    vote: Vote, last: Checkpoint | None, size: int, root: bytes, proof: list[bytes] | None
) -> str | None:
    """The signed note of the checkpoint (``size``, ``root``), checked to extend ``last`` first.

    Called under the vote's row lock, so no other checkpoint of the vote is being signed: the
    new tree must be consistent with the last signed one (RFC 9162 section 2.1.4, ``proof``
    from ``last.size`` to ``size``), or nothing is signed and LogForked is raised. None for a
    vote whose manifest has no log key.
    """
    if last is not None:
        old_root = bytes.fromhex(last.root)
        if last.size > size:
            raise LogForked(f"vote {vote.id}: the log shrank below {last.size}")
        if last.size == 0:
            consistent = old_root == tlog.empty_root()
        else:
            consistent = tlog.verify_consistency(last.size, size, old_root, root, proof or [])
        if not consistent:
            raise LogForked(f"vote {vote.id}: the log is not consistent with size {last.size}")
    signer = vote_signer(vote)
    if signer is None:
        return None
    text = tlog.format_checkpoint(signer.name, size, root)
    return tlog.signed_note(text, signer)


def default_quorum(n_witnesses: int) -> int:
    """A majority of the witnesses (2 of 3, 2 of 2, 1 of 1)."""
    return n_witnesses // 2 + 1 if n_witnesses > 2 else n_witnesses


def build_policy(vote: Vote, witnesses: list, quorum: int | None) -> str:
    """The vote's tlog-policy: its log key, the community's witnesses and the quorum."""
    entries = [(w.name, w.vkey, w.url) for w in witnesses]
    if not entries:
        return tlog.format_policy([new_log_vkey(vote)], [], "none")
    k = quorum if quorum else default_quorum(len(entries))
    return tlog.format_policy([new_log_vkey(vote)], entries, min(max(k, 1), len(entries)))


def policy_of(vote: Vote) -> tlog.Policy | None:
    return tlog.parse_policy(vote.witness_policy) if vote.witness_policy else None
