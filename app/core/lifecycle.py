"""One request lifecycle: a write transaction up front, one commit at the end, or a rollback.

Views never commit. A request whose response is a success (2xx) or a redirect (3xx) commits
once, here, after the view returned; a refusal (`DomainError`, rendered by `core/errors.py`),
any other 4xx/5xx or an exception rolls everything back, so a refused action keeps nothing.
This is Indico's request handler (`web/rh.py`) in Flask hooks.

On SQLite a transaction that reads and then writes must hold the write lock from its start
(PITFALLS.md): state-changing methods begin with `BEGIN IMMEDIATE`. A GET that only reads but
audits a look at personal data queues its audit entries (`core/audit.py`); they are written here,
in a write transaction of their own, after the read transaction ended, so a GET never tries to
upgrade a read snapshot into a write (which SQLite refuses with "database is locked").

On PostgreSQL a GET's reads run before any transaction (`core/db.py::reads_before_transaction`):
no BEGIN and COMMIT for a page that only reads; its first write begins one, committed here.
"""

import logging

from flask import Flask, Response, g, request

from app.core.db import begin_write, reads_before_transaction
from app.core.retry import register_retry
from app.extensions import db

log = logging.getLogger(__name__)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def commit_session() -> None:
    """The one place where a request's work is committed."""
    db.session.commit()


def after_refusal(fn) -> None:
    """Run `fn()` even though this request is refused: after its rollback, in a transaction of
    its own that is committed (e.g. telling an account's owner that log-in was locked)."""
    g.setdefault("_after_refusal", []).append(fn)


def _run_after_refusal() -> None:
    callbacks = g.pop("_after_refusal", None)
    if not callbacks:
        return
    try:
        begin_write()
        for fn in callbacks:
            fn()
        commit_session()
    except Exception:  # the refusal itself must still be answered
        log.exception("work kept after a refusal failed")
        db.session.rollback()


def _write_deferred_audit() -> None:
    entries = g.pop("_deferred_audit", None)
    if not entries:
        return
    session = db.session()
    if not (session.new or session.dirty or session.deleted):
        # End the read snapshot first: the audit rows get a write transaction of their own.
        session.rollback()
    begin_write()
    session.add_all(entries)


def register_lifecycle(app: Flask) -> None:
    # A request that fails on a lost connection or a lost race runs once more (core/retry.py).
    register_retry(app)

    @app.before_request
    def _start_write_transaction() -> None:
        if request.endpoint == "static":
            return
        if request.method in WRITE_METHODS:
            begin_write()
        else:
            g._read_only_request = True
            reads_before_transaction()

    @app.after_request
    def _commit_or_roll_back(response: Response) -> Response:
        if request.endpoint == "static":
            return response
        if response.status_code >= 400:
            g.pop("_deferred_audit", None)
            db.session.rollback()
            _run_after_refusal()
            return response
        _write_deferred_audit()
        commit_session()
        return response
