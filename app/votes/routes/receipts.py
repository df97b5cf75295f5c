"""A receipt's files: the tlog-proof, its QR code, and the vote's policy to check it against."""

from flask import Response, abort, request, url_for
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded

from app.core.errors import render_error
from app.votes import bp, receipts, signing
from app.votes.models import Ballot, Vote
from app.votes.queries import ballot_by_hash
from app.votes.routes.common import get_vote, receipt_lookups

RECEIPT_ENDPOINTS = frozenset(
    {"votes.receipt_check", "votes.receipt", "votes.receipt_proof", "votes.receipt_qr"}
)


@bp.errorhandler(RateLimitExceeded)
def _too_many(error: RateLimitExceeded):
    """The friendly 429 page; for receipts it says what was limited and for how long."""
    if request.endpoint in RECEIPT_ENDPOINTS:
        return render_error(
            429,
            _(
                "Too many receipt checks from your address in a short time. Please wait a "
                "minute and try again; your ballot is safe in the log."
            ),
        )
    return render_error(429)


def _ballot_of(vote_id: int, receipt: str) -> tuple[Vote, Ballot]:
    vote = get_vote(vote_id)
    found = ballot_by_hash(receipt)
    if found is None or found.vote_id != vote.id:
        abort(404)
    return vote, found


@bp.route("/<int:vote_id>/receipt/<receipt>/proof")
@receipt_lookups
def receipt_proof(vote_id: int, receipt: str):
    """Download the receipt as a c2sp.org/tlog-proof file, to check offline with the verifier."""
    vote, ballot = _ballot_of(vote_id, receipt)
    proof = receipts.receipt_proof(vote, ballot)
    if proof is None:
        abort(404)
    name = f"vote-{vote.id}-ballot-{ballot.seq}.tlog-proof"
    return Response(
        str(proof),
        mimetype="text/plain",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.route("/<int:vote_id>/receipt/<receipt>/qr.svg")
@receipt_lookups
def receipt_qr(vote_id: int, receipt: str):
    """The receipt's QR code: the tlog-proof itself once a checkpoint covers it, else its check link."""
    vote, ballot = _ballot_of(vote_id, receipt)
    proof = receipts.receipt_proof(vote, ballot)
    text = (
        str(proof)
        if proof is not None
        else url_for("votes.receipt_check", hash=ballot.hash, _external=True)
    )
    return Response(
        receipts.qr_svg(text),
        mimetype="image/svg+xml",
        headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
    )


@bp.route("/<int:vote_id>/policy")
def policy(vote_id: int):
    """The vote's published policy (c2sp.org/tlog-policy): log key, witnesses, quorum."""
    vote = get_vote(vote_id)
    if not vote.witness_policy:
        abort(404)
    return Response(
        vote.witness_policy,
        mimetype="text/plain",
        headers={"Content-Disposition": f'attachment; filename="vote-{vote.id}.policy"'},
    )


@bp.route("/log-key")
def log_key():
    """The site's log key for witnesses: one ``<host>/votes/*`` key trusts every vote's log."""
    return Response(signing.family_vkey() + "\n", mimetype="text/plain")
