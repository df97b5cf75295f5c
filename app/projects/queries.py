"""Reads of the projects domain."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.projects.models import Project, ProjectStatus, project_suggestions


def get_project(project_id: int) -> Project:
    """The project, or 404."""
    return db.get_or_404(Project, project_id)


def community_projects(community_id: int) -> list[Project]:
    """The community's projects, newest first, with their progress updates loaded in one more query."""
    return list(
        db.session.scalars(
            select(Project)
            .where(Project.community_id == community_id)
            .options(selectinload(Project.updates))
            .order_by(Project.created_at.desc(), Project.id.desc())
        )
    )


def candidate_projects(community_id: int, keep: set[int] | None = None) -> list[Project]:
    """The community's candidates (and the projects in `keep`), oldest first: what a ballot may list."""
    keep = keep or set()
    return sorted(
        (
            p
            for p in community_projects(community_id)
            if p.status == ProjectStatus.CANDIDATE or p.id in keep
        ),
        key=lambda p: p.id,
    )


def suggestion_ids(project: Project) -> list[int]:
    """The ids of the suggestions the project came from."""
    return list(
        db.session.scalars(
            select(project_suggestions.c.suggestion_id)
            .where(project_suggestions.c.project_id == project.id)
            .order_by(project_suggestions.c.suggestion_id)
        )
    )


def used_suggestion_ids(community_id: int) -> set[int]:
    """Suggestions that already became a project of this community."""
    return set(
        db.session.scalars(
            select(project_suggestions.c.suggestion_id)
            .join(Project, Project.id == project_suggestions.c.project_id)
            .where(Project.community_id == community_id)
        )
    )
