"""A pooled connection the server has closed is left out when taken, without a round trip:
the page still answers, and a live connection is handed out with no statement sent to check it
(what `pool_pre_ping` cost every request). PostgreSQL only: SQLite has no server to hang up."""

import os

import pytest
from sqlalchemy import create_engine, event, text

from app.core.db import server_hung_up
from app.extensions import db

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="a server that closes connections needs PostgreSQL",
)

APP_NAME = "yishiting-checkout-test"


@pytest.fixture
def live(app):
    """An app of the suite's configuration whose one pooled connection is easy to find."""
    from app import create_app

    config = {k: v for k, v in app.config.items() if k.isupper()}
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        "pool_size": 1,
        "connect_args": {"application_name": APP_NAME},
    }
    other = create_app(config)
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def _backend_pid() -> int:
    return int(db.session.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(url: str, pid: int) -> None:
    killer = create_engine(url, isolation_level="AUTOCOMMIT")
    with killer.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
        # The backend is gone once it no longer shows in pg_stat_activity.
        for _ in range(200):
            gone = conn.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
            ).scalar()
            if not gone:
                break
    killer.dispose()


def test_a_page_after_the_server_closed_the_pooled_connection_answers(live):
    client = live.test_client()
    assert client.get("/healthz").status_code == 200
    with live.app_context():
        first = _backend_pid()
        db.session.remove()  # back to the pool, idle
        _terminate(live.config["SQLALCHEMY_DATABASE_URI"], first)

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json()["database"] == "ok"
    with live.app_context():
        assert _backend_pid() != first  # a new connection, not the dead one


def test_taking_a_live_connection_sends_nothing_to_the_server(live):
    sent: list[str] = []
    with live.app_context():
        db.session.execute(text("SELECT 1"))
        db.session.remove()
        engine = db.engine
        listener = lambda *args: sent.append(args[2])  # noqa: E731 - the statement's text
        event.listen(engine, "before_cursor_execute", listener)
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 42"))
        finally:
            event.remove(engine, "before_cursor_execute", listener)
    assert sent == ["SELECT 42"]


def test_an_idle_connection_is_live_until_the_server_ends_it(live):
    with live.app_context():
        raw = db.engine.raw_connection()
        try:
            psycopg_connection = raw.driver_connection
            assert not server_hung_up(psycopg_connection)
            pid = psycopg_connection.info.backend_pid
            psycopg_connection.rollback()
            _terminate(live.config["SQLALCHEMY_DATABASE_URI"], pid)
            assert server_hung_up(psycopg_connection)
        finally:
            raw.invalidate()
