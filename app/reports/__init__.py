"""The reports domain: a community's ledger (台账) for a period, its XLSX/CSV/JSON downloads,
the subdistrict roll-up, open data and the secretary's complete export.

Reports read every other domain and write nothing but the audit log; no domain imports reports.
"""

from flask import Blueprint, Flask

bp = Blueprint("reports", __name__, template_folder="templates", url_prefix="/reports")


def init_app(app: Flask) -> None:
    """Register the reports blueprint and the ledger links on a community's page."""
    from app.core.registry import register
    from app.reports import audit_names as reports_audit_names
    from app.reports import routes as _routes  # noqa: F401 - importing attaches the views
    from app.reports.home import admin_sections, community_tools

    app.register_blueprint(bp)
    register(app, "community_tools", community_tools)
    register(app, "audit_kind", reports_audit_names.audit_kind)
    register(app, "home_section", admin_sections)
