"""Vote and project pages: define, open, cast, watch turnout, close, certify, publish, verify."""

import json
from datetime import timedelta
from pathlib import Path

import click
from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_htmx import make_response as htmx_response
from flask_login import current_user, login_required
from sqlalchemy import select

from app.accounts.models import Role, User
from app.accounts.permissions import can, communities_where, require
from app.core.db import begin_write
from app.core.home import HomeItem, HomeSection
from app.core.time import from_local, local_today, to_local, utcnow
from app.extensions import db, htmx, limiter
from app.org.models import Community, Station
from app.votes import bp, operations, queries
from app.votes.forms import (
    CancelForm,
    EmptyForm,
    ProgressForm,
    ProjectForm,
    RatificationForm,
    VoteForm,
)
from app.votes.models import (
    ElectorateKind,
    IllegalVoteTransition,
    Method,
    Project,
    ProjectStatus,
    Vote,
    VoteElector,
    VoteStatus,
)


def _vote_limit_key() -> str:
    return str(current_user.get_id())


# --------------------------------------------------------------------------- loaders


def get_vote(vote_id: int) -> Vote:
    """The vote, or 404; drafts exist only for those who manage the community's votes."""
    vote = db.get_or_404(Vote, vote_id)
    if vote.status == VoteStatus.DRAFT and not can("vote.manage", vote.community_id):
        abort(404)
    return vote


def get_project(project_id: int) -> Project:
    return db.get_or_404(Project, project_id)


def _refuse(message, status: int, template: str | None = None, **context):
    """Show a refusal: the same page with the message and a 4xx status (an htmx fragment for htmx)."""
    db.session.rollback()
    if htmx:
        body = render_template("votes/_message.html", message=message)
        return htmx_response(body, status, retarget="#messages", reswap="innerHTML")
    if template is None:
        return render_template("votes/refused.html", message=message, **context), status
    return render_template(template, error=message, **context), status


def _stations_for(community: Community) -> list[Station]:
    return list(community.stations)


def _candidate_projects(community: Community, vote: Vote | None = None) -> list[Project]:
    current = {o.project_id for o in vote.options} if vote is not None else set()
    return sorted(
        (
            p
            for p in queries.community_projects(community.id)
            if p.status == ProjectStatus.CANDIDATE or p.id in current
        ),
        key=lambda p: p.id,
    )


def _local_input(dt):
    return to_local(dt).replace(tzinfo=None) if dt else None


# --------------------------------------------------------------------------- community and vote pages


@bp.route("/community/<int:community_id>")
def community_index(community_id: int):
    """The community's votes and projects."""
    community = db.get_or_404(Community, community_id)
    manage = can("vote.manage", community)
    votes = queries.community_votes(community.id, include_drafts=manage)
    return render_template(
        "votes/community.html",
        community=community,
        votes=votes,
        manage=manage,
        manage_projects=can("project.manage", community),
        projects=queries.community_projects(community.id),
    )


def _fill_vote_form(form: VoteForm, community: Community, vote: Vote | None) -> None:
    form.station_id.choices = [(s.id, s.name) for s in _stations_for(community)]
    form.projects.choices = [
        (p.id, f"{p.title} · ¥{p.estimated_cost:,}") for p in _candidate_projects(community, vote)
    ]


def _costs_fit_method(form: VoteForm, community: Community, vote: Vote | None) -> bool:
    """Equal shares divides money: every project on its ballot needs a positive cost."""
    if form.method.data != Method.EQUAL_SHARES.value:
        return True
    chosen = set(form.projects.data or [])
    free = [
        p.title
        for p in _candidate_projects(community, vote)
        if p.id in chosen and p.estimated_cost <= 0
    ]
    if free:
        form.projects.errors = [
            *form.projects.errors,
            _(
                "An equal-shares vote needs a cost for every project; these have none: %(titles)s",
                titles="、".join(free),
            ),
        ]
        return False
    return True


