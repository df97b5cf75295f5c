"""Revisions that every write renews in its own transaction: the one mechanism behind the cached
pages of pacts, suggestion boards, session pages and the home page's list of communities.

A domain says what a flush changed (`changes`: from the objects it wrote, kind -> ids) and how to renew the revisions those
changes concern (`renew`: UPDATE statements). A `Renewal` installs the session hooks that do it,
so that no operation can forget it: after each flush what changed is noted on the session (and
the request stops reading or filling the cache, app/core/fragments.py); just before the
transaction commits, the revisions are renewed in that same transaction. A rollback keeps the old
revision, and a reader sees a new revision only together with the data it describes. A bulk
statement on a table the pages show (which no flush hook sees) makes its request bypass the cache.
"""

import secrets
from collections.abc import Callable, Collection
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, UOWTransaction

from app.core.fragments import mark_written

#: What a flush changed: a kind of change and the ids it concerns.
Found = dict[str, set[int]]
#: An object a flush wrote, and how: "new", "updated" or "deleted".
Flushed = list[tuple[Any, str]]


def new_cache_rev() -> str:
    """A fresh revision: random, so it never repeats, even after a restore from a backup."""
    return secrets.token_hex(8)


def old_and_new(obj, attr: str) -> set[int]:
    """The attribute's value now and, when this flush changes it, before."""
    history = inspect(obj).attrs[attr].history
    values = set(history.added or ()) | set(history.deleted or ()) | {getattr(obj, attr)}
    return {v for v in values if v is not None}


def flushed(session: Session, flush_context: UOWTransaction) -> Flushed:
    """What this flush wrote, read once for every domain's hook (kept on the flush): each read
    of `session.new` or `.dirty` builds a set of every pending object, and an unchanged object
    in `dirty` is left out."""
    cached = flush_context.attributes.get("revisions_flushed")
    if cached is None:
        new, dirty = session.new, session.dirty
        cached = [(obj, "new") for obj in new]
        cached += [(obj, "updated") for obj in dirty if session.is_modified(obj)]
        cached += [(obj, "deleted") for obj in session.deleted]
        flush_context.attributes["revisions_flushed"] = cached
    return cached


class Renewal:
    """One domain's revisions, renewed by session hooks (installed once per process by
    `connect`: every app shares SQLAlchemy's Session class)."""

    def __init__(
        self,
        name: str,
        changes: Callable[[Session, Flushed], Found],
        renew: Callable[[Session, Found], None],
        shown_tables: Collection[str] = (),
    ) -> None:
        self.pending = f"{name}_to_renew"  # where a session keeps its changes until COMMIT
        self.changes, self.renew = changes, renew
        self.shown_tables = frozenset(shown_tables)
        self._connected = False

    def note(self, session: Session, found: Found) -> None:
        """Renew, when `session` commits, what `found` concerns (also for writes no flush hook
        sees: Core statements)."""
        mark_written(session)
        pending = session.info.setdefault(self.pending, {})
        for kind, ids in found.items():
            pending.setdefault(kind, set()).update(ids)

    def connect(self) -> None:
        if self._connected:
            return
        self._connected = True

        def after_flush(session: Session, flush_context: UOWTransaction) -> None:
            found = self.changes(session, flushed(session, flush_context))
            if any(found.values()):
                self.note(session, found)

        def before_commit(session: Session) -> None:
            if session.in_nested_transaction():
                return  # a savepoint: renewed when the whole transaction commits
            session.flush()  # commit flushes what is still pending only after this hook
            pending = session.info.pop(self.pending, None)
            if pending:
                self.renew(session, pending)

        def after_transaction_end(session: Session, transaction) -> None:
            if transaction.parent is None:  # the whole transaction, committed or rolled back
                session.info.pop(self.pending, None)

        def on_execute(state) -> None:
            if state.is_update or state.is_delete or state.is_insert:
                table = getattr(state.statement, "table", None)
                if getattr(table, "name", None) in self.shown_tables:
                    mark_written(state.session)

        event.listen(Session, "after_flush", after_flush)
        event.listen(Session, "before_commit", before_commit)
        event.listen(Session, "after_transaction_end", after_transaction_end)
        if self.shown_tables:
            event.listen(Session, "do_orm_execute", on_execute)
