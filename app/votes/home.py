"""What the votes domain adds to the home page: ballots waiting, votes to close or certify."""

from flask import url_for
from flask_babel import gettext as _

from app.accounts.models import Role
from app.accounts.permissions import communities_where
from app.core.dates import show_datetime
from app.core.home import HomeItem, HomeSection
from app.core.time import utcnow
from app.votes import queries


def home_sections(user) -> list[HomeSection]:
    """Votes waiting for the user's ballot; for a secretary, votes to close or certify."""
    if not user.is_authenticated:
        return []
    sections = []
    waiting = queries.open_votes_awaiting(user)
    if waiting:
        sections.append(
            HomeSection(
                title=_("Votes waiting for your ballot"),
                priority=20,
                items=[
                    HomeItem(
                        text=v.title,
                        link=url_for("votes.ballot", vote_id=v.id),
                        badge=_("closes %(when)s", when=show_datetime(v.closes_at)),
                        badge_kind="info",
                    )
                    for v in waiting
                ],
            )
        )
    communities = communities_where(user, [Role.SECRETARY])
    if communities:
        now = utcnow()
        items = []
        for v in queries.votes_to_close_or_certify([c.id for c in communities]):
            if v.is_closed:
                badge = _("to certify")
            elif v.closes_at <= now:
                badge = _("to close")
            else:
                continue
            items.append(
                HomeItem(
                    text=v.title,
                    link=url_for("votes.vote_page", vote_id=v.id),
                    badge=badge,
                    badge_kind="warn",
                )
            )
        if items:
            sections.append(
                HomeSection(title=_("Votes to close or certify"), items=items, priority=15)
            )
    return sections
