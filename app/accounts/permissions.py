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

from flask import abort, g
from flask_login import current_user
from sqlalchemy import select

from app.accounts.models import Membership, MembershipStatus, Role, RoleAssignment
from app.extensions import db
from app.org.models import Body, Building, Community, Household, station_communities


def _community_id(community) -> int:
    return community if isinstance(community, int) else community.id


def roles_in(user, community) -> frozenset[Role]:
    """The roles `user` holds in `community`, cached for the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    community_id = _community_id(community)
    cache = g.setdefault("_roles_cache", {})
    key = (user.id, community_id)
    if key in cache:
        return cache[key]

    roles: set[Role] = set()
    is_member = db.session.scalar(
        select(Membership.id)
        .join(Household, Membership.household_id == Household.id)
        .join(Building, Household.building_id == Building.id)
        .where(
            Membership.user_id == user.id,
            Membership.status == MembershipStatus.ACTIVE,
            Building.community_id == community_id,
        )
        .limit(1)
    )
    if is_member:
        roles.add(Role.RESIDENT)

    assignments = db.session.scalars(
        select(RoleAssignment).where(RoleAssignment.user_id == user.id)
    ).all()
    for a in assignments:
        if a.role == Role.ADMIN:
            roles.add(Role.ADMIN)
        elif a.role == Role.SECRETARY and a.community_id == community_id:
            roles.add(Role.SECRETARY)
        elif a.role == Role.DEPUTY and a.station_id is not None:
            serves = db.session.scalar(
                select(station_communities.c.station_id).where(
                    station_communities.c.station_id == a.station_id,
                    station_communities.c.community_id == community_id,
                )
            )
            if serves:
                roles.add(Role.DEPUTY)
        elif a.role == Role.HANDLER and a.body_id is not None:
            body = db.session.get(Body, a.body_id)
            community_obj = db.session.get(Community, community_id)
            if body and community_obj and body.serves(community_obj):
                roles.add(Role.HANDLER)
    cache[key] = frozenset(roles)
    return cache[key]


def require_admin(user=None) -> None:
    user = current_user if user is None else user
    if not user.is_authenticated:
        abort(401)
    if not user.is_admin:
        abort(403)


def communities_where(user, roles: Iterable[Role]) -> list[Community]:
    """Every community in which `user` holds one of `roles` (for home pages and menus)."""
    if not user.is_authenticated:
        return []
    wanted = set(roles)
    all_communities = db.session.scalars(select(Community).order_by(Community.name)).all()
    return [c for c in all_communities if wanted & roles_in(user, c)]


def body_ids_handled_by(user) -> list[int]:
    """The bodies whose suggestions `user` answers."""
    if not user.is_authenticated:
        return []
    return list(
        db.session.scalars(
            select(RoleAssignment.body_id).where(
                RoleAssignment.user_id == user.id,
                RoleAssignment.role == Role.HANDLER,
                RoleAssignment.body_id.is_not(None),
            )
        )
    )


def station_ids_of_deputy(user) -> list[int]:
    if not user.is_authenticated:
        return []
    return list(
        db.session.scalars(
            select(RoleAssignment.station_id).where(
                RoleAssignment.user_id == user.id,
                RoleAssignment.role == Role.DEPUTY,
                RoleAssignment.station_id.is_not(None),
            )
        )
    )


def clear_cache() -> None:
    """Forget cached roles, after an operation changes them within the request."""
    g.pop("_roles_cache", None)


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