@bp.route("/community/<int:community_id>/new", methods=["GET", "POST"])
@login_required
def new_vote(community_id: int):
    """A secretary defines a vote as a draft."""
    community = db.get_or_404(Community, community_id)
    require("vote.manage", community)
    form = VoteForm()
    _fill_vote_form(form, community, None)
    if request.method == "GET":
        start = utcnow() + timedelta(hours=1)
        form.opens_at.data = _local_input(start.replace(minute=0, second=0, microsecond=0))
        form.closes_at.data = _local_input(
            start.replace(minute=0, second=0, microsecond=0) + timedelta(days=7)
        )
        if request.args.get("project"):
            form.projects.data = [int(x) for x in request.args.getlist("project") if x.isdigit()]
    if form.validate_on_submit() and _costs_fit_method(form, community, None):
        projects = [p for p in _candidate_projects(community) if p.id in set(form.projects.data)]
        vote = operations.create_vote(
            community,
            title=form.title.data,
            description=form.description.data,
            electorate_kind=form.electorate_kind.data,
            station_id=form.station_id.data or None,
            method=form.method.data,
            secrecy=form.secrecy.data,
            params=form.params(),
            opens_at=from_local(form.opens_at.data),
            closes_at=from_local(form.closes_at.data),
            auto_open=form.auto_open.data,
            projects=projects,
            actor=current_user,
        )
        db.session.commit()
        flash(_("The vote is saved as a draft. Check it, then open it."), "success")
        return redirect(url_for("votes.vote_page", vote_id=vote.id), 303)
    return render_template(
        "votes/vote_form.html", form=form, community=community, vote=None
    ), 400 if form.errors else 200


@bp.route("/<int:vote_id>/edit", methods=["GET", "POST"])
@login_required
def edit_vote(vote_id: int):
    """Edit a draft; once a vote opens its definition is frozen."""
    vote = get_vote(vote_id)
    community = vote.community
    require("vote.manage", community)
    if not vote.can_edit():
        return _refuse(
            _("This vote has already opened; its definition is frozen and cannot be edited."),
            409,
            vote=vote,
        )
    form = VoteForm(obj=vote if request.method == "GET" else None)
    _fill_vote_form(form, community, vote)
    if request.method == "GET":
        form.electorate_kind.data = vote.electorate_kind.value
        form.method.data = vote.method.value
        form.secrecy.data = vote.secrecy.value
        form.station_id.data = vote.station_id
        form.projects.data = [o.project_id for o in vote.options]
        for name in ("max_choices", "seats", "budget", "threshold", "quorum"):
            getattr(form, name).data = vote.params.get(name)
        form.opens_at.data = _local_input(vote.opens_at)
        form.closes_at.data = _local_input(vote.closes_at)
    if vote.is_ratification:
        form.method.choices = [(Method.RATIFICATION.value, Method.RATIFICATION.label)]
    if form.validate_on_submit() and _costs_fit_method(form, community, vote):
        projects = [
            p for p in _candidate_projects(community, vote) if p.id in set(form.projects.data)
        ]
        try:
            operations.update_vote(
                vote,
                actor=current_user,
                projects=None if vote.is_ratification else projects,
                title=form.title.data,
                description=form.description.data,
                electorate_kind=form.electorate_kind.data,
                station_id=form.station_id.data or None,
                secrecy=form.secrecy.data,
                params=form.params(),
                opens_at=from_local(form.opens_at.data),
                closes_at=from_local(form.closes_at.data),
                auto_open=form.auto_open.data,
                **({} if vote.is_ratification else {"method": form.method.data}),
            )
        except operations.VoteError as error:
            return _refuse(error.message, 409, vote=vote)
        db.session.commit()
        flash(_("The vote is updated."), "success")
        return redirect(url_for("votes.vote_page", vote_id=vote.id), 303)
    return render_template(
        "votes/vote_form.html", form=form, community=community, vote=vote
    ), 400 if form.errors else 200


def _vote_context(vote: Vote) -> dict:
    user = current_user
    elector = operations.elector_for(vote, user) if user.is_authenticated else None
    context = {
        "vote": vote,
        "community": vote.community,
        "manage": can("vote.manage", vote.community_id),
        "turnout": queries.turnout(vote) if vote.status != VoteStatus.DRAFT else None,
        "is_elector": elector is not None,
        "has_voted": operations.has_voted(vote, user) if elector is not None else False,
        "can_vote_now": elector is not None and vote.can_receive_ballots(utcnow()),
        "empty_form": EmptyForm(),
    }
    if vote.results_visible or (context["manage"] and vote.status == VoteStatus.CLOSED):
        context["explanation"] = explain_result(vote)
        context["participants"] = queries.participation_names(vote)
        context["roll_call"] = [] if vote.is_secret else queries.ballots(vote)
        context["option_titles"] = {o["id"]: o["title"] for o in vote.manifest["options"]}
    return context


