"""The votes domain."""

from flask import Blueprint, Flask

bp = Blueprint("votes", __name__, template_folder="templates", url_prefix="/votes")


def init_app(app: Flask) -> None:
    """Register the votes blueprint, its home section and personal-data section."""
    from app.core.registry import register
    from app.votes import routes

    app.register_blueprint(bp)
    register(app, "home_section", routes._home_votes)
    register(app, "personal_data", routes._personal_data)
