"""Every write of the projects domain: record, correct, move on and report progress.

Each operation takes the acting user, checks that they may act (`NotAllowed` otherwise) and
flushes; the request lifecycle commits.
"""

from collections.abc import Iterable
from datetime import date

from flask_babel import lazy_gettext as _l

from app.core import audit
from app.core.errors import Conflict, InvalidInput, NotAllowed
from app.extensions import db
from app.org.models import Community
from app.projects import signals
from app.projects.models import Project, ProjectStatus, ProjectUpdate, project_suggestions
from app.projects.permissions import can_manage_projects, project_editable

NOT_EDITABLE = _l(
    "This project can no longer be edited: it is being voted on, or it was already selected."
)
NOT_TRACKED = _l("Progress is reported on planned or running projects only.")


def _require_manager(actor, community_id: int) -> None:
    if actor is None or not can_manage_projects(actor, community_id):
        raise NotAllowed()


def create_project(
    community: Community,
    *,
    title: str,
    description: str = "",
    estimated_cost: int = 0,
    proponent: str = "",
    suggestion_ids: Iterable[int] = (),
    actor,
) -> Project:
    """Record a candidate livelihood project, possibly from residents' suggestions (by id)."""
    _require_manager(actor, community.id)
    project = Project(
        community_id=community.id,
        title=title.strip(),
        description=description or "",
        estimated_cost=int(estimated_cost or 0),
        proponent=(proponent or "").strip(),
        created_by_id=actor.id,
    )
    db.session.add(project)
    db.session.flush()
    for suggestion_id in dict.fromkeys(suggestion_ids):
        db.session.execute(
            project_suggestions.insert().values(project_id=project.id, suggestion_id=suggestion_id)
        )
    audit.record(
        "project.create",
        project,
        community=community.id,
        actor=actor,
        detail=f"{project.title} ({project.estimated_cost} yuan)",
    )
    return project


def update_project(
    project: Project,
    *,
    title: str,
    description: str,
    estimated_cost: int,
    proponent: str,
    actor,
) -> Project:
    """Correct a candidate project's description before it goes to a vote."""
    _require_manager(actor, project.community_id)
    if not project_editable(project):
        raise Conflict(NOT_EDITABLE, code="project_frozen")
    project.title, project.description = title.strip(), description or ""
    project.estimated_cost, project.proponent = int(estimated_cost or 0), (proponent or "").strip()
    db.session.flush()
    audit.record("project.edit", project, community=project.community_id, actor=actor)
    return project


def _advance(project: Project, to: ProjectStatus, actor) -> Project:
    previous = project.status
    project.advance(to)
    db.session.flush()
    audit.record(
        "project.status",
        project,
        community=project.community_id,
        actor=actor,
        detail=f"{previous} -> {project.status}",
    )
    signals.project_advanced.send(project, previous=previous)
    return project


def advance_project(project: Project, to: ProjectStatus | str, actor) -> Project:
    """Move a project to its next status (planned, in progress, completed)."""
    _require_manager(actor, project.community_id)
    try:
        target = ProjectStatus(to)
    except ValueError as error:
        raise Conflict(
            _l("The project cannot move to that status from where it is now."),
            code="illegal_project_transition",
        ) from error
    return _advance(project, target, actor)


def plan_selected(project: Project, actor) -> Project:
    """A certified vote selected this candidate: it becomes planned.

    The votes domain calls this when it publishes a result; the certification is the authority,
    so no project permission is asked of the certifying secretary.
    """
    return _advance(project, ProjectStatus.PLANNED, actor)


def add_project_update(
    project: Project, *, on: date, percent: int, note: str, actor
) -> ProjectUpdate:
    """Report progress on a winning project, with a date and how far along it is."""
    _require_manager(actor, project.community_id)
    if not project.can_track():
        raise Conflict(NOT_TRACKED, code="not_tracked")
    if not 0 <= int(percent) <= 100:
        raise InvalidInput(_l("Progress is a percentage from 0 to 100."), code="bad_percent")
    update = ProjectUpdate(
        project_id=project.id,
        on=on,
        percent=int(percent),
        note=note or "",
        author_id=actor.id,
    )
    db.session.add(update)
    db.session.flush()
    db.session.refresh(project)
    audit.record(
        "project.update",
        project,
        community=project.community_id,
        actor=actor,
        detail=f"{percent}% on {on.isoformat()}",
    )
    return update