@bp.route("/<int:vote_id>")
def vote_page(vote_id: int):
    """The vote: its rules, then turnout while open, or the certified result."""
    vote = get_vote(vote_id)
    return render_template("votes/vote.html", **_vote_context(vote))


@bp.route("/<int:vote_id>/turnout")
def turnout(vote_id: int):
    """Turnout and the latest checkpoint (the fragment the vote page polls)."""
    vote = get_vote(vote_id)
    return render_template("votes/_turnout.html", vote=vote, turnout=queries.turnout(vote))


def _lifecycle(vote_id: int, action, success_message: str):
    vote = get_vote(vote_id)
    require("vote.manage", vote.community_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        action(vote)
    except operations.VoteError as error:
        return _refuse(error.message, 409, vote=vote)
    except IllegalVoteTransition:
        return _refuse(_("This vote cannot make that move from where it is now."), 409, vote=vote)
    db.session.commit()
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
    require("vote.manage", vote.community_id)
    if not vote.can_cancel():
        return _refuse(_("This vote can no longer be cancelled."), 409, vote=vote)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            operations.cancel_vote(vote, form.reason.data, current_user)
        except operations.VoteError as error:
            return _refuse(error.message, 409, vote=vote)
        db.session.commit()
        flash(_("The vote is cancelled."), "success")
        return redirect(url_for("votes.vote_page", vote_id=vote.id), 303)
    return render_template("votes/cancel.html", vote=vote, form=form), 400 if form.errors else 200


# --------------------------------------------------------------------------- ballots


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


def _ballot_flow(vote: Vote, voter: User, template: str, entered_by: User | None = None, **context):
    """The two POSTs of a ballot: the first shows the review page, the second casts."""
    choices = choices_from_form(vote, request.form)
    if request.form.get("step") == "edit":
        # Back from the review page with the choices kept, without JavaScript.
        return render_template(template, **_ballot_context(vote, voter, chosen=choices, **context))
    try:
        if request.form.get("step") != "cast":
            # Check everything a cast would check, without writing anything.
            if not vote.can_receive_ballots(utcnow()):
                raise operations.VoteNotOpen(_("This vote is not open for ballots."))
            if operations.elector_for(vote, voter) is None:
                raise operations.NotEligible(
                    _("You are not in this vote's electorate, so you cannot vote in it.")
                )
            if operations.has_voted(vote, voter):
                raise operations.AlreadyVoted(operations._already_voted_message(vote))
            normalised = operations.check_choices(vote, choices)
            return render_template(
                "votes/review.html",
                **_ballot_context(
                    vote, voter, choices=normalised, entered_by=entered_by, **context
                ),
            )
        ballot = operations.cast_ballot(vote, voter, choices, entered_by=entered_by)
    except operations.InvalidChoices as error:
        return _refuse(
            error.message,
            error.status,
            template,
            **_ballot_context(vote, voter, chosen=choices, **context),
        )
    except operations.VoteError as error:
        return _refuse(error.message, error.status, vote=vote)
    db.session.commit()
    return redirect(
        url_for(
            "votes.receipt",
            vote_id=vote.id,
            receipt=ballot.hash,
            paper=1 if entered_by is not None else None,
        ),
        303,
    )


@bp.route("/<int:vote_id>/ballot", methods=["GET", "POST"])
@login_required
@limiter.limit("20 per minute", key_func=_vote_limit_key, methods=["POST"])
def ballot(vote_id: int):
    """The ballot for the vote's method; then review; then cast."""
    vote = get_vote(vote_id)
    if request.method == "POST":
        return _ballot_flow(vote, current_user, "votes/ballot.html")
    if not vote.can_receive_ballots(utcnow()):
        return _refuse(_("This vote is not open for ballots."), 409, vote=vote)
    if operations.elector_for(vote, current_user) is None:
        return _refuse(
            _("You are not in this vote's electorate, so you cannot vote in it."), 403, vote=vote
        )
    if operations.has_voted(vote, current_user):
        return _refuse(operations._already_voted_message(vote), 409, vote=vote)
    return render_template("votes/ballot.html", **_ballot_context(vote, current_user, chosen={}))


def _paper_voters(vote: Vote) -> list[User]:
    """Electors (or members of elector households) who have not voted yet, in a fixed number of queries."""
    from app.accounts.queries import members_of_community
    from app.votes.models import Participation

    voted = set(
        db.session.scalars(select(Participation.voter_key).where(Participation.vote_id == vote.id))
    )
    electors = list(db.session.scalars(select(VoteElector).where(VoteElector.vote_id == vote.id)))
    if vote.per_household:
        waiting = {e.household_id for e in electors if e.household_id not in voted}
        return [
            u
            for u in members_of_community(vote.community_id)
            if u.household is not None and u.household.id in waiting
        ]
    waiting_ids = [e.user_id for e in electors if e.user_id not in voted]
    if not waiting_ids:
        return []
    return list(db.session.scalars(select(User).where(User.id.in_(waiting_ids)).order_by(User.id)))


@bp.route("/<int:vote_id>/paper", methods=["GET", "POST"])
@login_required
def paper_ballot(vote_id: int):
    """The secretary enters the paper ballot of a voter present in the room."""
    vote = get_vote(vote_id)
    require("vote.manage", vote.community_id)
    if not vote.can_receive_ballots(utcnow()):
        return _refuse(_("This vote is not open for ballots."), 409, vote=vote)
    voters = _paper_voters(vote)
    voter_id = request.values.get("voter_id", type=int)
    if request.method == "POST":
        voter = db.session.get(User, voter_id) if voter_id else None
        if voter is None:
            return _refuse(
                _("Choose the voter whose paper ballot you are entering."),
                400,
                "votes/ballot.html",
                **_ballot_context(vote, None, chosen={}, paper=True, voters=voters),
            )
        return _ballot_flow(
            vote, voter, "votes/ballot.html", entered_by=current_user, paper=True, voters=voters
        )
    return render_template(
        "votes/ballot.html",
        **_ballot_context(vote, None, chosen={}, paper=True, voters=voters, voter_id=voter_id),
    )


def short_code(receipt: str) -> str:
    return f"{receipt[:4]}-{receipt[4:8]}".upper()


@bp.route("/<int:vote_id>/receipt/<receipt>")
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
        paper=request.args.get("paper"),
    )


