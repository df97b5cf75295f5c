"""Database engine set-up: SQLite pragmas and write transactions that cannot deadlock."""

import select

from psycopg.pq import TransactionStatus
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, DisconnectionError

from app.extensions import db

SQLITE_BUSY_TIMEOUT_MS = 15000
IDLE = TransactionStatus.IDLE


#: The execution option of a GET's connection on PostgreSQL: its reads run without a transaction.
READS_FIRST = "yishiting_reads_first"
#: What may run before a transaction: a plain SELECT that locks no row.
_LOCKING = (" FOR UPDATE", " FOR NO KEY UPDATE", " FOR SHARE", " FOR KEY SHARE")


def _plain_read(statement: str, context) -> bool:
    """A SELECT that locks nothing and needs no server-side cursor (the app calls no function
    that writes from a SELECT; a CTE, which may hide a write, is not plain)."""
    if statement.lstrip()[:6].upper() != "SELECT":
        return False
    if any(lock in statement for lock in _LOCKING):
        return False
    # A server-side cursor (`yield_per`, an export) lives only inside a transaction.
    options = context.execution_options if context is not None else {}
    return not (options.get("stream_results") or options.get("yield_per"))


def configure_engine(engine: Engine) -> None:
    """Make SQLite safe for concurrent writers (see PITFALLS.md, "Ballots and concurrency");
    on PostgreSQL, let a GET's reads run before any transaction (`reads_before_transaction`) and
    leave out of the pool a connection the server has closed (`server_hung_up`)."""
    if engine.dialect.name == "postgresql":

        @event.listens_for(engine, "checkout")
        def _not_one_the_server_closed(dbapi_connection, _record, _proxy):
            if server_hung_up(dbapi_connection):
                # The pool throws this one away and hands out another (SQLAlchemy's checkout
                # contract), as `pool_pre_ping` would, without its round trip.
                raise DisconnectionError("the server closed this pooled connection")

        @event.listens_for(engine, "before_cursor_execute")
        def _begin_before_the_first_write(conn, _cursor, statement, _params, context, _many):
            if not conn._execution_options.get(READS_FIRST):
                return
            raw = conn.connection.dbapi_connection
            if raw.info.transaction_status == IDLE and not _plain_read(statement, context):
                raw.execute("BEGIN")

        return
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


def server_hung_up(connection) -> bool:
    """Whether the server has closed this idle psycopg connection, seen without a round trip.

    A connection resting in the pool has nothing to read: every answer was read in full. When
    the server ends it (a restart, `pg_terminate_backend`, an idle timeout) it sends its last
    error and closes the socket, which then polls readable. Anything else waiting on an idle
    connection is unexpected too, so that connection is dropped as well; a fresh one costs a
    connect, never a wrong answer. A server that vanished without a word (a cut network) is
    caught at the first statement instead, and `core/retry.py` runs the request again.
    """
    if connection.closed or connection.broken:
        return True
    try:
        poller = select.poll()
        poller.register(connection.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
        return bool(poller.poll(0))
    except (OSError, ValueError):  # no usable socket any more
        return True


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


def reads_before_transaction() -> None:
    """On PostgreSQL, run this request's reads without BEGIN and COMMIT (two of a page's few
    round trips): each SELECT sees what was committed when it began, as it does in the READ
    COMMITTED transaction it would otherwise run in. The first statement that is not a plain
    read (a write, a row lock, a server-side cursor) begins a transaction first, so whatever
    the request goes on to write is still committed or rolled back as one, at the one commit
    point. After that transaction, the session's next one is an ordinary transaction again."""
    if not is_postgres():
        return
    session = db.session()
    if session.in_transaction():
        return
    session.connection(execution_options={"isolation_level": "AUTOCOMMIT", READS_FIRST: True})


def is_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


#: SQLSTATEs of a database hiccup rather than a mistake: the server ended the connection
#: (57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now) or a transaction lost
#: a race (40001 serialisation failure, 40P01 deadlock); class 08 is any connection exception.
TRANSIENT_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "40001", "40P01"})


def sqlstate(error: BaseException) -> str | None:
    """The SQLSTATE of a database error, when the driver reports one."""
    orig = getattr(error, "orig", None)
    return getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)


def is_disconnect(error: BaseException) -> bool:
    """The error means the connection is gone (SQLAlchemy invalidated it, or class 08/57P0x)."""
    if not isinstance(error, DBAPIError):
        return False
    code = sqlstate(error) or ""
    return bool(error.connection_invalidated) or code.startswith(("08", "57P0"))


def is_transient(error: BaseException) -> bool:
    """A lost connection or a lost race: trying the same transaction again may well succeed."""
    return is_disconnect(error) or (
        isinstance(error, DBAPIError) and sqlstate(error) in TRANSIENT_SQLSTATES
    )
