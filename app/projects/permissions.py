"""Who may do what with projects: predicates built on the roles a user holds in a community."""

from app.accounts.models import Role
from app.accounts.permissions import roles_in
from app.projects import signals
from app.projects.models import Project

#: Roles that record projects, edit them, move them on and report their progress.
MANAGERS = frozenset({Role.SECRETARY})


def can_manage_projects(user, community) -> bool:
    """Whether `user` records and tracks the projects of `community` (its secretary)."""
    return bool(MANAGERS & roles_in(user, community))


def is_held(project: Project) -> bool:
    """Whether another domain holds the project fast (an open or uncertified vote shows it)."""
    return any(signals.answers(signals.project_held, project))


def project_editable(project: Project) -> bool:
    """A candidate may be corrected while it sits only on drafts (they all pick up the change); not
    while an open or uncertified vote shows it to voters (its manifest already froze title and cost)."""
    return project.is_candidate and not is_held(project)


def can_edit_project(user, project: Project) -> bool:
    """Whether `user` may correct `project` now."""
    return can_manage_projects(user, project.community_id) and project_editable(project)


def can_advance_project(user, project: Project) -> bool:
    """Whether `user` may move `project` to its next status now."""
    return can_manage_projects(user, project.community_id) and project.next_status is not None


def can_report_progress(user, project: Project) -> bool:
    """Whether `user` may publish a progress update on `project` now."""
    return can_manage_projects(user, project.community_id) and project.can_track()