@bp.route("/receipt")
def receipt_check():
    """Anyone checks a receipt: is that record in the log, and does its inclusion proof reach the root?"""
    from app.votes import ballot_log

    raw = (request.args.get("hash") or "").strip()
    context = {"query": raw}
    if raw:
        matches = queries.ballots_by_receipt(raw)
        if len(matches) != 1:
            context["not_found" if not matches else "ambiguous"] = True
            return render_template(
                "votes/receipt_check.html", **context
            ), 404 if not matches else 400
        found = matches[0]
        vote = db.session.get(Vote, found.vote_id)
        hashes = [b.hash for b in queries.ballots(vote)]
        if vote.status in (VoteStatus.CLOSED, VoteStatus.PUBLISHED):
            size, root = len(hashes), vote.final_root
        else:
            checkpoint = queries.turnout(vote)["checkpoint"]
            size, root = (checkpoint.size, checkpoint.root) if checkpoint else (0, None)
        proof, verified = None, None
        if root is not None and found.seq < size:
            proof = ballot_log.inclusion_proof(found.seq, hashes[:size])
            verified = ballot_log.verify_inclusion(found.hash, found.seq, size, proof, root)
        context.update(
            found=found,
            vote=vote,
            size=size,
            root=root,
            proof=proof,
            verified=verified,
            code=short_code(found.hash),
            record=found.record() if vote.results_visible else None,
        )
    return render_template("votes/receipt_check.html", **context)


@bp.route("/<int:vote_id>/ballot-log.json")
def export(vote_id: int):
    """The published ballot log, for anyone to re-count with tools/verify_ballot_log.py."""
    vote = get_vote(vote_id)
    if not vote.results_visible:
        abort(404)
    body = json.dumps(queries.export_document(vote), ensure_ascii=False, indent=1, sort_keys=True)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="vote-{vote.id}-ballot-log.json"'},
    )


