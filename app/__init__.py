"""Yishiting (议事厅): a neighbourhood governs itself in the open."""

import logging
import os
from importlib import import_module

from flask import Flask

from app.config import Config, ensure_secret_key, ensure_shared_limits

#: Each domain's package; its `init_app(app)` registers its blueprint, CLI, home-page and
#: personal-data sections and signal handlers. Order is the home page's order at equal priority.
DOMAINS = (
    "app.core",
    "app.accounts",
    "app.org",
    "app.suggestions",
    "app.hearings",
    "app.pacts",
    "app.projects",
    "app.votes",
    "app.witness",
    "app.reports",
)


def create_app(config: type | dict | None = None) -> Flask:
    """Build the application: extensions, blueprints, CLI, error pages."""
    app = Flask(
        __name__,
        static_folder="../static",
        static_url_path="/static",
        instance_relative_config=True,
    )
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    ensure_secret_key(app)
    ensure_shared_limits(app)
    logging.basicConfig(level=logging.INFO)
    # Alembic announces every plugin and migration step at INFO on every `flask` command;
    # quiet unless asked (ALEMBIC_VERBOSE=1, as for `ALEMBIC_VERBOSE=1 flask db upgrade`).
    alembic_level = logging.INFO if os.environ.get("ALEMBIC_VERBOSE") == "1" else logging.WARNING
    for name in ("alembic", "flask_migrate"):
        logging.getLogger(name).setLevel(alembic_level)
    hops = int(app.config.get("PROXY_FIX_HOPS", 0))
    if hops:
        # Behind a reverse proxy: trust its X-Forwarded-For/-Proto so that rate limits and
        # the audit log see the resident's address, not the proxy's.
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Wrapping wsgi_app is Flask's documented way to add middleware.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )

    from app.core.db import configure_engine
    from app.extensions import babel, cache, csrf, db, htmx, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    cache.init_app(app)
    login_manager.init_app(app)

    from app.core.i18n import install_template_gettext, select_locale

    babel.init_app(app, locale_selector=select_locale)
    install_template_gettext(app)

    with app.app_context():
        configure_engine(db.engine)

    from app import models as _models  # noqa: F401 - registers every model with SQLAlchemy
    from app.core.guard import register_guard
    from app.core.workdays import connect as connect_workdays

    connect_workdays()  # a request reads the admin's calendar once, again after a change to it

    register_guard(app)  # before any route is added: it bounds every `<int:...>` id
    for domain in DOMAINS:
        import_module(domain).init_app(app)

    from app.core.errors import register_error_handlers
    from app.core.lifecycle import register_lifecycle
    from app.core.web import register_web_hooks

    register_lifecycle(app)
    register_error_handlers(app)
    register_web_hooks(app)

    from app.cli import register_cli

    register_cli(app)
    return app
