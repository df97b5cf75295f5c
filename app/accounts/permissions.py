"""Who holds which role where: the ground every domain's `can_<action>(user, ...)` stands on.

Each domain declares its own actions as predicates in its `permissions.py` (or on its models),
built on `roles_in`; views, templates, operations and the CLI all ask those predicates. Accounts'
own (appointing roles, memberships, household codes, members, the audit log) are at the end here.

Roles are held per community: a resident through an active household membership, a
secretary by appointment to the community, a deputy through a station that serves it,
a handler through a body that serves it, an admin everywhere (for organisation and
appointments only; an admin does not run a community's pacts, hearings or votes).
"""

from collections.abc import Iterable

from flask import abort, g, has_app_context
from flask_login import current_user
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from app.accounts.models import Membership, MembershipStatus, Role, RoleAssignment, User
from app.extensions import db
from app.org.models import Body, Community, Household, station_communities
from app.org.queries import CommunityRef, communities_once


def _community_id(community) -> int:
    return community if isinstance(community, int) else community.id


def roles_in(user, community) -> frozenset[Role]:
    """The roles `user` holds in `community`, from what `_role_map` read once per request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    community_id = _community_id(community)
    cache = g.setdefault("_roles_cache", {})
    key = (user.id, community_id)
    if key not in cache:
        cache[key] = _role_map(user).roles_in(community_id)
    return cache[key]


class _RoleMap:
    """Where one user holds each role, read in a fixed number of queries however many
    communities there are (none for a signed-in resident or secretary: `load_user` brings the
    memberships and role assignments along; at most four otherwise), so pages that ask about
    every community stay fixed in cost.

    When `user.memberships` or `user.roles` are not loaded yet, they are filled from the rows read
    here (the household, `is_admin` and the templates then cost no statement more). A flush that
    changes either expires them (`forget_roles`), so they are never read as they were before.
    """

    def __init__(self, user) -> None:
        memberships = _memberships_with_buildings(user)
        self.member_of = {
            m.household.building.community_id
            for m in memberships
            if m.status == MembershipStatus.ACTIVE
        }
        if "roles" in inspect(user).unloaded:
            assignments = db.session.scalars(
                select(RoleAssignment)
                .where(RoleAssignment.user_id == user.id)
                .order_by(RoleAssignment.id)
            ).all()
            set_committed_value(user, "roles", list(assignments))
        # By appointment (ones still to be flushed last): the home page links to the first.
        assignments = sorted(user.roles, key=lambda a: (a.id is None, a.id or 0))
        self.admin = any(a.role == Role.ADMIN for a in assignments)
        self.secretary_of = {
            a.community_id for a in assignments if a.role == Role.SECRETARY and a.community_id
        }
        #: Stations and bodies in the order of appointment (the home page links to the first).
        self.stations = [
            a.station_id for a in assignments if a.role == Role.DEPUTY and a.station_id
        ]
        self.bodies = [a.body_id for a in assignments if a.role == Role.HANDLER and a.body_id]
        self.deputy_of: set[int] = set()
        if self.stations:
            self.deputy_of = set(
                db.session.scalars(
                    select(station_communities.c.community_id).where(
                        station_communities.c.station_id.in_(self.stations)
                    )
                )
            )
        self.handler_of: set[int] = set()
        if self.bodies:
            bodies = db.session.scalars(select(Body).where(Body.id.in_(self.bodies))).all()
            self.handler_of = {b.community_id for b in bodies if b.community_id is not None}
            subdistricts = {b.subdistrict_id for b in bodies if b.community_id is None}
            if subdistricts:
                self.handler_of |= set(
                    db.session.scalars(
                        select(Community.id).where(Community.subdistrict_id.in_(subdistricts))
                    )
                )

    def communities_with(self, roles: set[Role]) -> set[int] | None:
        """The ids of the communities where one of `roles` is held; None for all of them (an
        admin holds that role everywhere)."""
        if Role.ADMIN in roles and self.admin:
            return None
        ids: set[int] = set()
        for role, where in (
            (Role.RESIDENT, self.member_of),
            (Role.SECRETARY, self.secretary_of),
            (Role.DEPUTY, self.deputy_of),
            (Role.HANDLER, self.handler_of),
        ):
            if role in roles:
                ids |= where
        return ids

    def roles_in(self, community_id: int) -> frozenset[Role]:
        roles: set[Role] = set()
        if community_id in self.member_of:
            roles.add(Role.RESIDENT)
        if self.admin:
            roles.add(Role.ADMIN)
        if community_id in self.secretary_of:
            roles.add(Role.SECRETARY)
        if community_id in self.deputy_of:
            roles.add(Role.DEPUTY)
        if community_id in self.handler_of:
            roles.add(Role.HANDLER)
        return frozenset(roles)


#: Where a session keeps, between a flush and its end, whose memberships or roles it changed.
_LINKS_CHANGED = "user_links_changed"


def _memberships_with_buildings(user) -> list[Membership]:
    """`user.memberships`, each with its household and building: as loaded with the user
    (accounts/models.py `load_user`), or read in one statement that also fills them in."""
    if "memberships" not in inspect(user).unloaded and all(
        "household" not in inspect(m).unloaded and "building" not in inspect(m.household).unloaded
        for m in user.memberships
    ):
        return list(user.memberships)
    memberships = db.session.scalars(
        select(Membership)
        .where(Membership.user_id == user.id)
        .options(joinedload(Membership.household).joinedload(Household.building))
        .order_by(Membership.id)
    ).all()
    if "memberships" in inspect(user).unloaded:
        set_committed_value(user, "memberships", list(memberships))
    return list(memberships)


def forget_roles(session, _flush_context=None) -> None:
    """A flush that changed memberships or role assignments: read the roles again, and the
    users' `memberships` and `roles` (the role map may have filled them before the change)."""
    changed = list(session.new) + list(session.dirty) + list(session.deleted)
    links = [o for o in changed if isinstance(o, Membership | RoleAssignment)]
    if not links:
        return
    if has_app_context():
        g.pop("_roles_cache", None)
        g.pop("_role_maps", None)
    pending = session.info.setdefault(_LINKS_CHANGED, set())
    for o in links:
        pending.add((o.user_id, "memberships" if isinstance(o, Membership) else "roles"))