# --------------------------------------------------------------------------- result in plain words


def explain_result(vote: Vote) -> dict:
    """The result as rows for a chart and sentences in plain words."""
    result = vote.result or {}
    manifest = vote.manifest or {}
    rows = []
    winners = [str(w) for w in result.get("winners", [])]
    per_option = result.get("options", {}) or {}
    for option in manifest.get("options", []):
        counts = per_option.get(option["id"], {}) if isinstance(per_option, dict) else {}
        main = counts.get("approvals", counts.get("yes", 0))
        rows.append(
            {
                "id": option["id"],
                "title": option["title"],
                "cost": option["cost"],
                "counts": counts,
                "main": main,
                "won": option["id"] in winners,
                "rank": winners.index(option["id"]) + 1 if option["id"] in winners else None,
            }
        )
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, -r["main"]))
    top = max([r["main"] for r in rows] or [0]) or 1
    for r in rows:
        r["share"] = r["main"] / top
    greedy = (
        [str(w) for w in result.get("greedy_winners", [])] if "greedy_winners" in result else None
    )
    return {
        "rows": rows,
        "winners": winners,
        "greedy": greedy,
        "ballots": result.get("ballots", 0),
        "electorate": result.get("electorate", 0),
        "quorum_met": result.get("quorum_met", True),
        "adopted": result.get("adopted"),
        "yes": result.get("yes"),
        "no": result.get("no"),
        "abstain": result.get("abstain"),
        "winner_cost": sum(r["cost"] for r in rows if r["won"]),
    }


# --------------------------------------------------------------------------- ratification


@bp.route("/ratify/<int:pact_id>", methods=["GET", "POST"])
@login_required
def new_ratification(pact_id: int):
    """Send a pact in revision to a ratification vote on its latest version."""
    from app.pacts.models import Pact, PactStatus

    pact = db.get_or_404(Pact, pact_id)
    require("vote.manage", pact.community_id)
    if pact.status != PactStatus.REVISION or pact.latest_version is None:
        return _refuse(
            _("Only a pact in revision with a published version can go to ratification."),
            409,
            vote=None,
        )
    form = RatificationForm()
    if request.method == "GET":
        start = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        form.opens_at.data = _local_input(start)
        form.closes_at.data = _local_input(start + timedelta(days=7))
    if form.validate_on_submit():
        try:
            vote = operations.create_ratification(
                pact,
                current_user,
                opens_at=from_local(form.opens_at.data),
                closes_at=from_local(form.closes_at.data),
                electorate_kind=ElectorateKind(form.electorate_kind.data),
                secrecy=form.secrecy.data,
                params={"quorum": form.quorum.data},
            )
        except operations.VoteError as error:
            return _refuse(error.message, 409, vote=None)
        except Exception as error:  # the pact's own rules (PactError) refuse with their message
            if type(error).__name__ != "PactError":
                raise
            return _refuse(str(error), 409, vote=None)
        db.session.commit()
        flash(
            _("The ratification vote is saved as a draft. Open it when the meeting is ready."),
            "success",
        )
        return redirect(url_for("votes.vote_page", vote_id=vote.id), 303)
    return render_template(
        "votes/ratification_form.html", form=form, pact=pact
    ), 400 if form.errors else 200


# --------------------------------------------------------------------------- projects


@bp.route("/community/<int:community_id>/projects")
def projects(community_id: int):
    """All the community's projects, with status and progress."""
    community = db.get_or_404(Community, community_id)
    return render_template(
        "votes/projects.html",
        community=community,
        projects=queries.community_projects(community.id),
        manage=can("project.manage", community),
        candidates=_candidate_suggestions(community),
    )


def _candidate_suggestions(community: Community) -> list:
    if not can("project.manage", community):
        return []
    from app.hearings.models import Suggestion
    from app.votes.models import project_suggestions

    used = select(project_suggestions.c.suggestion_id)
    return list(
        db.session.scalars(
            select(Suggestion)
            .where(
                Suggestion.community_id == community.id,
                Suggestion.is_candidate_project.is_(True),
                Suggestion.id.not_in(used),
            )
            .order_by(Suggestion.id)
        )
    )


