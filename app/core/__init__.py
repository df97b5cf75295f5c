"""What every domain shares: base templates, home page, audit, notifications, errors."""

from flask import Blueprint, Flask

bp = Blueprint("core", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Register the shared pages (home, notifications, audit log, about)."""
    from app.core import (
        audit_names,
        backup,
        once,
        privacy,
        routes,  # noqa: F401 - attaches the views to bp
    )
    from app.core.registry import register

    app.register_blueprint(bp)
    register(app, "audit_kind", audit_names.personal_data_kind)
    register(app, "audit_kind", audit_names.system_kind)
    register(app, "personal_data", privacy.notifications_data)
    register(app, "personal_data", privacy.audit_data)
    register(app, "account_deleted", privacy.erase_person)
    register(app, "account_deleted", once.forget_user)
    register(app, "tick", once.prune)
    once.init_app(app)
    backup.register(app)
