"""Defining a vote: the community's votes, a new draft, editing a draft."""

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.dates import show_list
from app.core.errors import on_refusal
from app.core.time import from_local, utcnow
from app.extensions import db
from app.org.models import Community
from app.projects import queries as project_queries
from app.projects.models import Project
from app.votes import bp, operations, queries
from app.votes.errors import VoteError
from app.votes.forms import VoteForm
from app.votes.models import Method, Vote
from app.votes.permissions import can_manage_votes, can_manage_witnesses
from app.votes.routes.common import get_vote, local_input, require_manager


def _candidate_projects(community: Community, vote: Vote | None = None) -> list[Project]:
    current = {o.project_id for o in vote.options} if vote is not None else set()
    return project_queries.candidate_projects(community.id, keep=current)


@bp.route("/community/<int:community_id>")
def community_index(community_id: int):
    """The community's votes, and links to its projects (their own page lists them)."""
    # Whether drafts are listed depends on the id alone: the community and its votes are then
    # read together.
    manage = can_manage_votes(current_user, community_id)
    community, votes = queries.community_votes(community_id, include_drafts=manage)
    if community is None:
        abort(404)
    return render_template(
        "votes/community.html",
        community=community,
        votes=votes,
        manage=manage,
        manage_witnesses=can_manage_witnesses(current_user, community),
    )


def _fill_vote_form(form: VoteForm, community: Community, vote: Vote | None) -> None:
    form.station_id.choices = [(s.id, s.name) for s in community.stations]
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
                titles=show_list(free),
            ),
        ]
        return False
    return True


@bp.route("/community/<int:community_id>/new", methods=["GET", "POST"])
@login_required
def new_vote(community_id: int):
    """A secretary defines a vote as a draft."""
    community = db.get_or_404(Community, community_id)
    require_manager(community.id)
    form = VoteForm()
    _fill_vote_form(form, community, None)
    if request.method == "GET":
        start = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        form.opens_at.data = local_input(start)
        form.closes_at.data = local_input(start + timedelta(days=7))
        if request.args.get("project"):
            form.projects.data = [int(x) for x in request.args.getlist("project") if x.isdigit()]

    def render() -> str:
        return render_template("votes/vote_form.html", form=form, community=community, vote=None)

    if form.validate_on_submit() and _costs_fit_method(form, community, None):
        chosen = set(form.projects.data)
        on_refusal(render, form)
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
            witness_quorum=form.witness_quorum.data,
            projects=[p for p in _candidate_projects(community) if p.id in chosen],
            actor=current_user,
        )
        flash(_("The vote is saved as a draft. Check it, then open it."), "success")
        return redirect(url_for("votes.vote_page", vote_id=vote.id), 303)
    return render(), 400 if form.errors else 200


@bp.route("/<int:vote_id>/edit", methods=["GET", "POST"])
@login_required
def edit_vote(vote_id: int):
    """Edit a draft; once a vote opens its definition is frozen."""
    vote = get_vote(vote_id)
    community = vote.community
    require_manager(community.id)
    if not vote.can_edit():
        raise VoteError(
            _("This vote has already opened; its definition is frozen and cannot be edited."),
            "frozen",
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
        form.opens_at.data = local_input(vote.opens_at)
        form.closes_at.data = local_input(vote.closes_at)
    if vote.is_ratification:
        form.method.choices = [(Method.RATIFICATION.value, Method.RATIFICATION.label)]

    def render() -> str:
        return render_template("votes/vote_form.html", form=form, community=community, vote=vote)

    if form.validate_on_submit() and _costs_fit_method(form, community, vote):
        chosen = set(form.projects.data)
        on_refusal(render, form)
        operations.update_vote(
            vote,
            actor=current_user,
            projects=None
            if vote.is_ratification
            else [p for p in _candidate_projects(community, vote) if p.id in chosen],
            title=form.title.data,
            description=form.description.data,
            electorate_kind=form.electorate_kind.data,
            station_id=form.station_id.data or None,
            secrecy=form.secrecy.data,
            params=form.params(),
            opens_at=from_local(form.opens_at.data),
            closes_at=from_local(form.closes_at.data),
            auto_open=form.auto_open.data,
            witness_quorum=form.witness_quorum.data,
            **({} if vote.is_ratification else {"method": form.method.data}),
        )
        flash(_("The vote is updated."), "success")
        return redirect(url_for("votes.vote_page", vote_id=vote.id), 303)
    return render(), 400 if form.errors else 200