@bp.route("/community/<int:community_id>/projects/new", methods=["GET", "POST"])
@login_required
def new_project(community_id: int):
    """A secretary records a candidate project, directly or from a suggestion marked as a candidate."""
    from app.hearings.models import Suggestion

    community = db.get_or_404(Community, community_id)
    require("project.manage", community)
    suggestion = None
    suggestion_id = request.values.get("suggestion_id", type=int)
    if suggestion_id:
        suggestion = db.session.get(Suggestion, suggestion_id)
        if (
            suggestion is None
            or suggestion.community_id != community.id
            or not suggestion.is_candidate_project
        ):
            abort(404)
    form = ProjectForm()
    if request.method == "GET" and suggestion is not None:
        form.title.data = suggestion.candidate_title
        form.description.data = suggestion.candidate_description
        form.estimated_cost.data = suggestion.candidate_cost or 0
        form.proponent.data = _("Suggestion %(number)s", number=suggestion.number)
    if form.validate_on_submit():
        project = operations.create_project(
            community,
            title=form.title.data,
            description=form.description.data,
            estimated_cost=form.estimated_cost.data,
            proponent=form.proponent.data,
            suggestions=[suggestion] if suggestion is not None else [],
            actor=current_user,
        )
        db.session.commit()
        flash(_("The project is recorded as a candidate."), "success")
        return redirect(url_for("votes.project_page", project_id=project.id), 303)
    return render_template(
        "votes/project_form.html", form=form, community=community, suggestion=suggestion
    ), 400 if form.errors else 200


@bp.route("/projects/<int:project_id>/edit", methods=["GET", "POST"])
@login_required
def edit_project(project_id: int):
    """Correct a candidate project (its cost, for one) while no open vote shows it to voters."""
    project = get_project(project_id)
    community = project.community
    require("project.manage", community)
    if not operations.project_editable(project):
        return _refuse(
            _(
                "This project can no longer be edited: it is being voted on, or it was already "
                "selected."
            ),
            409,
            vote=None,
        )
    form = ProjectForm(obj=project)
    if form.validate_on_submit():
        operations.update_project(
            project,
            title=form.title.data,
            description=form.description.data,
            estimated_cost=form.estimated_cost.data,
            proponent=form.proponent.data,
            actor=current_user,
        )
        db.session.commit()
        flash(_("The project is updated; draft votes that list it show the change."), "success")
        return redirect(url_for("votes.project_page", project_id=project.id), 303)
    return render_template(
        "votes/project_form.html", form=form, community=community, suggestion=None, project=project
    ), 400 if form.errors else 200


@bp.route("/projects/<int:project_id>")
def project_page(project_id: int):
    """A project: what it is, where it came from, its votes and its progress."""
    project = get_project(project_id)
    manage = can("project.manage", project.community_id)
    form = ProgressForm()
    if request.method == "GET":
        form.on.data = local_today()
    review_link = None
    if (
        manage
        and "hearings.new_session" in current_app.view_functions
        and project.status != ProjectStatus.CANDIDATE
    ):
        review_link = url_for(
            "hearings.new_session",
            community_id=project.community_id,
            subject_type="project",
            subject_id=project.id,
            kind="review",
        )
    from app.votes.models import VoteOption

    votes = list(
        db.session.scalars(
            select(Vote)
            .join(VoteOption, VoteOption.vote_id == Vote.id)
            .where(VoteOption.project_id == project.id, Vote.status != VoteStatus.DRAFT)
            .order_by(Vote.id)
        )
    )
    return render_template(
        "votes/project.html",
        project=project,
        manage=manage,
        form=form,
        votes=votes,
        review_link=review_link,
        empty_form=EmptyForm(),
        editable=manage and operations.project_editable(project),
    )


