"""The hearings domain: hearings, meetings and deputy receptions, registration with a waiting
list, attendance, minutes with corrections, calendar feeds. Suggestions recorded at a session
belong to the suggestions domain, below this one."""

from flask import Blueprint, Flask

bp = Blueprint("hearings", __name__, template_folder="templates", url_prefix="/hearings")


def init_app(app: Flask) -> None:
    """Register the hearings blueprint, home sections, personal-data section and the reminders of
    follow-up actions (`flask tick`)."""
    from app.core.registry import register
    from app.hearings import audit_names as hearings_audit_names
    from app.hearings import demo, erasure, freshness, home, jobs, privacy, subjects
    from app.hearings import routes as _routes  # noqa: F401 - importing attaches the views

    app.register_blueprint(bp)
    for provider in (home.secretary_sections, home.resident_sections, home.deputy_sections):
        register(app, "home_section", provider)
    register(app, "personal_data", privacy.hearings_data)
    register(app, "session_subjects", subjects.projects_source)
    register(app, "session_subjects", subjects.suggestions_source)
    register(app, "audit_kind", hearings_audit_names.audit_kind)
    register(app, "account_deleted", erasure.erase_person)
    register(app, "demo", demo.load)
    register(app, "tick", jobs.remind_follow_up_actions)
    freshness.connect()
