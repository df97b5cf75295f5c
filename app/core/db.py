"""Database engine set-up: SQLite pragmas and write transactions that cannot deadlock."""

from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.extensions import db

SQLITE_BUSY_TIMEOUT_MS = 15000


def configure_engine(engine: Engine) -> None:
    """Make SQLite safe for concurrent writers (see PITFALLS.md, "Ballots and concurrency")."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def value_enum(enum_class, length: int = 20):
    """A column type storing a StrEnum by its value as plain text (no native enum type).

    Plain text keeps migrations the same on SQLite and PostgreSQL and lets a value be added
    without ALTER TYPE; storing values rather than member names keeps the data readable.
    """
    return db.Enum(
        enum_class,
        native_enum=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
    )


def begin_write() -> None:
    """Start the session's transaction as a write transaction.

    On SQLite a transaction that reads and then writes must take the write lock up
    front (BEGIN IMMEDIATE), or a concurrent writer makes it fail at once with
    "database is locked". Call this before an operation's first read. It does
    nothing when a transaction is already under way or on PostgreSQL.
    """
    session = db.session()  # the scoped session's current Session
    if session.in_transaction():
        return
    if db.engine.dialect.name == "sqlite":
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


def is_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"
