"""The votes domain: votes on projects and pacts, their ballot logs, tallies and receipts."""

from flask import Blueprint, Flask

bp = Blueprint("votes", __name__, template_folder="templates", url_prefix="/votes")


def init_app(app: Flask) -> None:
    """Register the votes blueprint, CLI, home section, personal-data section and receivers."""
    from app.core.registry import register
    from app.projects import signals as project_signals
    from app.votes import audit_names as votes_audit_names
    from app.votes import (  # noqa: F401 - routes attach views
        cli,
        demo,
        home,
        privacy,
        receivers,
        routes,
        session_subjects,
    )

    cli.register_commands(bp)
    app.register_blueprint(bp)
    register(app, "home_section", home.home_sections)
    register(app, "audit_kind", votes_audit_names.audit_kind)
    register(app, "session_subjects", session_subjects.source)
    register(app, "personal_data", privacy.votes_data)
    register(app, "tick", cli.lifecycle_job)
    register(app, "tick", cli.witness_job)
    register(app, "demo", demo.load)
    project_signals.project_held.connect(receivers.project_held)
    project_signals.project_links.connect(receivers.project_links)
