"""What accounts adds to shared pages: the home page and a community's front page."""

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from app.accounts.models import Role
from app.accounts.permissions import (
    can_approve_memberships,
    can_print_invitations,
    can_read_audit,
    can_view_members,
    communities_where,
    is_admin,
    roles_in,
)
from app.accounts.queries import pending_counts
from app.core.home import HomeItem, HomeSection

#: The order in which a user's roles are named on the home page.
ROLE_ORDER = (Role.RESIDENT, Role.DEPUTY, Role.SECRETARY, Role.HANDLER)


def home_context(user) -> dict[str, Any]:
    """What the home page says about the user's own account: household, requests, roles."""
    if not user.is_authenticated:
        return {}
    role_summary = []
    for community in communities_where(user, ROLE_ORDER):
        roles = roles_in(user, community)
        role_summary.append((community, [r for r in ROLE_ORDER if r in roles]))
    return {
        "household": user.household,
        "pending_memberships": [m for m in user.memberships if m.is_pending],
        "role_summary": role_summary,
    }


def membership_requests(user) -> list[HomeSection]:
    """A secretary sees how many residents wait for approval in each community."""
    items = []
    communities = communities_where(user, [Role.SECRETARY])
    pending = pending_counts([c.id for c in communities])
    for community in communities:
        waiting = pending.get(community.id, 0)
        if waiting:
            items.append(
                HomeItem(
                    text=ngettext(
                        "%(community)s: %(num)d membership request waiting",
                        "%(community)s: %(num)d membership requests waiting",
                        waiting,
                        community=community.name,
                    ),
                    link=url_for("accounts.membership_requests", community_id=community.id),
                    badge=_("To do"),
                    badge_kind="warn",
                )
            )
        items.append(
            HomeItem(
                text=_("%(community)s: secretary's page", community=community.name),
                link=url_for("org.community", community_id=community.id),
            )
        )
    return [HomeSection(title=_("Your community work"), items=items, priority=50)] if items else []


def admin_tools(user) -> list[HomeSection]:
    """An admin sees the organisation and appointment pages."""
    if not is_admin(user):
        return []
    return [
        HomeSection(
            title=_("Subdistrict administration"),
            priority=40,
            items=[
                HomeItem(
                    text=_("Organisation: communities, buildings, stations, bodies"),
                    link=url_for("org.admin_org"),
                ),
                HomeItem(text=_("Roles and appointments"), link=url_for("accounts.roles")),
                HomeItem(
                    text=_("A reset code for someone who cannot log in"),
                    link=url_for("accounts.admin_reset_code"),
                ),
                HomeItem(text=_("Audit log"), link=url_for("accounts.audit_all")),
            ],
        )
    ]


def community_tools(user, community) -> list[HomeItem]:
    """The secretary's pages (and the audit log for admins) on a community's front page."""
    items = []
    if can_approve_memberships(user, community):
        items.append(
            HomeItem(
                _("Membership requests"),
                url_for("accounts.membership_requests", community_id=community.id),
            )
        )
    if can_view_members(user, community):
        items.append(
            HomeItem(_("Residents"), url_for("accounts.members", community_id=community.id))
        )
    if can_print_invitations(user, community):
        items.append(
            HomeItem(
                _("Print household codes"),
                url_for("accounts.invitations", community_id=community.id),
            )
        )
    if can_read_audit(user, community):
        items.append(
            HomeItem(_("Audit log"), url_for("accounts.audit_log", community_id=community.id))
        )
    return items
