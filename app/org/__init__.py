"""The organisation: subdistricts, communities, buildings, households, stations, bodies."""

from flask import Blueprint, Flask

bp = Blueprint("org", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Register the organisation's admin pages."""
    from app.org import routes  # noqa: F401 - attaches the views to bp

    app.register_blueprint(bp)
