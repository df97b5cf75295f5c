"""The paper-ballot desk: find the voter, type in the choices, confirm, on to the next ballot.

One URL serves the desk. GET without a voter: the running count and the search (a plain GET
form; htmx narrows the list as the secretary types). GET with ``voter_id``: that voter's empty
ballot. POST: review, then save, then back to the desk for the next ballot.
"""

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.accounts.models import User
from app.core import audit, once
from app.core.errors import DomainError, InvalidInput, PageErrors, on_refusal
from app.core.time import utcnow
from app.extensions import db, htmx
from app.votes import bp, desk, operations, queries
from app.votes.errors import InvalidChoices, VoteNotOpen
from app.votes.models import Ballot, Vote
from app.votes.permissions import ballot_refusal, can_enter_paper_ballots
from app.votes.routes.ballots import choices_from_form, short_code
from app.votes.routes.common import get_vote, require_manager


def _desk_vote(vote_id: int) -> Vote:
    """The vote, if the current user is its community's secretary and it takes ballots now."""
    vote = get_vote(vote_id)
    require_manager(vote.community_id)
    if not can_enter_paper_ballots(current_user, vote, utcnow()):
        raise VoteNotOpen(_l("This vote is not open for ballots."))
    return vote


def _context(vote: Vote, **extra) -> dict:
    return {
        "vote": vote,
        "options": vote.manifest["options"] if vote.manifest else [],
        "params": vote.manifest["params"] if vote.manifest else {},
        "count": desk.desk_count(vote),
        **extra,
    }


def _desk_page(vote: Vote, **extra) -> str:
    return render_template("votes/paper.html", **_context(vote, **extra))


def _ballot_page(vote: Vote, voter: User, **extra) -> str:
    return render_template("votes/paper_ballot.html", **_context(vote, voter=voter, **extra))


def _search(vote: Vote, text: str):
    """Matching voters still to vote; each look at the list is a look at personal data."""
    matches = queries.search_paper_voters(vote, text)
    shown = matches[: queries.PAPER_MATCHES_SHOWN]
    audit.record(
        "personal_data.voters",
        vote,
        community=vote.community_id,
        detail=f"paper-ballot voter list ({len(shown)} of {len(matches)} shown)",
    )
    g.personal_data = True
    return matches, shown


def _voter(vote: Vote, voter_id: int | None, errors: PageErrors, check: bool = True) -> User:
    """The voter whose paper ballot is entered, who must still be able to vote; else the desk says why.

    The save does not check here: a save sent again must reach its one-time token first.
    """
    on_refusal(lambda: _desk_page(vote, error=errors.message), errors)
    voter = db.session.get(User, voter_id) if voter_id else None
    if voter is None:
        raise InvalidInput(_l("Choose the voter whose paper ballot you are entering."))
    refusal = ballot_refusal(vote, voter, utcnow()) if check else None
    if refusal is not None:
        raise desk.paper_refusal(vote, voter, refusal)
    return voter


@bp.route("/<int:vote_id>/paper", methods=["GET", "POST"])
@login_required
def paper_ballot(vote_id: int):
    """The secretary's desk for the paper ballots of voters present in the room."""
    vote = _desk_vote(vote_id)
    errors = PageErrors()
    if request.method == "POST":
        saving = request.form.get("step") == "cast"
        voter = _voter(vote, request.form.get("voter_id", type=int), errors, check=not saving)
        return _enter(vote, voter, errors)
    voter_id = request.args.get("voter_id", type=int)
    if voter_id is not None:
        return _ballot_page(vote, _voter(vote, voter_id, errors), chosen={})
    if "q" not in request.args:
        return _desk_page(vote)
    text = request.args.get("q", "")[:100]
    matches, shown = _search(vote, text)
    if htmx:
        return render_template(
            "votes/_paper_voters.html", vote=vote, q=text, matches=matches, shown=shown
        )
    if len(matches) == 1 and text.strip():
        # Enter on a search that finds one voter opens that voter's ballot.
        return redirect(url_for("votes.paper_ballot", vote_id=vote.id, voter_id=matches[0].id))
    return _desk_page(vote, q=text, matches=matches, shown=shown)


def _enter(vote: Vote, voter: User, errors: PageErrors):
    """The ballot's two POSTs: the review page, then the save and the way to the next ballot."""
    choices = choices_from_form(vote, request.form)
    if request.form.get("step") == "edit":
        return _ballot_page(vote, voter, chosen=choices)
    refused: list[DomainError] = []

    def render():
        if refused and isinstance(refused[0], InvalidChoices):
            return _ballot_page(vote, voter, chosen=choices, error=errors.message)
        return _desk_page(vote, error=errors.message)

    on_refusal(render, errors)
    saved: list[Ballot] = []

    def save() -> str:
        saved.append(operations.cast_ballot(vote, voter, choices, entered_by=current_user))
        return url_for("votes.paper_ballot", vote_id=vote.id)

    try:
        if request.form.get("step") != "cast":
            normalised = operations.review_ballot(vote, voter, choices)
            return render_template(
                "votes/paper_review.html", **_context(vote, voter=voter, choices=normalised)
            )
        # The review page's one-time token (core/once.py): a save sent twice (a double press,
        # a resend after a lost answer) records one ballot and brings her back to the desk.
        url = once.submit(
            "votes.paper", current_user, request.form.get(once.FIELD), save, secret=True
        )
    except DomainError as error:
        refused.append(desk.paper_refusal(vote, voter, error))
        raise refused[0] from error
    if saved:
        message = _(
            "The paper ballot you entered for %(name)s is saved (receipt %(code)s).",
            name=voter.display_name,
            code=short_code(saved[0].hash),
        )
    else:
        message = _(
            "This paper ballot was saved when it was first sent; sending it again saved nothing."
        )
    flash(message, "success")
    return redirect(url, 303)


@bp.post("/<int:vote_id>/paper/present")
@login_required
def paper_present(vote_id: int):
    """The secretary says how many voters are present in the room (到场), for the running count."""
    vote = _desk_vote(vote_id)
    errors = PageErrors()
    on_refusal(lambda: _desk_page(vote, error=errors.message), errors)
    desk.set_present_count(vote, request.form.get("present", type=int), current_user)
    flash(_("The count of voters present is saved."), "success")
    return redirect(url_for("votes.paper_ballot", vote_id=vote.id), 303)
