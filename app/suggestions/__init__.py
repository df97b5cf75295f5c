"""The suggestions domain: the public board, submission with the body guide, tracking-number
lookup, triage by the secretary, the body's answer, the submitter's rating, per-body statistics.

Its pages keep their addresses under /hearings/ (where residents and printed slips know them).
"""

from flask import Blueprint, Flask

bp = Blueprint("suggestions", __name__, template_folder="templates", url_prefix="/hearings")


def init_app(app: Flask) -> None:
    """Register the blueprint, home sections, personal-data section, the projects receiver and the
    scheduled follow-through (reminders, escalations, return visits)."""
    from app.core.registry import register
    from app.suggestions import audit_names as suggestions_audit_names
    from app.suggestions import freshness, home, jobs, privacy, receivers
    from app.suggestions import routes as _routes  # noqa: F401 - importing attaches the views

    app.register_blueprint(bp)
    for provider in (home.secretary_sections, home.handler_sections, home.resident_sections):
        register(app, "home_section", provider)
    register(app, "personal_data", privacy.suggestions_data)
    register(app, "audit_kind", suggestions_audit_names.audit_kind)
    for job in (jobs.remind_handlers, jobs.escalate_overdue, jobs.list_return_visits):
        register(app, "tick", job)
    receivers.connect()
    freshness.connect()