def _expire_user_links(session, _flush_context=None) -> None:
    for user_id, attribute in session.info.pop(_LINKS_CHANGED, ()):
        user = session.identity_map.get(identity_key(User, user_id))
        if user is not None and inspect(user).persistent:
            session.expire(user, [attribute])


def connect() -> None:
    """Install `forget_roles` once per process (every app shares SQLAlchemy's Session class)."""
    if not event.contains(Session, "after_flush", forget_roles):
        event.listen(Session, "after_flush", forget_roles)
        event.listen(Session, "after_flush_postexec", _expire_user_links)


def _role_map(user) -> _RoleMap:
    maps = g.setdefault("_role_maps", {})
    if user.id not in maps:
        maps[user.id] = _RoleMap(user)
    return maps[user.id]


def require_admin(user=None) -> None:
    user = current_user if user is None else user
    if not user.is_authenticated:
        abort(401)
    if not user.is_admin:
        abort(403)


def communities_where(user, roles: Iterable[Role]) -> list[CommunityRef]:
    """Every community (its id and name) in which `user` holds one of `roles` (for home pages and
    menus), by name.

    The communities are read once per request (`communities_once`), and the roles once per
    user and request: the home page's sections ask this many times at no further cost."""
    if not user.is_authenticated or not user.is_active:
        return []
    ids = _role_map(user).communities_with(set(roles))
    return [c for c in communities_once() if ids is None or c.id in ids]


def body_ids_handled_by(user) -> list[int]:
    """The bodies whose suggestions `user` answers, in the order of appointment."""
    if not user.is_authenticated or not user.is_active:
        return []
    return list(_role_map(user).bodies)


def station_ids_of_deputy(user) -> list[int]:
    """The stations where `user` is a deputy, in the order of appointment."""
    if not user.is_authenticated or not user.is_active:
        return []
    return list(_role_map(user).stations)


def clear_cache() -> None:
    """Forget cached roles, after an operation changes them within the request."""
    g.pop("_roles_cache", None)
    g.pop("_role_maps", None)


# --- accounts' own actions ---------------------------------------------------------------
# Each is a predicate `can_<action>(user, community)`: views, templates, operations and the CLI
# ask the same question, so no caller can skip it.


def _holds(user, community, *roles: Role) -> bool:
    return bool(set(roles) & roles_in(user, community))


def is_admin(user) -> bool:
    """A subdistrict administrator (organisation, appointments, the whole audit log)."""
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_admin)


def can_appoint_roles(user) -> bool:
    """Appoint and revoke secretaries, deputies, handlers and admins."""
    return is_admin(user)


def can_approve_memberships(user, community) -> bool:
    """Decide membership requests and end memberships in `community`."""
    return _holds(user, community, Role.SECRETARY)


def can_print_invitations(user, community) -> bool:
    """Print and withdraw household codes of `community`'s buildings."""
    return _holds(user, community, Role.SECRETARY)


def can_view_members(user, community) -> bool:
    """See `community`'s residents with full names and contacts."""
    return _holds(user, community, Role.SECRETARY)


def can_read_audit(user, community=None) -> bool:
    """Read `community`'s audit log (its secretary, admins), or the whole log (admins)."""
    if community is None:
        return is_admin(user)
    return _holds(user, community, Role.SECRETARY, Role.ADMIN)


def can_export_data(user, community) -> bool:
    """Export `community`'s records."""
    return _holds(user, community, Role.SECRETARY)


def can_issue_reset_code(user, member) -> bool:
    """Give `member` a one-time code to choose a new password, in person.

    An admin may for anyone. A secretary may for an active resident of a community where she is
    secretary, who holds no appointed role: a code lets whoever holds it into the account, so
    the accounts of secretaries, deputies, handlers and admins are reset by an admin.
    """
    if member is None or not member.is_active:
        return False
    if is_admin(user):
        return True
    membership = member.active_membership
    if membership is None or member.roles or member.id == getattr(user, "id", None):
        return False
    return _holds(user, membership.community, Role.SECRETARY)
