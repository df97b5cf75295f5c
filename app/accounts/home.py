"""Home-page sections about accounts: requests to decide, the admin's tools."""

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from app.accounts.models import Role
from app.accounts.permissions import communities_where
from app.accounts.queries import pending_requests
from app.core.home import HomeItem, HomeSection


def membership_requests(user) -> list[HomeSection]:
    """A secretary sees how many residents wait for approval in each community."""
    items = []
    for community in communities_where(user, [Role.SECRETARY]):
        waiting = len(pending_requests(community))
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
    if not user.is_admin:
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
                HomeItem(text=_("Audit log"), link=url_for("core.audit_all")),
            ],
        )
    ]
