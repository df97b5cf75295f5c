"""Every write that changes what a session page shows replaces the session's `cache_rev`.

The session page's cached parts are keyed by it (app/core/fragments.py). As for pacts and the
suggestion board (app/pacts/freshness.py, app/suggestions/freshness.py), session hooks do the
replacing so that no operation can forget it: after each flush one hook notes what changed, and
just before the transaction commits another runs one UPDATE per kind of change, in that same
transaction (a rollback keeps the old revision; a reader sees a new revision only together with
the data it describes). What renews which session pages:

- the session itself, its agenda, registrations, walk-ins and minutes (their actions, the
  actions' completions, the speakers), a suggestion recorded at it (before and after the change);
- what names come from: a body or a building (the pages of the sessions of the communities it
  serves), a community, a station, a user's name or deletion (the sessions they host, spoke at
  or completed an action of);
- the calendar of working days (every overdue flag): every session page.

A person's erasure rewrites minutes speakers with Core statements, which no flush hook sees: it
calls `renew_sessions_of_minutes` itself. Any bulk statement on a table the page shows makes its
request bypass the cache.
"""

from typing import Any

from sqlalchemy import inspect, select, true, update
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.core.revisions import Flushed, Renewal, new_cache_rev, old_and_new
from app.core.workdays import CalendarDay
from app.extensions import db
from app.hearings.models import (
    ActionCompletion,
    AgendaItem,
    FollowUpAction,
    HearingSession,
    Minutes,
    Registration,
    Speaker,
    WalkIn,
)
from app.org.models import Body, Building, Community, Station, station_communities
from app.suggestions.models import Suggestion

#: Tables whose rows the page shows (a bulk statement on them bypasses the cache).
SHOWN_TABLES = frozenset(
    m.__tablename__
    for m in (
        HearingSession,
        AgendaItem,
        Registration,
        Minutes,
        FollowUpAction,
        ActionCompletion,
        Speaker,
        Suggestion,
    )
)
#: What a User's row gives the pages: the public name and whether the account still exists.
USER_SHOWN = ("display_name", "deleted_at")
KINDS = (
    "sessions",
    "minutes",
    "actions",
    "communities",
    "subdistricts",
    "stations",
    "users",
    "everything",
)


def _changes(_session: Session, objects: Flushed) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {k: set() for k in KINDS}
    for obj, how in objects:
        is_new = how == "new"
        if isinstance(obj, HearingSession):
            if not is_new:  # a new session starts with a revision of its own
                found["sessions"].add(obj.id)
        elif isinstance(obj, AgendaItem | Registration | WalkIn | Minutes):
            found["sessions"].add(obj.session_id)
        elif isinstance(obj, FollowUpAction | Speaker):
            found["minutes"].add(obj.minutes_id)
        elif isinstance(obj, ActionCompletion):
            found["actions"].add(obj.action_id)
        elif isinstance(obj, Suggestion):
            found["sessions"] |= old_and_new(obj, "session_id")
        elif isinstance(obj, Body):
            if obj.community_id is not None:
                found["communities"].add(obj.community_id)
            elif obj.subdistrict_id is not None:
                found["subdistricts"].add(obj.subdistrict_id)
        elif isinstance(obj, Building):
            found["communities"].add(obj.community_id)
        elif isinstance(obj, Community | Station):
            if not is_new:
                found["communities" if isinstance(obj, Community) else "stations"].add(obj.id)
        elif isinstance(obj, User):
            state: Any = inspect(obj)
            if not is_new and any(state.attrs[a].history.has_changes() for a in USER_SHOWN):
                found["users"].add(obj.id)
        elif isinstance(obj, CalendarDay):
            found["everything"].add(1)
    return found


def _conditions(found: dict[str, set[int]]) -> list[Any]:
    """Conditions on `hearing_sessions` for the kinds of change found."""
    s: Any = HearingSession.__table__
    if found["everything"]:
        return [true()]
    out = []
    if found["sessions"]:
        out.append(s.c.id.in_(found["sessions"]))
    if found["minutes"]:
        out.append(s.c.id.in_(select(Minutes.session_id).where(Minutes.id.in_(found["minutes"]))))
    if found["actions"]:
        out.append(
            s.c.id.in_(
                select(Minutes.session_id)
                .join(FollowUpAction, FollowUpAction.minutes_id == Minutes.id)
                .where(FollowUpAction.id.in_(found["actions"]))
            )
        )
    communities: Any = None
    if found["communities"]:
        communities = select(Community.id).where(Community.id.in_(found["communities"]))
    if found["subdistricts"]:
        more = select(Community.id).where(Community.subdistrict_id.in_(found["subdistricts"]))
        communities = more if communities is None else communities.union(more)
    if communities is not None:
        stations = select(station_communities.c.station_id).where(
            station_communities.c.community_id.in_(communities)
        )
        out.append(s.c.community_id.in_(communities) | s.c.station_id.in_(stations))
    if found["stations"]:
        out.append(s.c.station_id.in_(found["stations"]))
    if users := found["users"]:
        spoke = (
            select(Minutes.session_id)
            .join(Speaker, Speaker.minutes_id == Minutes.id)
            .where(Speaker.user_id.in_(users))
        )
        completed = (
            select(Minutes.session_id)
            .join(FollowUpAction, FollowUpAction.minutes_id == Minutes.id)
            .join(ActionCompletion, ActionCompletion.action_id == FollowUpAction.id)
            .where(ActionCompletion.done_by_id.in_(users))
        )
        out.append(s.c.host_id.in_(users) | s.c.id.in_(spoke.union(completed)))
    return out


def _renew(session: Session, found: dict[str, set[int]]) -> None:
    s: Any = HearingSession.__table__
    connection = session.connection()
    for condition in _conditions({k: found.get(k, set()) for k in KINDS}):
        # One statement per kind keeps each simple; a row matched twice gets two new values.
        connection.execute(update(s).where(condition).values(cache_rev=new_cache_rev()))


#: The session pages' revisions, renewed by the session hooks of app/core/revisions.py.
renewal = Renewal("sessions", _changes, _renew, SHOWN_TABLES)
connect = renewal.connect


def renew_sessions_of_minutes(minutes_ids: set[int]) -> None:
    """Renew, when the transaction commits, the pages of the sessions these minutes belong to
    (for writes no flush hook sees: Core statements on the minutes' rows)."""
    if minutes_ids:
        renewal.note(db.session(), {"minutes": set(minutes_ids)})
