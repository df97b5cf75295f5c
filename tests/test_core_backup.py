"""The restore drill (issue 14, item 5): back up while writes go on, restore into a fresh
database, and every published vote's log still verifies with the same counts."""

import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from app import create_app
from app.core.audit import AuditEntry
from app.demo import load_demo
from app.extensions import db as _db
from app.votes.models import Ballot, Vote, VoteStatus

VERIFIER = Path(__file__).resolve().parent.parent / "tools" / "verify_ballot_log.py"
RESTORE_DB = "test_faults_restore"


def _published_counts() -> dict[int, int]:
    rows = _db.session.execute(
        select(Vote.id, func.count(Ballot.id))
        .join(Ballot, Ballot.vote_id == Vote.id, isouter=True)
        .where(Vote.status == VoteStatus.PUBLISHED)
        .group_by(Vote.id)
    )
    return dict(rows.all())


class _Writer(threading.Thread):
    """Keeps committing audit rows through its own connection until told to stop."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.engine = create_engine(url)
        self.stop = threading.Event()
        self.written = 0
        self.errors: list[str] = []

    def run(self) -> None:
        try:
            while not self.stop.is_set() or self.written < 20:
                with self.engine.begin() as conn:
                    conn.execute(
                        AuditEntry.__table__.insert().values(
                            action="drill.write", object_type="", detail=f"{self.written}", ip=""
                        )
                    )
                self.written += 1
        except Exception as error:  # reported by the test
            self.errors.append(repr(error))
        finally:
            self.engine.dispose()


def _fresh_url(app, tmp_path) -> str:
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///{tmp_path / 'restored.db'}"
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump/pg_restore not installed")
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{RESTORE_DB}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{RESTORE_DB}"'))
    admin.dispose()
    return url.set(database=RESTORE_DB).render_as_string(hide_password=False)


def _other_app(app, url: str):
    config = {k: v for k, v in app.config.items() if k.isupper()}
    return create_app({**config, "SQLALCHEMY_DATABASE_URI": url})


def test_restore_drill_keeps_every_published_vote_verifiable(app, db, tmp_path):
    assert load_demo()
    db.session.commit()
    before = _published_counts()
    assert len(before) >= 2 and all(before.values())
    audit_before = db.session.scalar(select(func.count(AuditEntry.id)))
    db.session.remove()

    writer = _Writer(app.config["SQLALCHEMY_DATABASE_URI"])
    writer.start()
    while writer.written < 5 and not writer.errors:
        threading.Event().wait(0.01)
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "backups")])
    writer.stop.set()
    writer.join(timeout=60)
    assert result.exit_code == 0, result.output
    assert writer.errors == [] and writer.written >= 20
    if make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() == "postgresql":
        assert "pg_dump" in result.output
    (backup,) = sorted((tmp_path / "backups").iterdir())

    restored = _other_app(app, _fresh_url(app, tmp_path))
    try:
        runner = restored.test_cli_runner()
        # The CLI runs in whichever app context is current: the restored app's, not the suite's.
        with restored.app_context():
            result = runner.invoke(args=["restore", str(backup)])
        assert result.exit_code == 0, result.output
        with restored.app_context():
            # A second restore over the data it now holds is refused unless forced.
            again = runner.invoke(args=["restore", str(backup)])
            assert again.exit_code != 0 and "not empty" in again.output
            forced = runner.invoke(args=["restore", str(backup), "--force"])
            assert forced.exit_code == 0, forced.output
            assert _published_counts() == before
            audit_restored = _db.session.scalar(select(func.count(AuditEntry.id)))
            # One consistent snapshot from somewhere during the stream of writes.
            assert audit_before <= audit_restored <= audit_before + writer.written
            exported = runner.invoke(args=["votes", "export", "--all", str(tmp_path / "logs")])
            assert exported.exit_code == 0, exported.output
            _db.session.remove()
        logs = sorted((tmp_path / "logs").glob("*.json"))
        assert len(logs) == len(before)
        for path in logs:
            run = subprocess.run(
                [sys.executable, str(VERIFIER), str(path)],
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            assert run.returncode == 0 and "VALID" in run.stdout, run.stdout + run.stderr
    finally:
        with restored.app_context():
            _db.session.remove()
            _db.engine.dispose()


def test_restore_refuses_a_file_that_is_no_backup(app, db, tmp_path):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"not a backup at all")
    restored = _other_app(app, _fresh_url(app, tmp_path))
    try:
        with restored.app_context():
            result = restored.test_cli_runner().invoke(args=["restore", str(junk)])
        assert result.exit_code != 0 and "not a" in result.output
    finally:
        with restored.app_context():
            _db.session.remove()
            _db.engine.dispose()
