"""Projects as the subject of a hearing (hearings/subjects.py, registered by hearings)."""

from sqlalchemy import select

from app.extensions import db
from app.projects.models import Project


def options(community_ids: list[int]) -> list[tuple[int, str]]:
    """(id, title) of the projects of these communities."""
    rows = db.session.execute(
        select(Project.id, Project.title)
        .where(Project.community_id.in_(community_ids))
        .order_by(Project.id)
    )
    return [(row[0], row[1]) for row in rows]


def title(project_id: int) -> str | None:
    """The project's title, or None."""
    project = db.session.get(Project, project_id)
    return project.title if project is not None else None
