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

from typing import Any

from sqlalchemy import select, true, update
from sqlalchemy.orm import Session

from app.core.revisions import Flushed, Renewal, new_cache_rev, old_and_new
from app.core.workdays import CalendarDay
from app.org.models import Body, Building, Community
from app.suggestions.models import Suggestion, SuggestionEvent

#: Tables whose rows the board shows (a bulk statement on them bypasses the cache).
SHOWN_TABLES = frozenset({Suggestion.__tablename__, SuggestionEvent.__tablename__})
KINDS = ("communities", "subdistricts", "suggestions", "everything")


def _changes(_session: Session, objects: Flushed) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {k: set() for k in KINDS}
    for obj, how in objects:
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
            if how != "new":  # a new community starts with a revision of its own
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


#: The board's revisions, renewed by the session hooks of app/core/revisions.py.
renewal = Renewal("boards", _changes, _renew, SHOWN_TABLES)
connect = renewal.connect
