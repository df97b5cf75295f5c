"""A voter's receipt that stands on its own: a c2sp.org/tlog-proof file and its QR code."""

import io

import segno
from sqlalchemy import select

from app.core import tlog
from app.extensions import db
from app.votes import ballot_log, tree
from app.votes.models import Ballot, Checkpoint, Vote


def covering_checkpoint(vote: Vote, ballot: Ballot) -> Checkpoint | None:
    """The largest signed checkpoint that holds the ballot (the closing one once the vote closed)."""
    return db.session.scalar(
        select(Checkpoint)
        .where(
            Checkpoint.vote_id == vote.id,
            Checkpoint.note.is_not(None),
            Checkpoint.size > ballot.seq,
        )
        .order_by(Checkpoint.size.desc(), Checkpoint.id.desc())
        .limit(1)
    )


def receipt_proof(vote: Vote, ballot: Ballot) -> tlog.Proof | None:
    """The ballot's tlog-proof: its index, the inclusion proof and the cosigned checkpoint.

    None until a signed checkpoint covers the ballot (every 50 ballots or 10 minutes, and at
    close). ``extra`` carries the record's hash, so the file alone names the ballot.
    """
    checkpoint = covering_checkpoint(vote, ballot)
    if checkpoint is None:
        return None
    note = checkpoint.cosigned_note()
    if note is None:
        return None
    path = tree.inclusion_proof(vote, ballot.seq, checkpoint.size)
    return tlog.Proof(ballot.seq, tuple(path), note, extra=bytes.fromhex(ballot.hash))


def inclusion_check(vote: Vote, ballot: Ballot) -> dict:
    """What the public receipt check shows: the tree the ballot is proved in, the proof, the verdict.

    A counted vote proves the ballot in its final tree; an open one in its latest checkpoint
    (none yet: nothing to prove). The proof is read from the stored tree: O(log n) hashes.
    """
    if vote.is_counted:
        size, root = vote.log_size or 0, vote.final_root
    else:
        checkpoint = db.session.scalar(
            select(Checkpoint)
            .where(Checkpoint.vote_id == vote.id)
            .order_by(Checkpoint.size.desc(), Checkpoint.id.desc())
            .limit(1)
        )
        size, root = (checkpoint.size, checkpoint.root) if checkpoint else (0, None)
    proof, verified = None, None
    if root is not None and ballot.seq < size:
        proof = [h.hex() for h in tree.inclusion_proof(vote, ballot.seq, size)]
        verified = ballot_log.verify_inclusion(ballot.hash, ballot.seq, size, proof, root)
    return {"size": size, "root": root, "proof": proof, "verified": verified}


def qr_svg(text: str) -> bytes:
    """An SVG QR code of ``text`` (no script, no style attribute: it passes the strict CSP)."""
    try:
        qr = segno.make(text, error="l", micro=False)
    except segno.DataOverflowError:
        qr = segno.make(text[:1200], error="l", micro=False)
    out = io.BytesIO()
    qr.save(out, kind="svg", scale=4, border=2, xmldecl=True, svgclass=None, lineclass=None)
    return out.getvalue()
