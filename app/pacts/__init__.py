"""The pacts domain: a community's resident pact, from draft through consultation to adoption."""

from flask import Blueprint, Flask

bp = Blueprint("pacts", __name__, template_folder="templates", url_prefix="/pacts")


def init_app(app: Flask) -> None:
    """Register the pacts blueprint (with its views), CLI group, home section, personal-data
    section, and the receivers of the votes signals that conclude a ratification."""
    from app.core.registry import register
    from app.pacts import audit_names as pacts_audit_names
    from app.pacts import (
        cli,
        demo,
        fragments,
        freshness,
        home,
        privacy,
        routes,  # noqa: F401  (the views attach themselves to bp)
        session_subjects,
        signals,
    )

    app.register_blueprint(bp)
    cli.register(app)
    register(app, "tick", cli.close_due_job)
    register(app, "home_section", home.home_sections)
    register(app, "audit_kind", pacts_audit_names.audit_kind)
    register(app, "session_subjects", session_subjects.source)
    register(app, "personal_data", privacy.pacts_data)
    register(app, "demo", demo.load)
    signals.connect(app)
    freshness.connect()
    app.add_template_filter(fragments.epoch, "epoch")
