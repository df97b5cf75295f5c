"""Every write that changes what a community's suggestion board shows replaces its revision.

The board's cached parts are keyed by the community's `suggestions_rev` (app/core/fragments.py).
As for pacts (app/pacts/freshness.py), session hooks do the replacing so that no operation can
forget it: after each flush one hook notes what changed, and just before the transaction commits
another runs one UPDATE per kind of change, in that same transaction (a rollback keeps the old
revision; a reader sees a new revision only together with the data it describes). What renews
which boards:

- a suggestion: its community's (before and after the change); a suggestion event (an
  escalation): its suggestion's community's;
- what names and labels come from: a body (every community it serves), a building, a community;
- the calendar of working days (every overdue flag): every board.

Any bulk statement on a suggestion or its events makes its request bypass the cache.
"""

import secrets
from typing import Any

from sqlalchemy import event, inspect, select, true, update
from sqlalchemy.orm import Session

from app.core.fragments import mark_written
from app.core.workdays import CalendarDay
from app.org.models import Body, Building, Community
from app.suggestions.models import Suggestion, SuggestionEvent

#: Tables whose rows the board shows (a bulk statement on them bypasses the cache).
SHOWN_TABLES = frozenset({Suggestion.__tablename__, SuggestionEvent.__tablename__})
KINDS = ("communities", "subdistricts", "suggestions", "everything")
#: Where a session keeps what its flushes changed until its transaction commits.
PENDING = "boards_to_renew"


def new_cache_rev() -> str:
    """A fresh revision: random, so it never repeats, even after a restore from a backup."""
    return secrets.token_hex(8)


def old_and_new(obj, attr: str) -> set[int]:
    """The attribute's value now and, when this flush changes it, before."""
    history = inspect(obj).attrs[attr].history
    values = set(history.added or ()) | set(history.deleted or ()) | {getattr(obj, attr)}
    return {v for v in values if v is not None}


def _changes(session: Session) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {k: set() for k in KINDS}
    new, dirty = session.new, session.dirty  # read once (see app/pacts/freshness.py)
    for obj in list(new) + list(dirty) + list(session.deleted):
        if obj in dirty and not session.is_modified(obj):
            continue
        if isinstance(obj, Suggestion):
            found["communities"] |= old_and_new(obj, "community_id")
        elif isinstance(obj, SuggestionEvent):
            found["suggestions"].add(obj.suggestion_id)
        elif isinstance(obj, Body):
            if obj.community_id is not None:
                found["communities"].add(obj.community_id)
            elif obj.subdistrict_id is not None:
                found["subdistricts"].add(obj.subdistrict_id)
        elif isinstance(obj, Building):
            found["communities"].add(obj.community_id)
        elif isinstance(obj, Community):
            if obj not in new:  # a new community starts with a revision of its own
                found["communities"].add(obj.id)
        elif isinstance(obj, CalendarDay):
            found["everything"].add(1)
    return found


def _renew(session: Session, found: dict[str, set[int]]) -> None:
    c: Any = Community.__table__
    conditions: list[Any] = []
    if found["everything"]:
        conditions = [true()]
    else:
        if found["communities"]:
            conditions.append(c.c.id.in_(found["communities"]))
        if found["subdistricts"]:
            conditions.append(c.c.subdistrict_id.in_(found["subdistricts"]))
        if found["suggestions"]:
            conditions.append(
                c.c.id.in_(
                    select(Suggestion.community_id).where(Suggestion.id.in_(found["suggestions"]))
                )
            )
    connection = session.connection()
    for condition in conditions:
        # One statement per kind keeps each simple; a row matched twice gets two new values.
        connection.execute(update(c).where(condition).values(suggestions_rev=new_cache_rev()))


def _after_flush(session: Session, _flush_context) -> None:
    found = _changes(session)
    if not any(found.values()):
        return
    mark_written(session)
    pending = session.info.setdefault(PENDING, {})
    for kind, ids in found.items():
        pending.setdefault(kind, set()).update(ids)


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the revision is renewed when the whole transaction commits
    session.flush()  # commit flushes what is still pending only after this hook
    pending = session.info.pop(PENDING, None)
    if pending:
        _renew(session, pending)


def _after_transaction_end(session: Session, transaction) -> None:
    if transaction.parent is None:  # the whole transaction, committed or rolled back
        session.info.pop(PENDING, None)


def _on_execute(orm_execute_state) -> None:
    state = orm_execute_state
    if state.is_update or state.is_delete or state.is_insert:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in SHOWN_TABLES:
            mark_written(state.session)


def connect() -> None:
    """Install the hooks once per process (every app shares SQLAlchemy's Session class)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_transaction_end", _after_transaction_end)
        event.listen(Session, "do_orm_execute", _on_execute)
