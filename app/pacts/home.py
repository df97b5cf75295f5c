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
    for community in communities_where(user, [Role.RESIDENT]):
        for pact in q.pacts_of_community(community.id, include_drafts=False):
            if pact.consultation_is_open():
                days = pact.days_remaining()
                items.append(
                    HomeItem(
                        text=_(
                            "Consultation on “%(title)s” (%(community)s)",
                            title=pact.title,
                            community=community.name,
                        ),
                        link=url_for("pacts.show", pact_id=pact.id),
                        badge=_("%(days)d days left", days=days) if days is not None else "",
                        badge_kind="info",
                    )
                )
    return items


def _waiting_for_answers(user) -> list[HomeItem]:
    work = []
    for community in communities_where(user, [Role.SECRETARY]):
        secretaries = q.secretary_ids(community.id)
        reported = [r.comment.pact_id for r in q.open_reports(community.id)]
        for pact in q.pacts_of_community(community.id, include_drafts=False):
            if not pact.takes_answers:
                continue
            amendments = len(q.open_amendments(pact))
            comments = sum(n for _clause, n in q.unanswered_threads(pact, secretaries))
            reports = reported.count(pact.id)
            if amendments or comments or reports:
                work.append(
                    HomeItem(
                        text=_(
                            "“%(title)s” — amendments to answer: %(amendments)d, comments to answer: "
                            "%(comments)d, reported comments: %(reports)d",
                            title=pact.title,
                            amendments=amendments,
                            comments=comments,
                            reports=reports,
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
