"""Witnesses for the votes' logs: who a community trusts, asking them to cosign, storing what they say.

Each new checkpoint is sent to the witnesses named in the vote's policy by the scheduler
(`flask tick`), never while a ballot is being cast: a witness that is down or slow costs the
tick one bounded wait, holds no lock on the vote, and is asked again on the next tick. A
witness is sent only the latest checkpoint, with a consistency proof from the last size it
cosigned; one that missed checkpoints skips them, and its cosignature of the latest vouches
for every prefix before it.
"""

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.core import audit, merkle, tlog
from app.core.errors import Conflict, InvalidInput, NotAllowed
from app.extensions import db
from app.votes import tree
from app.votes.models import Checkpoint, Cosignature, Vote, VoteStatus, Witness
from app.votes.permissions import can_manage_witnesses
from app.witness.client import WitnessError, WitnessRefused, request_cosignature

log = logging.getLogger(__name__)

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
RESERVED = {"none", "quorum"}
#: How long one witness may take to answer, per request.
TIMEOUT = 10.0


# --- the community's witnesses ------------------------------------------------------------


def add_witness(community_id: int, name: str, vkey: str, url: str, actor) -> Witness:
    """Add a witness for the community's votes opened from now on (audited)."""
    if not can_manage_witnesses(actor, community_id):
        raise NotAllowed()
    name, vkey, url = name.strip(), vkey.strip(), url.strip()
    if not NAME.match(name) or name.lower() in RESERVED:
        raise InvalidInput(
            _l(
                "A witness's name is letters, digits, dots, dashes or underscores (not none or quorum)."
            )
        )
    try:
        verifier = tlog.parse_vkey(vkey)
    except tlog.TlogError as error:
        raise InvalidInput(_l("This is not a witness key (name+key ID+key).")) from error
    if verifier.sig_type != tlog.COSIGNATURE_V1:
        raise InvalidInput(_l("This is not a witness key (name+key ID+key)."))
    if not re.match(r"^https?://[^\s]+$", url):
        raise InvalidInput(_l("The witness's address starts with http:// or https://."))
    taken = db.session.scalar(
        select(Witness.id).where(
            Witness.community_id == community_id, (Witness.name == name) | (Witness.vkey == vkey)
        )
    )
    if taken is not None:
        raise Conflict(_l("The community already has a witness with this name or key."))
    witness = Witness(
        community_id=community_id,
        name=name,
        vkey=vkey,
        url=url.rstrip("/"),
        added_by_id=actor.id,
    )
    db.session.add(witness)
    db.session.flush()
    audit.record(
        "vote.witness_add",
        witness,
        community=community_id,
        actor=actor,
        detail=f"{name} {vkey} {url}",
    )
    return witness


def remove_witness(witness: Witness, actor) -> None:
    """Remove a witness; votes already open keep it in their frozen policy (audited)."""
    if not can_manage_witnesses(actor, witness.community_id):
        raise NotAllowed()
    audit.record(
        "vote.witness_remove",
        witness,
        community=witness.community_id,
        actor=actor,
        detail=f"{witness.name} {witness.vkey}",
    )
    db.session.delete(witness)
    db.session.flush()


# --- asking for cosignatures --------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """One checkpoint to send to one witness, with everything needed to ask without the database."""

    vote_id: int
    checkpoint_id: int
    witness: str
    vkey: str
    url: str
    note: str
    size: int
    old_size: int
    #: The consistency proof from ``old_size`` to ``size``, read from the stored tree.
    proof: tuple[bytes, ...]


@dataclass(frozen=True)
class Answer:
    request: Request
    line: str | None = None
    problem: str | None = None


def witnessed_votes() -> list[Vote]:
    """Votes whose log has a policy with witnesses and may still need cosignatures."""
    return list(
        db.session.scalars(
            select(Vote)
            .where(
                Vote.witness_policy.is_not(None),
                Vote.status.in_([VoteStatus.OPEN, VoteStatus.CLOSED, VoteStatus.PUBLISHED]),
            )
            .order_by(Vote.id)
        )
    )


def latest_signed(vote: Vote) -> Checkpoint | None:
    return db.session.scalar(
        select(Checkpoint)
        .where(Checkpoint.vote_id == vote.id, Checkpoint.note.is_not(None))
        .order_by(Checkpoint.size.desc(), Checkpoint.id.desc())
        .limit(1)
    )


