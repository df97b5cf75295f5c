"""Test set-up: one app per test session, a clean database for every test.

The database is a SQLite file in a temporary folder, or the PostgreSQL database named by
DATABASE_URL (as `.ci/run` does for its second run).
"""

import contextvars
import os
import secrets

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import text

import app.models  # noqa: F401 - every mapper known before a test module's factories use one
from app import create_app
from app.config import TestConfig, database_url
from app.core.fragments import forget_local_copies
from app.extensions import cache, limiter
from app.extensions import db as _db


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    url = os.environ.get("DATABASE_URL")
    if not url:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    config = type(
        "Config",
        (TestConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": database_url(url),
            "PROPAGATE_TEST_ERRORS": True,
        },
    )
    app = create_app(config)
    if os.environ.get("YISHITING_TEST_DISABLE_COMMIT") == "1":
        # For tests/test_core_lifecycle.py's proof: the one commit point does nothing, so every
        # request's writes are rolled back when its session ends. Write tests must then fail.
        from app.core import lifecycle

        lifecycle.commit_session = lambda: None
    with app.app_context():
        _db.drop_all()
        _create_schema()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


def _create_schema():
    if _db.engine.dialect.name == "postgresql":
        with _db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    _db.create_all()


def _truncate_all():
    tables = _db.metadata.sorted_tables
    if _db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        with _db.engine.begin() as conn:
            # TRUNCATE bypasses the insert-only triggers that refuse DELETE.
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        with _db.engine.begin() as conn:
            conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
            for table in reversed(tables):
                conn.execute(table.delete())
            conn.exec_driver_sql("PRAGMA foreign_keys = ON")


@pytest.fixture(autouse=True)
def db(app):
    """A clean database and an app context for every test."""
    with app.app_context():
        _truncate_all()
        limiter.reset()
        # Ids restart with every test; cached pages carry random revisions, but start empty.
        cache.clear()
        forget_local_copies()
        yield _db
        _db.session.rollback()
        _db.session.remove()


class CSRFClient(FlaskClient):
    """A test client that sends a valid CSRF token with every POST, as a browser would.

    Each request runs as it does in production: in an app context, a database session and a
    transaction of its own, so only what the request committed is seen afterwards. What the
    test itself set up is committed first (as the factories do); afterwards every object the
    test holds is expired, so reading it again reads the database.

    Pass `csrf=False` to send none (to test the refusal).
    """

    def csrf_token(self) -> str:
        with self.session_transaction() as session:
            if "csrf_token" not in session:
                session["csrf_token"] = secrets.token_hex(20)
            raw = session["csrf_token"]
        return URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token").dumps(raw)

    def open(self, *args, csrf: bool = True, **kwargs):
        method = kwargs.get("method", "GET").upper()
        if csrf and method in ("POST", "PUT", "PATCH", "DELETE"):
            token = self.csrf_token()
            data = kwargs.get("data")
            if data is None and "json" not in kwargs:
                kwargs["data"] = data = {}
            if isinstance(data, dict) and "csrf_token" not in data:
                kwargs["data"] = {**data, "csrf_token": token}
            headers = dict(kwargs.get("headers") or {})
            headers.setdefault("X-CSRFToken", token)
            kwargs["headers"] = headers
        if has_app_context():
            _db.session.commit()
        # An empty contextvars context holds no app context, so the request pushes its own
        # (with its own scoped session) instead of sharing the test's. A streamed body (the
        # ballot-log export) is read inside that context too, where its request still lives.
        kwargs.setdefault("buffered", True)
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():
            _db.session.expire_all()
            _db.session.rollback()
        return response


@pytest.fixture
def client(app):
    app.test_client_class = CSRFClient
    return app.test_client()


@pytest.fixture
def make(db):
    """Factories: `make.user(...)`, `make.community(...)`, ... (see tests/factories.py)."""
    from tests import factories

    return factories


@pytest.fixture
def login(client):
    """`login(user)` logs the test client in as `user` (without going through the form)."""
    from tests.factories import login_as

    def _login(user, c=None):
        return login_as(c or client, user)

    return _login
