"""The pacts domain."""

from flask import Blueprint, Flask

bp = Blueprint("pacts", __name__, template_folder="templates", url_prefix="/pacts")


def init_app(app: Flask) -> None:
    """Register the pacts blueprint, its home section and personal-data section."""
    from app.core.registry import register
    from app.pacts import privacy, routes

    app.register_blueprint(bp)
    register(app, "home_section", routes._home)
    register(app, "personal_data", privacy.pacts_data)
