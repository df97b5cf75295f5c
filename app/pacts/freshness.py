"""Every write that changes what a pact's pages show replaces the pact's `cache_rev`.

The pages cache their fragments under keys that carry `cache_rev` (app/core/fragments.py), so
the revision is all that invalidation needs. It is replaced by session hooks (app/core/revisions.py) rather than by
each operation, so that no write can forget it: after each flush, one hook notes what the flush
changed; just before the transaction commits, another runs one UPDATE per kind of change, in
that same transaction (a rollback keeps the old revision, and a reader sees the new revision only
together with the data it describes). The pact row is the last row each write transaction
locks, an instant before its COMMIT, so it is held briefly and two writes never wait for each
other in a cycle through it (a hide locks its comment before the pact, a +1 would otherwise
have locked the pact before the comment). What the changes renew:

- the pact itself, its versions and clauses, comments, +1s, positions and amendments: that pact;
- what names and badges come from (a user's name or deletion, memberships, households,
  buildings, role assignments): every pact of the communities concerned.

Bulk statements (`update(Comment)...`) are not seen by the flush hook; the operations that run
them also add or change an object of the same pact in the same flush (the +1 row with its
count, the endorsement with its count). Any such statement still makes its request bypass the
cache (`do_orm_execute`).
"""

from typing import Any

from sqlalchemy import inspect, select, update
from sqlalchemy.orm import Session

from app.accounts.models import Membership, RoleAssignment, User
from app.core.revisions import Flushed, Renewal
from app.org.models import Building, Household
from app.pacts.models import (
    Amendment,
    Clause,
    Comment,
    CommentAgree,
    Pact,
    PactVersion,
    Position,
    new_cache_rev,
)

#: Models whose rows a pact's pages show (a bulk statement on them bypasses the cache).
SHOWN = (Pact, PactVersion, Clause, Position, Comment, CommentAgree, Amendment)
#: What a User's row gives the pages: the public name and whether the account still exists.
USER_SHOWN = ("display_name", "deleted_at")


def _changes(session: Session, objects: Flushed) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {
        k: set() for k in ("pacts", "versions", "clauses", "comments", "communities")
    }
    found.update(users=set(), households=set(), buildings=set())
    for obj, how in objects:
        is_new = how == "new"
        if isinstance(obj, Pact):
            if not is_new:  # a new pact starts with a revision of its own
                found["pacts"].add(obj.id)
        elif isinstance(obj, PactVersion | Comment | Amendment):
            found["pacts"].add(obj.pact_id)
        elif isinstance(obj, Clause):
            found["versions"].add(obj.version_id)
        elif isinstance(obj, Position):
            found["clauses"].add(obj.clause_id)
        elif isinstance(obj, CommentAgree):
            found["comments"].add(obj.comment_id)
        elif isinstance(obj, User):
            state: Any = inspect(obj)
            if not is_new and any(state.attrs[a].history.has_changes() for a in USER_SHOWN):
                found["users"].add(obj.id)
        elif isinstance(obj, Membership):
            found["households"].add(obj.household_id)
        elif isinstance(obj, Household):
            found["buildings"].add(obj.building_id)
        elif isinstance(obj, Building | RoleAssignment):
            if obj.community_id is not None:
                found["communities"].add(obj.community_id)
    return found


def _renew(session: Session, found: dict[str, set[int]]) -> None:
    pacts: Any = Pact.__table__
    conditions = []
    if found["pacts"]:
        conditions.append(pacts.c.id.in_(found["pacts"]))
    if found["versions"]:
        conditions.append(
            pacts.c.id.in_(select(PactVersion.pact_id).where(PactVersion.id.in_(found["versions"])))
        )
    if found["clauses"]:
        conditions.append(
            pacts.c.id.in_(
                select(PactVersion.pact_id)
                .join(Clause, Clause.version_id == PactVersion.id)
                .where(Clause.id.in_(found["clauses"]))
            )
        )
    if found["comments"]:
        conditions.append(
            pacts.c.id.in_(select(Comment.pact_id).where(Comment.id.in_(found["comments"])))
        )
    if found["communities"]:
        conditions.append(pacts.c.community_id.in_(found["communities"]))
    if found["buildings"]:
        conditions.append(
            pacts.c.community_id.in_(
                select(Building.community_id).where(Building.id.in_(found["buildings"]))
            )
        )
    if found["households"] or found["users"]:
        households: Any = select(Household.id).where(Household.id.in_(found["households"]))
        if found["users"]:
            households = households.union(
                select(Membership.household_id).where(Membership.user_id.in_(found["users"]))
            )
        conditions.append(
            pacts.c.community_id.in_(
                select(Building.community_id)
                .join(Household, Household.building_id == Building.id)
                .where(Household.id.in_(households))
            )
        )
    if not conditions:
        return
    connection = session.connection()
    for condition in conditions:
        # One statement per kind keeps each simple; a pact matched twice gets two new values.
        connection.execute(update(pacts).where(condition).values(cache_rev=new_cache_rev()))


#: The pacts' revisions, renewed by the session hooks of app/core/revisions.py.
renewal = Renewal("pacts", _changes, _renew, [m.__tablename__ for m in SHOWN])
connect = renewal.connect
