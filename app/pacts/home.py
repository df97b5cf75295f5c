"""The pacts sections of the home page: consultations open to a resident, and what waits for
the secretary's answer."""

from flask import url_for
from flask_babel import gettext as _

from app.accounts.models import Role
from app.accounts.permissions import communities_where
from app.core.home import HomeItem, HomeSection
from app.pacts import queries as q


def _open_consultations(user) -> list[HomeItem]:
    items = []
    communities = communities_where(user, [Role.RESIDENT])
    names = {c.id: c.name for c in communities}
    for pact in q.pacts_of_communities(list(names)):
        if pact.consultation_is_open():
            days = pact.days_remaining()
            items.append(
                HomeItem(
                    text=_(
                        "Consultation on “%(title)s” (%(community)s)",
                        title=pact.title,
                        community=names[pact.community_id],
                    ),
                    link=url_for("pacts.show", pact_id=pact.id),
                    badge=_("%(days)d days left", days=days) if days is not None else "",
                    badge_kind="info",
                )
            )
    return items


def _waiting_for_answers(user) -> list[HomeItem]:
    communities = communities_where(user, [Role.SECRETARY])
    pacts = [p for p in q.pacts_of_communities([c.id for c in communities]) if p.takes_answers]
    # Three grouped counts for every pact at once, however many communities the user runs.
    amendments, comments, reports = q.waiting_counts([p.id for p in pacts])
    work = []
    for pact in pacts:
        n_amendments = amendments.get(pact.id, 0)
        n_comments = comments.get(pact.id, 0)
        n_reports = reports.get(pact.id, 0)
        if n_amendments or n_comments or n_reports:
            work.append(
                HomeItem(
                    text=_(
                        "“%(title)s” — amendments to answer: %(amendments)d, comments to answer: "
                        "%(comments)d, reported comments: %(reports)d",
                        title=pact.title,
                        amendments=n_amendments,
                        comments=n_comments,
                        reports=n_reports,
                    ),
                    link=url_for("pacts.show", pact_id=pact.id) + "#to-answer",
                    badge=_("To answer"),
                    badge_kind="warn",
                )
            )
    return work


def home_sections(user) -> list[HomeSection]:
    """Residents are asked for their views; the secretary gets the "waiting for your answer" list."""
    if not user.is_authenticated:
        return []
    sections = []
    items = _open_consultations(user)
    if items:
        sections.append(HomeSection(title=_("Pacts open for your views"), items=items, priority=5))
    work = _waiting_for_answers(user)
    if work:
        sections.append(
            HomeSection(title=_("Pacts: waiting for your answer"), items=work, priority=8)
        )
    return sections
