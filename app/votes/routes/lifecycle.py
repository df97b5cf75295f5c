"""A vote's page and its lifecycle: open, close and count, certify and publish, cancel."""

import hashlib
from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from app.core.errors import on_refusal
from app.core.fragments import fragment, page, slot
from app.core.i18n import large_text
from app.core.time import utcnow
from app.extensions import htmx
from app.votes import bp, counted, operations, queries, signing
from app.votes.errors import VoteError
from app.votes.forms import CancelForm, EmptyForm
from app.votes.models import Vote
from app.votes.permissions import can_manage_votes
from app.votes.results import explain_result
from app.votes.routes.common import get_vote, require_manager

#: Names (and roll-call rows) per page of a result.
PEOPLE_PER_PAGE = 200


def _vote_context(
    vote: Vote, standing: tuple[bool, bool] | None = None, slots: bool = False
) -> dict:
    """What the vote page shows; `standing` (elector or not, voted or not) when already read;
    `slots`: the rules and the result left as slots (`vote_page` fills them)."""
    user = current_user
    manage = can_manage_votes(user, vote.community_id)
    is_elector, voted = standing if standing is not None else _standing(vote)
    # One read of the latest checkpoint serves the turnout panel (shown while open or
    # uncertified) and the witnesses' panel (its cosignatures come with it).
    latest = (
        queries.latest_checkpoint_shown(vote, cosignatures=bool(vote.witness_policy))
        if vote.shows_turnout or vote.witness_policy
        else None
    )
    context = {
        "vote": vote,
        "community": vote.community,
        "manage": manage,
        "turnout": queries.turnout(vote, latest) if vote.shows_turnout else None,
        "is_elector": is_elector,
        "has_voted": voted,
        "can_vote_now": is_elector and vote.can_receive_ballots(utcnow()),
        "show_result": vote.results_visible or (manage and vote.is_closed),
        "log_vkey": signing.log_vkey(vote),
        "witness_status": queries.witness_status(vote, latest),
    }
    if slots:
        context["about_html"] = Markup(_about_slot())  # noqa: S704 - our own slot
        context["result_html"] = Markup(_result_slot())  # noqa: S704 - our own slot
        return context
    context["about_html"] = _about_html(vote, context["show_result"])
    if context["show_result"]:
        context["result_html"] = _result_html(vote)
    return context


def _standing(vote: Vote) -> tuple[bool, bool]:
    """Whether the current user is in the vote's electorate, and whether they have voted."""
    if not current_user.is_authenticated:
        return False, False
    elector, voted = queries.elector_standing(vote, current_user)
    return elector is not None, voted


def _about_slot() -> str:
    return slot("vote-about")


def _result_slot() -> str:
    return slot("vote-result")


#: The query arguments the vote page reads (the page of who took part); asked with any other, it
#: is rendered, not stored (made-up arguments cannot fill the cache with copies of one page).
PAGE_ARGS = frozenset({"page"})
#: The vote row's columns that its page shows or that decide what it shows. The manifest, the
#: count, the options and the rules are frozen when the vote opens (`manifest_hash` names them)
#: and the result when it is counted (`final_root`); the log's frontier grows with `log_size`.
SHOWN = (
    "status",
    "title",
    "description",
    "opens_at",
    "closes_at",
    "opened_at",
    "closed_at",
    "manifest_hash",
    "electorate_size",
    "final_root",
    "log_size",
    "log_head",
    "log_checkpoint_at",
    "certified_by_id",
    "certified_at",
    "cancel_reason",
    "cancelled_at",
    "witness_quorum",
    "witness_policy",
    "present_count",
    "secrecy",
    "method",
    "station_id",
    "pact_version_id",
)


def _shared(vote: Vote) -> bool:
    """Whether this reader's vote page can be one stored copy for every reader of the same
    standing: not the secretary's (their tools and the sealed count), not a draft's, nor a page
    asked with arguments it does not read."""
    return (
        not vote.is_draft
        and not can_manage_votes(current_user, vote.community_id)
        and queries.page_marks(vote) is not None
        and PAGE_ARGS.issuperset(request.args.keys())
    )


def _stored_page(vote: Vote):
    """The vote page of a reader who does not run the community's votes: one copy per standing
    (signed in or not, elector or not, voted or not), stored under everything it shows of the
    vote row, of its checkpoints and cosignatures (`queries.page_marks`), the community's name,
    the clock (ballots accepted or not), the text size and the query asked. The rules and the
    result, stored under keys of their own, are put into their slots per request."""
    standing = _standing(vote)
    now = utcnow()
    parts = (
        vote.id,
        _digest(tuple(getattr(vote, name) for name in SHOWN), vote.community.name),
        queries.page_marks(vote),
        (bool(current_user.is_authenticated), *standing),
        vote.can_receive_ballots(now),
        large_text(),
        bool(htmx),
        request.query_string.decode("utf-8", "replace"),
    )
    html = page(
        "vote-page",
        parts,
        lambda: render_template("votes/vote.html", **_vote_context(vote, standing, slots=True)),
    )
    if not isinstance(html, str):
        return html
    show_result = vote.results_visible
    html = html.replace(_about_slot(), str(_about_html(vote, show_result)))
    return html.replace(_result_slot(), str(_result_html(vote)) if show_result else "")


