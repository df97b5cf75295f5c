"""Links to the reports on a community's page and on the admin's home page."""

from flask import url_for
from flask_babel import gettext as _

from app.core.home import HomeItem, HomeSection
from app.reports import permissions
from app.reports.queries import subdistricts


def community_tools(user, community) -> list[HomeItem]:
    """The ledger for its secretary and admins, the complete export for its secretary, open data for all."""
    items = []
    if permissions.can_view_ledger(user, community):
        items.append(HomeItem(_("Ledger"), url_for("reports.ledger", community_id=community.id)))
    if permissions.can_export_all(user, community):
        items.append(
            HomeItem(
                _("Download all of the community's data"),
                url_for("reports.export_all", community_id=community.id),
            )
        )
    items.append(HomeItem(_("Open data"), url_for("reports.open_data", community_id=community.id)))
    return items


def admin_sections(user) -> list[HomeSection]:
    """The admin compares the communities of each subdistrict."""
    if not permissions.can_view_rollup(user):
        return []
    return [
        HomeSection(
            title=_("Reports"),
            priority=45,
            items=[
                HomeItem(
                    _("Communities side by side: %(name)s", name=s.name),
                    url_for("reports.rollup", subdistrict_id=s.id),
                )
                for s in subdistricts()
            ],
        )
    ]
