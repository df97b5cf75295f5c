"""Ballots: the ballot and its review, receipts, the published log (paper ballots: paper.py)."""

from flask import Response, abort, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user, login_required

from app.accounts.models import User
from app.core import once
from app.core.errors import PageErrors, on_refusal
from app.core.time import utcnow
from app.extensions import db, limiter
from app.votes import bp, operations, queries, receipts
from app.votes.export import export_stream
from app.votes.models import Method, Vote
from app.votes.permissions import ballot_refusal
from app.votes.routes.common import get_vote, receipt_lookups


def _vote_limit_key() -> str:
    return str(current_user.get_id())


def choices_from_form(vote: Vote, form) -> dict:
    """Read the ballot's choices as the method shapes them; validation happens in the operation."""
    if vote.method in (Method.APPROVAL, Method.EQUAL_SHARES):
        return {"approve": form.getlist("approve")}
    if vote.method == Method.RATIFICATION:
        return {"answer": form.get("answer")}
    choices = {}
    for key in form:
        if key.startswith("item-"):
            choices[key[5:]] = form.get(key)
    return choices


def _ballot_context(vote: Vote, voter: User | None = None, **extra) -> dict:
    return {
        "vote": vote,
        "options": vote.manifest["options"] if vote.manifest else [],
        "params": vote.manifest["params"] if vote.manifest else {},
        "voter": voter,
        **extra,
    }


def _ballot_flow(vote: Vote, voter: User, **context):
    """The two POSTs of a ballot: the first shows the review page, the second casts."""
    choices = choices_from_form(vote, request.form)
    if request.form.get("step") == "edit":
        # Back from the review page with the choices kept, without JavaScript.
        return render_template(
            "votes/ballot.html", **_ballot_context(vote, voter, chosen=choices, **context)
        )
    errors = PageErrors()
    on_refusal(
        lambda: render_template(
            "votes/ballot.html",
            **_ballot_context(vote, voter, chosen=choices, error=errors.message, **context),
        ),
        errors,
    )

    if request.form.get("step") != "cast":
        # review_ballot refuses as ballot_refusal does, then checks the choices
        normalised = operations.review_ballot(vote, voter, choices)
        return render_template(
            "votes/review.html",
            **_ballot_context(vote, voter, choices=normalised, **context),
        )

    def cast() -> str:
        # cast_ballot makes ballot_refusal's checks itself, under the vote's lock
        ballot = operations.cast_ballot(vote, voter, choices)
        return url_for("votes.receipt", vote_id=vote.id, receipt=ballot.hash)

    # The form's one-time token (core/once.py): a cast posted again with it (a double click, a
    # resend after a lost answer) gets the first cast's receipt instead of "already voted".
    # Sealed (secret=True): the stored receipt names no voter and only the token opens it.
    # (Paper ballots entered by the secretary: routes/paper.py.)
    url = once.submit("votes.ballot", voter, request.form.get(once.FIELD), cast, secret=True)
    return redirect(url, 303)


@bp.route("/<int:vote_id>/ballot", methods=["GET", "POST"])
@login_required
@limiter.limit("20 per minute", key_func=_vote_limit_key, methods=["POST"])
def ballot(vote_id: int):
    """The ballot for the vote's method; then review; then cast."""
    vote = get_vote(vote_id)
    if request.method == "POST":
        return _ballot_flow(vote, current_user)
    refusal = ballot_refusal(vote, current_user, utcnow())
    if refusal is not None:
        raise refusal
    return render_template("votes/ballot.html", **_ballot_context(vote, current_user, chosen={}))


def short_code(receipt: str) -> str:
    return f"{receipt[:4]}-{receipt[4:8]}".upper()


@bp.route("/<int:vote_id>/receipt/<receipt>")
@receipt_lookups
def receipt(vote_id: int, receipt: str):
    """The receipt shown after casting: the record's hash, a short code and where to check it."""
    vote = get_vote(vote_id)
    found = queries.ballot_by_hash(receipt)
    if found is None or found.vote_id != vote.id:
        abort(404)
    return render_template(
        "votes/receipt.html",
        vote=vote,
        receipt=found.hash,
        code=short_code(found.hash),
        seq=found.seq,
        proof_ready=receipts.covering_checkpoint(vote, found) is not None,
    )


@bp.route("/receipt")
@receipt_lookups
def receipt_check():
    """Anyone checks a receipt: is that record in the log, and does its inclusion proof reach the root?"""
    raw = (request.args.get("hash") or "").strip()
    context: dict = {"query": raw}
    if raw:
        matches = queries.ballots_by_receipt(raw)
        if len(matches) != 1:
            context["not_found" if not matches else "ambiguous"] = True
            return render_template(
                "votes/receipt_check.html", **context
            ), 404 if not matches else 400
        found = matches[0]
        vote = db.session.get_one(Vote, found.vote_id)
        context.update(
            receipts.inclusion_check(vote, found),
            found=found,
            vote=vote,
            code=short_code(found.hash),
            record=found.record() if vote.results_visible else None,
        )
    return render_template("votes/receipt_check.html", **context)


@bp.route("/<int:vote_id>/ballot-log.json")
def export(vote_id: int):
    """The published ballot log, for anyone to re-count with tools/verify_ballot_log.py.

    Streamed: the ballots are read and sent a page at a time, whatever the log's size.
    """
    vote = get_vote(vote_id)
    if not vote.results_visible:
        abort(404)
    return Response(
        stream_with_context(export_stream(vote)),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="vote-{vote.id}-ballot-log.json"'},
    )