def _about_html(vote: Vote, show_result: bool) -> Markup:
    """What the vote is: its rules, who votes and its projects. Frozen once the vote opens (the
    manifest hash names it), but for its station's and its pact's names, which are in the key."""

    def render() -> str:
        return render_template("votes/_about.html", vote=vote, show_result=show_result)

    if vote.is_draft or not vote.manifest_hash:
        return Markup(render())  # noqa: S704 - our own rendered template
    version = vote.pact_version
    return fragment(
        "vote-about",
        (
            vote.id,
            vote.manifest_hash,
            vote.status.value,
            int(show_result),
            _digest(
                vote.station.name if vote.station else None,
                (version.pact.title, version.number) if version else None,
            ),
        ),
        render,
    )


def _digest(*parts) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]


def _result_html(vote: Vote) -> Markup:
    """The result section. A counted vote's result, figures and lists never change; what does
    (the certifier's name, who entered paper ballots, the page asked for) is in the key, so a
    rendered section is kept under exactly what it shows and read again without being built."""
    rec = counted.page_reconciliation(vote)

    def render() -> str:
        # Who took part (and, in an open vote, the roll call) a page at a time: ?page=
        people = counted.participants_page(vote, PEOPLE_PER_PAGE)
        return render_template(
            "votes/_result.html",
            vote=vote,
            ex=explain_result(vote),
            participants=people.items,
            people_page=people,
            roll_call=[] if vote.is_secret else counted.roll_call_page(vote, PEOPLE_PER_PAGE),
            reconciliation=rec,
            reconciliation_adds_up=(
                rec["ballots"] == rec["participants"] <= rec["electorate"]
                and rec["paper_ballots"] + rec["online_ballots"] == rec["ballots"]
            ),
            option_titles={o["id"]: o["title"] for o in (vote.manifest or {}).get("options", [])},
        )

    key = counted.counted_key(vote)
    if key is None:
        return Markup(render())  # noqa: S704 - our own rendered template
    certifier = vote.certified_by
    return fragment(
        "vote-result",
        (
            *key,
            vote.status.value,
            counted.page_number(PEOPLE_PER_PAGE),
            # the names are free text: hashed, so no name can read as another part of the key
            _digest(
                vote.certified_at,
                certifier.id if certifier else None,
                certifier.display_name if certifier else None,
                sorted(rec["paper_entered_by"].items()),
            ),
        ),
        render,
    )


@bp.route("/<int:vote_id>")
def vote_page(vote_id: int):
    """The vote: its rules, then turnout while open, or the certified result."""
    vote = get_vote(vote_id, loaded=queries.vote_for_page)
    if _shared(vote):
        return _stored_page(vote)
    return render_template("votes/vote.html", **_vote_context(vote))


@bp.route("/<int:vote_id>/turnout")
def turnout(vote_id: int):
    """Turnout and the latest checkpoint (the fragment the vote page polls)."""
    vote = get_vote(vote_id)
    return render_template("votes/_turnout.html", vote=vote, turnout=queries.turnout(vote))


def _lifecycle(vote_id: int, action: Callable[[Vote], object], success_message: str):
    vote = get_vote(vote_id)
    require_manager(vote.community_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    action(vote)
    flash(success_message, "success")
    return redirect(url_for("votes.vote_page", vote_id=vote.id), 303)


@bp.route("/<int:vote_id>/open", methods=["POST"])
@login_required
def open_vote(vote_id: int):
    """Open the vote now: the manifest and the electorate are frozen."""
    return _lifecycle(
        vote_id,
        lambda v: operations.open_vote(v, current_user),
        _("The vote is open. Its manifest and electorate are frozen."),
    )


@bp.route("/<int:vote_id>/close", methods=["POST"])
@login_required
def close_vote(vote_id: int):
    """Close the vote now and count it; the result stays sealed until certified."""
    return _lifecycle(
        vote_id,
        lambda v: operations.close_vote(v, current_user),
        _("The vote is closed and counted. Check the result, then certify and publish it."),
    )


@bp.route("/<int:vote_id>/publish", methods=["POST"])
@login_required
def publish_vote(vote_id: int):
    """The secretary certifies the count and publishes it."""
    return _lifecycle(
        vote_id,
        lambda v: operations.publish_vote(v, current_user),
        _("The result is certified and published."),
    )


@bp.route("/<int:vote_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel_vote(vote_id: int):
    """Cancel a draft or open vote, giving a reason."""
    vote = get_vote(vote_id)
    require_manager(vote.community_id)
    if not vote.can_cancel():
        raise VoteError(_("This vote can no longer be cancelled."), "not_cancellable")
    form = CancelForm()

    def render() -> str:
        return render_template("votes/cancel.html", vote=vote, form=form)

    if form.validate_on_submit():
        on_refusal(render, form)
        operations.cancel_vote(vote, form.reason.data, current_user)
        flash(_("The vote is cancelled."), "success")
        return redirect(url_for("votes.vote_page", vote_id=vote.id), 303)
    return render(), 400 if form.errors else 200