def cosigned_size(vote: Vote, witness: str) -> int:
    """The largest checkpoint of the vote this witness has cosigned (0: none yet)."""
    size = db.session.scalar(
        select(func.max(Checkpoint.size))
        .join(Cosignature, Cosignature.checkpoint_id == Checkpoint.id)
        .where(Checkpoint.vote_id == vote.id, Cosignature.witness == witness)
    )
    return size or 0


def pending() -> list[Request]:
    """Every (latest checkpoint, witness) pair still without a cosignature."""
    requests = []
    for vote in witnessed_votes():
        policy = tlog.parse_policy(vote.witness_policy or "")
        if not policy.witnesses:
            continue
        checkpoint = latest_signed(vote)
        if checkpoint is None or checkpoint.note is None:
            continue
        have = {c.witness for c in checkpoint.cosignatures}
        missing = [(n, v, u) for n, (v, u) in policy.witnesses.items() if n not in have and u]
        if not missing:
            continue
        for name, verifier, url in missing:
            old = cosigned_size(vote, name)
            requests.append(
                Request(
                    vote.id,
                    checkpoint.id,
                    name,
                    verifier.vkey,
                    str(url),
                    checkpoint.note,
                    checkpoint.size,
                    old,
                    tuple(consistency(vote.id, old, checkpoint.size)),
                )
            )
    return requests


def consistency(vote_id: int, old_size: int, size: int) -> list[bytes]:
    """PROOF(old_size, size) of the vote's log, from O(log n) stored tree nodes (none past size)."""
    if old_size > size:
        return []
    ranges = merkle.consistency_ranges(old_size, size)
    return merkle.proof_of(ranges, tree.nodes(vote_id, merkle.parts_of(ranges)))


def ask(
    request: Request,
    timeout: float = TIMEOUT,
    prove: Callable[[int], list[bytes]] | None = None,
) -> Answer:
    """Ask one witness (no lock); on 409 try again from the size it says it knows.

    The proof from that other size comes from ``prove(size)`` (the job reads it from the
    stored tree in a transaction of its own); without it the witness is asked next tick.
    """
    old = request.old_size
    for attempt in range(2):
        if attempt == 0:
            proof = list(request.proof)
        elif prove is not None:
            proof = prove(old)
        else:
            return Answer(request, problem=f"the witness knows size {old}")
        try:
            line = request_cosignature(
                request.url,
                request.note,
                old,
                proof,
                witness_vkey=request.vkey,
                timeout=timeout,
            )
            return Answer(request, line=line)
        except WitnessRefused as refused:
            known = refused.known_size
            if refused.status == 409 and known is not None and known != old:
                if known > request.size:
                    return Answer(request, problem=f"the witness knows size {known}")
                old = known
                continue
            log.warning("witness %s refused vote %s: %s", request.witness, request.vote_id, refused)
            return Answer(request, problem=str(refused))
        except WitnessError as error:
            log.info(
                "witness %s unavailable for vote %s: %s", request.witness, request.vote_id, error
            )
            return Answer(request, problem=str(error))
    return Answer(request, problem="the witness keeps changing its size")


def store(answer: Answer, now: datetime) -> Cosignature | None:
    """Keep a cosignature that checks against the witness's key and the checkpoint."""
    request = answer.request
    if answer.line is None:
        return None
    checkpoint = db.session.get(Checkpoint, request.checkpoint_id)
    if checkpoint is None or checkpoint.note is None:
        return None
    verifier = tlog.parse_vkey(request.vkey)
    text = tlog.parse_note(checkpoint.note).text
    line = answer.line.splitlines()[0]
    signature = tlog.parse_signature_line(line)
    timestamp = verifier.verify(text, signature.signature)
    if timestamp is None:
        log.warning("witness %s sent a cosignature that does not verify", request.witness)
        return None
    exists = db.session.scalar(
        select(Cosignature.id).where(
            Cosignature.checkpoint_id == checkpoint.id, Cosignature.witness == request.witness
        )
    )
    if exists is not None:
        return None
    cosignature = Cosignature(
        checkpoint_id=checkpoint.id,
        witness=request.witness,
        line=line + "\n",
        cosigned_at=datetime.fromtimestamp(timestamp, UTC).replace(tzinfo=None),
        received_at=now,
    )
    db.session.add(cosignature)
    db.session.flush()
    return cosignature
