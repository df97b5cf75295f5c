"""On PostgreSQL a GET's reads run before any transaction (no BEGIN, no COMMIT: two of a page's
few round trips); its first write, row lock or server-side cursor begins one, so what a GET
writes is still all or nothing. Read back in fresh sessions, as a user would see it."""

import os

import pytest
from flask import abort
from psycopg.pq import TransactionStatus
from sqlalchemy import func, select

from app.accounts.models import User
from app.core.audit import AuditEntry
from app.extensions import db

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="transactions begun on demand are PostgreSQL's (SQLite keeps BEGIN DEFERRED)",
)


def _status() -> str:
    return TransactionStatus(
        db.session.connection().connection.dbapi_connection.info.transaction_status
    ).name


@pytest.fixture
def probe(app):
    """An app of the suite's configuration with views that report their transaction's state."""
    from app import create_app

    config = {k: v for k, v in app.config.items() if k.isupper()}
    config["PROPAGATE_TEST_ERRORS"] = False
    other = create_app(config)

    def read():
        db.session.scalar(select(func.count(User.id)))
        return _status()

    def write():
        seen = [_status()]
        db.session.scalar(select(func.count(User.id)))
        seen.append(_status())
        db.session.add(AuditEntry(action="probe.first"))
        db.session.flush()
        seen.append(_status())
        db.session.add(AuditEntry(action="probe.second"))
        db.session.flush()
        if os.environ.get("PROBE_FAIL") == "1":
            abort(500)
        return " ".join(seen)

    def lock():
        db.session.execute(select(User.id).with_for_update()).all()
        return _status()

    def stream():
        n = sum(1 for _ in db.session.execute(select(User.id).execution_options(yield_per=2)))
        return f"{n} {_status()}"

    for view in (read, write, lock, stream):
        other.add_url_rule(f"/probe/{view.__name__}", view.__name__, view)
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def _actions() -> list[str]:
    db.session.remove()
    return list(
        db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.action.like("probe.%"))
            .order_by(AuditEntry.id)
        )
    )


def test_a_page_that_only_reads_runs_no_transaction(probe):
    assert probe.test_client().get("/probe/read").get_data(as_text=True) == "IDLE"


def test_a_get_that_writes_begins_a_transaction_at_its_first_write_and_keeps_both_rows(probe):
    response = probe.test_client().get("/probe/write")
    assert response.get_data(as_text=True) == "IDLE IDLE INTRANS"
    assert _actions() == ["probe.first", "probe.second"]


def test_a_get_that_fails_after_writing_keeps_nothing(probe, monkeypatch):
    monkeypatch.setenv("PROBE_FAIL", "1")
    assert probe.test_client().get("/probe/write").status_code == 500
    assert _actions() == []


def test_a_row_lock_and_a_server_side_cursor_run_inside_a_transaction(make, probe):
    make.user("resident")
    make.user("resident")
    make.user("resident")
    db.session.commit()
    assert probe.test_client().get("/probe/lock").get_data(as_text=True) == "INTRANS"
    assert probe.test_client().get("/probe/stream").get_data(as_text=True) == "3 INTRANS"


def test_a_post_still_runs_in_one_transaction_from_its_first_statement(app):
    from app.core.db import reads_before_transaction

    with app.test_request_context("/", method="POST"):
        app.preprocess_request()
        db.session.scalar(select(func.count(User.id)))
        assert _status() == "INTRANS"
        db.session.rollback()
        # and a transaction begun before the hook is left as it is
        db.session.scalar(select(func.count(User.id)))
        reads_before_transaction()
        assert _status() == "INTRANS"
        db.session.rollback()
