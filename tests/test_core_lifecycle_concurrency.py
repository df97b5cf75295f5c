"""Audited GET pages under concurrent writes: no "database is locked", no 5xx, every look logged.

Four forked processes each open every audited page (the member list, the membership requests,
the personal-data export) 100 times as a logged-in secretary while a fifth process keeps saving
profile changes. Each process builds its own app (and so its own database engine) after the
fork. The audit entry of a GET is written at the end of the request in a write transaction of
its own (core/lifecycle.py), so it never has to upgrade a read snapshot while another request
holds the write lock.
"""

import logging
import multiprocessing
import os
import time

import pytest
from flask import Flask
from sqlalchemy import func, select

from app import create_app
from app.config import TestConfig, database_url
from app.core.audit import AuditEntry
from app.extensions import db

READERS = 4
ROUNDS = 100


def _config(url: str) -> type:
    return type(
        "ConcurrencyConfig",
        (TestConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "PROPAGATE_TEST_ERRORS": False,
        },
    )


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            text += f" {record.exc_info[1]}"
        self.messages.append(text)


def _client(url: str, user_id: int) -> tuple[Flask, object]:
    app = create_app(_config(url))
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
    return app, client


def _problems(status: int, body: str) -> int:
    return int(status >= 500 or "database is locked" in body)


def _read(url: str, user_id: int, pages: list[str], results) -> None:
    handler = _Collect()
    logging.getLogger().addHandler(handler)
    app, client = _client(url, user_id)
    done = bad = 0
    for _ in range(ROUNDS):
        for page in pages:
            response = client.get(page)
            done += 1
            bad += _problems(response.status_code, response.get_data(as_text=True))
    with app.app_context():
        db.engine.dispose()
    results.put(("read", done, bad, handler.messages))


def _write(url: str, user_id: int, stop, results) -> None:
    handler = _Collect()
    logging.getLogger().addHandler(handler)
    app, client = _client(url, user_id)
    done = bad = 0
    while not stop.is_set() or done < 10:
        response = client.post("/account", data={"display_name": f"写入{done % 7}"})
        done += 1
        bad += _problems(response.status_code, response.get_data(as_text=True))
        time.sleep(0.002)  # a busy neighbourhood, not a benchmark: readers get a turn
    with app.app_context():
        db.engine.dispose()
    results.put(("write", done, bad, handler.messages))


def _seed(make) -> tuple[int, int, int, list[str]]:
    community = make.community()
    building = make.building(community, households=6)
    secretary = make.user("secretary", community)
    writer = make.user("resident", household=building.households[0])
    for household in building.households[1:4]:
        make.user("resident", household=household)
    # A request waiting, so the requests page shows personal data too.
    from app.accounts.models import Membership

    db.session.add(Membership(user_id=make.user().id, household_id=building.households[5].id))
    db.session.commit()
    pages = [
        f"/communities/{community.id}/members",
        f"/communities/{community.id}/members/requests",
        "/account/export.json",
    ]
    return community.id, secretary.id, writer.id, pages


def _hammer(url: str, secretary_id: int, writer_id: int, pages: list[str]) -> None:
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    stop = ctx.Event()
    writer = ctx.Process(target=_write, args=(url, writer_id, stop, results))
    readers = [
        ctx.Process(target=_read, args=(url, secretary_id, pages, results)) for _ in range(READERS)
    ]
    writer.start()
    for reader in readers:
        reader.start()
    outcomes = [results.get(timeout=120) for _ in readers]
    stop.set()
    outcomes.append(results.get(timeout=60))
    for process in [*readers, writer]:
        process.join(timeout=30)
        assert process.exitcode == 0

    reads = [o for o in outcomes if o[0] == "read"]
    assert sum(o[1] for o in reads) == READERS * ROUNDS * len(pages)
    assert [o[2] for o in outcomes] == [0] * len(outcomes), "a 5xx or 'database is locked'"
    logged = [m for o in outcomes for m in o[3]]
    assert not [m for m in logged if "locked" in m or "unhandled" in m], logged[:5]


def _count(action: str) -> int:
    return db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == action))


def _check_audit(pages: list[str]) -> None:
    db.session.expire_all()
    assert _count("personal_data.members") == READERS * ROUNDS
    assert _count("personal_data.requests") == READERS * ROUNDS
    assert _count("personal_data.export") == READERS * ROUNDS
    assert _count("user.update_profile") >= 10


def test_audited_pages_under_concurrent_writes_on_a_sqlite_file(tmp_path, make):
    url = database_url(f"sqlite:///{tmp_path / 'concurrency.db'}")
    app = create_app(_config(url))
    with app.app_context():
        db.create_all()
        _, secretary_id, writer_id, pages = _seed(make)
        db.session.remove()
        db.engine.dispose()
        _hammer(url, secretary_id, writer_id, pages)
        _check_audit(pages)
        db.session.remove()
        db.engine.dispose()


@pytest.mark.postgres
@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs DATABASE_URL pointing at PostgreSQL",
)
def test_audited_pages_under_concurrent_writes_on_postgresql(app, make):
    # The suite's own database, emptied for this test by the `db` fixture.
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    _, secretary_id, writer_id, pages = _seed(make)
    db.session.remove()
    db.engine.dispose()
    _hammer(url, secretary_id, writer_id, pages)
    _check_audit(pages)
