"""What every domain shares: base templates, home page, audit, notifications, errors."""

from flask import Blueprint, Flask

bp = Blueprint("core", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Register the shared pages (home, notifications, audit log, about)."""
    from app.core import routes  # noqa: F401 - attaches the views to bp

    app.register_blueprint(bp)
