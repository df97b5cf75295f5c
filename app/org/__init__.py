"""The organisation: subdistricts, communities, buildings, households, stations, bodies."""

from flask import Blueprint, Flask

bp = Blueprint("org", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Register the organisation's pages and the home page's list of communities."""
    from app.core.registry import register
    from app.org import audit_names as org_audit_names
    from app.org import calendar, queries, revisions, routes  # noqa: F401 - these attach the views

    app.register_blueprint(bp)
    queries.connect()
    revisions.connect()
    register(app, "home_context", queries.home_context)
    register(app, "audit_kind", org_audit_names.audit_kind)
