"""Accounts: registration, log-in, profile, household membership, roles, privacy."""

from flask import Blueprint, Flask

bp = Blueprint("accounts", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Register the accounts blueprint and what accounts adds to shared pages."""
    from app.accounts import home, routes  # noqa: F401 - routes attaches the views to bp
    from app.core.registry import register

    app.register_blueprint(bp)
    register(app, "home_section", home.membership_requests)
    register(app, "home_section", home.admin_tools)
