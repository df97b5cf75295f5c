"""The projects domain: livelihood projects (民生实事项目) and their dated progress updates.

A project is proposed (directly, or from residents' suggestions, whose domain calls
`operations.create_project`), put to a vote by the votes domain, then tracked until completed.
Projects know nothing of votes or suggestions: what those domains add to a project's page or
whether they hold a project fast is asked through `signals.py`.
"""

from flask import Blueprint, Flask

#: The old paths under /votes/ stay, so links and bookmarks made before keep working.
bp = Blueprint("projects", __name__, template_folder="templates", url_prefix="/votes")


def init_app(app: Flask) -> None:
    """Register the projects blueprint."""
    from app.core.registry import register
    from app.projects import (
        audit_names,
        routes,  # noqa: F401 - its views attach to `bp`
    )

    app.register_blueprint(bp)
    register(app, "audit_kind", audit_names.audit_kind)
