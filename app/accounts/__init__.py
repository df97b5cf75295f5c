"""Accounts: registration, log-in, profile, household membership, roles, privacy."""

from flask import Blueprint, Flask

bp = Blueprint("accounts", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Register accounts' pages, who the current user is, and what accounts adds elsewhere."""
    from app.accounts import audit_names as accounts_audit_names
    from app.accounts import home, routes  # noqa: F401 - routes attaches the views to bp
    from app.accounts.models import load_user
    from app.accounts.names import public_name
    from app.accounts.permissions import connect
    from app.core.registry import register
    from app.extensions import login_manager

    app.register_blueprint(bp)
    connect()
    login_manager.user_loader(load_user)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    app.add_template_global(public_name, "public_name")
    register(app, "home_section", home.membership_requests)
    register(app, "audit_kind", accounts_audit_names.audit_kind)
    register(app, "home_section", home.admin_tools)
    register(app, "home_context", home.home_context)
    register(app, "community_tools", home.community_tools)
