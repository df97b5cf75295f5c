"""A witness's own state: its key and, per log origin, the latest checkpoint it cosigned.

Everything lives in one folder: ``witness.key`` (the signer key, written once, atomically,
owner-only) and ``witness.sqlite3``. The database is changed only inside ``BEGIN IMMEDIATE``
transactions with ``synchronous=FULL``, so a witness killed at any moment comes back with
either the old or the new checkpoint of a log, never something in between, and two requests
for one log are checked and recorded one after the other.
"""

from __future__ import annotations

import re
import socket
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from app.core import tlog

KEY_FILE = "witness.key"
DB_FILE = "witness.sqlite3"

SCHEMA = """
CREATE TABLE IF NOT EXISTS checkpoints (
    origin TEXT PRIMARY KEY,
    size INTEGER NOT NULL CHECK (size >= 0),
    root BLOB NOT NULL CHECK (length(root) = 32),
    note TEXT NOT NULL,          -- the log's checkpoint with this witness's cosignature
    updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS refusals (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    origin TEXT NOT NULL,
    status INTEGER NOT NULL,
    reason TEXT NOT NULL,
    request TEXT NOT NULL        -- kept: a validly signed but inconsistent checkpoint is evidence
);
"""


def default_name() -> str:
    """A key name for a witness started without ``--name``: ``<host name>/witness``."""
    host = re.sub(r"[^A-Za-z0-9.-]", "-", socket.gethostname()) or "localhost"
    return f"{host}/witness"


def load_key(state_dir: Path, name: str | None = None) -> tlog.Signer:
    """The witness's cosigning key (type 0x04), generated into ``state_dir`` on first use."""
    return tlog.load_or_create_signer(
        Path(state_dir) / KEY_FILE, name or default_name(), tlog.COSIGNATURE_V1
    )


@dataclass(frozen=True)
class Latest:
    """The latest checkpoint a witness cosigned for one origin."""

    size: int
    root: bytes
    note: str


class WitnessState:
    """The SQLite file of one witness; a short-lived connection per use, safe across threads."""

    def __init__(self, state_dir: Path):
        self.path = Path(state_dir) / DB_FILE
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        conn.execute("PRAGMA synchronous=FULL")
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken before reading, so check-and-update is atomic."""
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            conn.close()

    @staticmethod
    def latest_in(conn: sqlite3.Connection, origin: str) -> Latest | None:
        row = conn.execute(
            "SELECT size, root, note FROM checkpoints WHERE origin = ?", (origin,)
        ).fetchone()
        return None if row is None else Latest(row[0], bytes(row[1]), row[2])

    def latest(self, origin: str) -> Latest | None:
        """The latest checkpoint cosigned for ``origin``, or None if there is none."""
        conn = self._connect()
        try:
            return self.latest_in(conn, origin)
        finally:
            conn.close()

    @staticmethod
    def advance(
        conn: sqlite3.Connection, origin: str, old_size: int, checkpoint: tlog.Checkpoint, note: str
    ) -> bool:
        """Compare-and-swap: record ``checkpoint`` only if the stored size is still ``old_size``."""
        now = int(time.time())
        if old_size == 0:
            cur = conn.execute(
                "INSERT INTO checkpoints (origin, size, root, note, updated_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (origin) DO UPDATE SET "
                "size = excluded.size, root = excluded.root, note = excluded.note, "
                "updated_at = excluded.updated_at WHERE checkpoints.size = 0",
                (origin, checkpoint.size, checkpoint.root, note, now),
            )
        else:
            cur = conn.execute(
                "UPDATE checkpoints SET size = ?, root = ?, note = ?, updated_at = ? "
                "WHERE origin = ? AND size = ?",
                (checkpoint.size, checkpoint.root, note, now, origin, old_size),
            )
        return cur.rowcount == 1

    @staticmethod
    def refuse(
        conn: sqlite3.Connection, origin: str, status: int, reason: str, request: str
    ) -> None:
        """Keep a refused but validly signed request: it may prove the log misbehaved."""
        conn.execute(
            "INSERT INTO refusals (at, origin, status, reason, request) VALUES (?, ?, ?, ?, ?)",
            (int(time.time()), origin, status, reason, request),
        )

    def refusals(self) -> list[tuple[str, int, str]]:
        """(origin, status, reason) of every refused request, oldest first."""
        conn = self._connect()
        try:
            return conn.execute(
                "SELECT origin, status, reason FROM refusals ORDER BY id"
            ).fetchall()
        finally:
            conn.close()
