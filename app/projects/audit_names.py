"""The project actions and objects as the audit log names them (core/audit_names.py)."""

from flask_babel import lazy_gettext as _l

from app.core.audit_names import AuditKind, ObjectNamer, link_to
from app.projects.models import Project


def audit_kind() -> AuditKind:
    """Projects: proposed, edited, their status and progress."""
    return AuditKind(
        "projects",
        _l("Projects"),
        ("project.",),
        {
            "project.create": _l("Added a project"),
            "project.edit": _l("Edited a project"),
            "project.status": _l("Changed a project's status"),
            "project.update": _l("Recorded a project's progress"),
        },
        {
            "projects": ObjectNamer(
                Project,
                _l("Project"),
                lambda p: p.title,
                lambda p: link_to("projects.project_page", project_id=p.id),
            ),
        },
    )