@bp.route("/projects/<int:project_id>/status", methods=["POST"])
@login_required
def project_status(project_id: int):
    """Move a project on: planned → in progress → completed."""
    project = get_project(project_id)
    require("project.manage", project.community_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        operations.advance_project(project, ProjectStatus(request.form.get("to", "")), current_user)
    except (ValueError, IllegalVoteTransition):
        return _refuse(
            _("The project cannot move to that status from where it is now."), 409, vote=None
        )
    db.session.commit()
    flash(_("The project's status is updated."), "success")
    return redirect(url_for("votes.project_page", project_id=project.id), 303)


@bp.route("/projects/<int:project_id>/updates", methods=["POST"])
@login_required
def project_update(project_id: int):
    """Report progress on a project under way."""
    project = get_project(project_id)
    require("project.manage", project.community_id)
    form = ProgressForm()
    if not project.can_track():
        return _refuse(
            _("Progress is reported on planned or running projects only."), 409, vote=None
        )
    if form.validate_on_submit():
        operations.add_project_update(
            project,
            on=form.on.data,
            percent=form.percent.data,
            note=form.note.data,
            actor=current_user,
        )
        db.session.commit()
        flash(_("The progress update is published."), "success")
        return redirect(url_for("votes.project_page", project_id=project.id), 303)
    manage = True
    return render_template(
        "votes/project.html",
        project=project,
        manage=manage,
        form=form,
        votes=[],
        review_link=None,
        empty_form=EmptyForm(),
    ), 400


# --------------------------------------------------------------------------- home page


def _home_votes(user) -> list[HomeSection]:
    if not user.is_authenticated:
        return []
    sections = []
    waiting = queries.open_votes_awaiting(user)
    if waiting:
        sections.append(
            HomeSection(
                title=_("Votes waiting for your ballot"),
                priority=20,
                items=[
                    HomeItem(
                        text=v.title,
                        link=url_for("votes.ballot", vote_id=v.id),
                        badge=_("closes %(when)s", when=_fmt(v.closes_at)),
                        badge_kind="info",
                    )
                    for v in waiting
                ],
            )
        )
    communities = communities_where(user, [Role.SECRETARY])
    if communities:
        now = utcnow()
        todo = list(
            db.session.scalars(
                select(Vote)
                .where(
                    Vote.community_id.in_([c.id for c in communities]),
                    Vote.status.in_([VoteStatus.OPEN, VoteStatus.CLOSED]),
                )
                .order_by(Vote.closes_at)
            )
        )
        items = []
        for v in todo:
            if v.status == VoteStatus.CLOSED:
                items.append(
                    HomeItem(
                        text=v.title,
                        link=url_for("votes.vote_page", vote_id=v.id),
                        badge=_("to certify"),
                        badge_kind="warn",
                    )
                )
            elif v.closes_at <= now:
                items.append(
                    HomeItem(
                        text=v.title,
                        link=url_for("votes.vote_page", vote_id=v.id),
                        badge=_("to close"),
                        badge_kind="warn",
                    )
                )
        if items:
            sections.append(
                HomeSection(title=_("Votes to close or certify"), items=items, priority=15)
            )
    return sections


def _fmt(dt) -> str:
    from flask_babel import format_datetime

    return format_datetime(dt, "short")


# --------------------------------------------------------------------------- personal data export


def _personal_data(user) -> tuple[str, list]:
    """The votes `user` took part in (never how: a secret ballot is not linked to its voter)."""
    from app.votes.models import Participation

    rows = db.session.execute(
        select(Participation, Vote)
        .join(Vote, Vote.id == Participation.vote_id)
        .where(Participation.user_id == user.id)
        .order_by(Participation.at)
    ).all()
    return "votes", [
        {
            "vote": v.id,
            "title": v.title,
            "took_part_at": p.at.isoformat() + "Z",
            "published_name": p.name,
            "secrecy": v.secrecy.value,
        }
        for p, v in rows
    ]


# --------------------------------------------------------------------------- CLI: flask votes ...


@bp.cli.command("tick")
def tick_command():
    """Open and close the votes that are due, and take checkpoints."""
    begin_write()
    done = operations.tick()
    db.session.commit()
    click.echo(
        f"opened {done['opened']}, closed {done['closed']}, checkpoints {done['checkpoints']}"
    )


@bp.cli.command("export")
@click.option(
    "--all",
    "directory",
    type=click.Path(file_okay=False),
    required=True,
    help="Write one file per published vote into this folder.",
)
def export_command(directory):
    """Export every published vote's ballot log (one JSON file per vote)."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for vote in db.session.scalars(
        select(Vote).where(Vote.status == VoteStatus.PUBLISHED).order_by(Vote.id)
    ):
        doc = queries.export_document(vote)
        (folder / f"vote-{vote.id}-ballot-log.json").write_text(
            json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8"
        )
        count += 1
    click.echo(f"{count} ballot logs written to {folder}")
