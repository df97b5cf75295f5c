"""Project pages: the community's projects, record one, correct it, move it on, report progress."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.errors import Conflict, NotFound, on_refusal
from app.core.time import local_today
from app.extensions import db
from app.org.models import Community
from app.projects import bp, operations, queries, signals
from app.projects.forms import EmptyForm, ProgressForm, ProjectForm
from app.projects.models import Project
from app.projects.permissions import can_manage_projects, project_editable


def _require_manager(community_id: int) -> None:
    if not can_manage_projects(current_user, community_id):
        abort(403)


def _candidates(community: Community) -> list[signals.CandidateSource]:
    """Proposals other domains offer as candidates, minus those already made into a project."""
    used = queries.used_suggestion_ids(community.id)
    return [
        c for c in signals.answers(signals.candidate_sources, community) if c.source_id not in used
    ]


@bp.route("/community/<int:community_id>/projects")
def projects(community_id: int):
    """All the community's projects, with status and progress."""
    community = db.get_or_404(Community, community_id)
    manage = can_manage_projects(current_user, community)
    return render_template(
        "projects/projects.html",
        community=community,
        projects=queries.community_projects(community.id),
        manage=manage,
        candidates=_candidates(community) if manage else [],
    )


@bp.route("/community/<int:community_id>/projects/new", methods=["GET", "POST"])
@login_required
def new_project(community_id: int):
    """A secretary records a candidate project, directly or from a suggestion marked as a candidate."""
    community = db.get_or_404(Community, community_id)
    _require_manager(community.id)
    source = None
    source_id = request.values.get("suggestion_id", type=int)
    if source_id:
        source = next((c for c in _candidates(community) if c.source_id == source_id), None)
        if source is None:
            raise NotFound()
    form = ProjectForm()
    if request.method == "GET" and source is not None:
        form.title.data = source.title
        form.description.data = source.description
        form.estimated_cost.data = source.cost or 0
        form.proponent.data = _("Suggestion %(number)s", number=source.number)

    def render() -> str:
        return render_template(
            "projects/project_form.html", form=form, community=community, source=source
        )

    if form.validate_on_submit():
        on_refusal(render, form)
        project = operations.create_project(
            community,
            title=form.title.data,
            description=form.description.data,
            estimated_cost=form.estimated_cost.data,
            proponent=form.proponent.data,
            suggestion_ids=[source.source_id] if source is not None else [],
            actor=current_user,
        )
        flash(_("The project is recorded as a candidate."), "success")
        return redirect(url_for("projects.project_page", project_id=project.id), 303)
    return render(), 400 if form.errors else 200


@bp.route("/projects/<int:project_id>/edit", methods=["GET", "POST"])
@login_required
def edit_project(project_id: int):
    """Correct a candidate project (its cost, for one) while no open vote shows it to voters."""
    project = queries.get_project(project_id)
    _require_manager(project.community_id)
    if not project_editable(project):
        raise Conflict(operations.NOT_EDITABLE, code="project_frozen")
    form = ProjectForm(obj=project)

    def render() -> str:
        return render_template(
            "projects/project_form.html",
            form=form,
            community=project.community,
            source=None,
            project=project,
        )

    if form.validate_on_submit():
        on_refusal(render, form)
        operations.update_project(
            project,
            title=form.title.data,
            description=form.description.data,
            estimated_cost=form.estimated_cost.data,
            proponent=form.proponent.data,
            actor=current_user,
        )
        flash(_("The project is updated; draft votes that list it show the change."), "success")
        return redirect(url_for("projects.project_page", project_id=project.id), 303)
    return render(), 400 if form.errors else 200


def _render_project(project: Project, form: ProgressForm) -> str:
    manage = can_manage_projects(current_user, project.community_id)
    review_link = None
    if manage and project.shows_progress:
        review_link = url_for(
            "hearings.new_session",
            community_id=project.community_id,
            subject_type="project",
            subject_id=project.id,
            kind="review",
        )
    return render_template(
        "projects/project.html",
        project=project,
        manage=manage,
        form=form,
        links=signals.answers(signals.project_links, project),
        suggestion_ids=queries.suggestion_ids(project),
        review_link=review_link,
        empty_form=EmptyForm(),
        editable=manage and project_editable(project),
    )


@bp.route("/projects/<int:project_id>")
def project_page(project_id: int):
    """A project: what it is, where it came from, its votes and its progress."""
    project = queries.get_project(project_id)
    form = ProgressForm()
    form.on.data = local_today()
    return _render_project(project, form)


@bp.route("/projects/<int:project_id>/status", methods=["POST"])
@login_required
def project_status(project_id: int):
    """Move a project on: planned → in progress → completed."""
    project = queries.get_project(project_id)
    _require_manager(project.community_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    operations.advance_project(project, request.form.get("to", ""), current_user)
    flash(_("The project's status is updated."), "success")
    return redirect(url_for("projects.project_page", project_id=project.id), 303)


@bp.route("/projects/<int:project_id>/updates", methods=["POST"])
@login_required
def project_update(project_id: int):
    """Report progress on a project under way."""
    project = queries.get_project(project_id)
    _require_manager(project.community_id)
    if not project.can_track():
        raise Conflict(operations.NOT_TRACKED, code="not_tracked")
    form = ProgressForm()
    if not form.validate_on_submit():
        return _render_project(project, form), 400
    on_refusal(lambda: _render_project(project, form), form)
    operations.add_project_update(
        project,
        on=form.on.data,
        percent=form.percent.data,
        note=form.note.data,
        actor=current_user,
    )
    flash(_("The progress update is published."), "success")
    return redirect(url_for("projects.project_page", project_id=project.id), 303)
