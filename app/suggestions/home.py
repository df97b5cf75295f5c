"""What the home page shows each role about suggestions."""

import functools

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import Integer, bindparam, select
from sqlalchemy.orm import load_only

from app.accounts.models import Role
from app.accounts.permissions import body_ids_handled_by, communities_where
from app.core.dates import show_date
from app.core.home import HomeItem, HomeSection
from app.core.time import local_today
from app.core.workdays import overdue_cutoff
from app.extensions import db
from app.org.models import Body
from app.suggestions.models import AWAITING_ANSWER, Suggestion, SuggestionStatus
from app.suggestions.queries import awaiting_return_visit


def _link(s: Suggestion) -> str:
    return url_for("suggestions.suggestion", number=s.number)


def secretary_sections(user) -> list[HomeSection]:
    """Overdue and new suggestions of the communities the user runs."""
    communities = communities_where(user, [Role.SECRETARY])
    if not communities:
        return []
    ids = [c.id for c in communities]
    today = local_today()
    overdue = db.session.scalars(
        select(Suggestion)
        .where(
            Suggestion.community_id.in_(ids),
            Suggestion.status.in_(AWAITING_ANSWER),
            Suggestion.due_date < overdue_cutoff(today),
        )
        .order_by(Suggestion.due_date)
        .limit(10)
    ).all()
    new = db.session.scalars(
        select(Suggestion)
        .where(Suggestion.community_id.in_(ids), Suggestion.status == SuggestionStatus.SUBMITTED)
        .order_by(Suggestion.submitted_at)
        .limit(10)
    ).all()
    first = communities[0]
    sections = []
    if overdue:
        sections.append(
            HomeSection(
                title=_("Overdue suggestions"),
                priority=30,
                items=[
                    HomeItem(
                        f"{s.number} · {s.summary}",
                        _link(s),
                        ngettext(
                            "%(num)d day late",
                            "%(num)d days late",
                            (today - s.due_date).days if s.due_date else 0,
                        ),
                        "danger",
                    )
                    for s in overdue
                ],
                more_link=url_for("suggestions.board", community_id=first.id, overdue=1),
                more_label=_("All overdue"),
            )
        )
    visits = awaiting_return_visit(ids, today)[:10]
    if visits:
        sections.append(
            HomeSection(
                title=_("Suggestions awaiting a return visit (回访)"),
                priority=22,
                items=[
                    HomeItem(f"{s.number} · {s.summary}", _link(s), _("Not rated"), "warn")
                    for s in visits
                ],
                more_link=url_for("suggestions.return_visits", community_id=first.id),
                more_label=_("All return visits"),
            )
        )
    if new:
        sections.append(
            HomeSection(
                title=_("New suggestions to accept and route"),
                priority=20,
                items=[
                    HomeItem(f"{s.number} · {s.summary}", _link(s), s.category.label, "info")
                    for s in new
                ],
                more_link=url_for("suggestions.board", community_id=first.id, status="submitted"),
                more_label=_("All new"),
            )
        )
    return sections


def handler_sections(user) -> list[HomeSection]:
    """Suggestions routed to the user's bodies that await an answer."""
    body_ids = body_ids_handled_by(user)
    if not body_ids:
        return []
    rows = db.session.scalars(
        select(Suggestion)
        .where(Suggestion.body_id.in_(body_ids), Suggestion.status.in_(AWAITING_ANSWER))
        .order_by(Suggestion.due_date)
        .limit(20)
    ).all()
    items = []
    for s in rows:
        if s.is_overdue:
            badge, kind = _("Overdue"), "danger"
        elif s.status == SuggestionStatus.REOPENED:
            badge, kind = _("Reopened"), "warn"
        else:
            badge, kind = (
                _("Due %(date)s", date=show_date(s.due_date) if s.due_date else "—"),
                "info",
            )
        items.append(HomeItem(f"{s.number} · {s.summary}", _link(s), badge, kind))
    # The list stops at 20: point to the body's full list on its community's board.
    body = db.session.get(Body, body_ids[0])
    more = {}
    if body is not None and body.community_id is not None:
        more = {
            "more_link": url_for("suggestions.board", community_id=body.community_id, body=body.id),
            "more_label": _("All suggestions of %(body)s", body=body.name),
        }
    return [
        HomeSection(
            title=_("Suggestions awaiting your body's answer"), items=items, priority=25, **more
        )
    ]


def resident_sections(user) -> list[HomeSection]:
    """The way to make a suggestion, and the resident's own suggestions that changed or await a rating."""
    sections = []
    household = user.household
    if household is not None:
        # The way in for a resident: one tap from the home page to the guided suggestion form.
        sections.append(
            HomeSection(
                title=_("A problem in the neighbourhood?"),
                priority=14,
                items=[
                    HomeItem(
                        _("Make a suggestion: we tell you who must answer, and by when"),
                        url_for(
                            "suggestions.new_suggestion",
                            community_id=household.building.community_id,
                        ),
                    )
                ],
            )
        )
    mine = db.session.scalars(_own_open_statement(), {"user_id": user.id}).all()
    if mine:
        items = []
        for s in mine:
            if s.is_answered:
                items.append(
                    HomeItem(
                        f"{s.number} · {s.summary}", _link(s), _("Please rate the answer"), "warn"
                    )
                )
            else:
                items.append(
                    HomeItem(
                        f"{s.number} · {s.summary}", _link(s), str(s.status.label), s.status.badge
                    )
                )
        sections.append(
            HomeSection(
                title=_("My suggestions"),
                items=items,
                priority=15,
                more_link=url_for("hearings.mine"),
                more_label=_("All my suggestions"),
            )
        )
    return sections


@functools.cache
def _own_open_statement():
    """The resident's ten latest suggestions still open, built once (parameter ``user_id``)."""
    return (
        select(Suggestion)
        .where(
            Suggestion.submitter_id == bindparam("user_id", type_=Integer),
            Suggestion.status.not_in([SuggestionStatus.CLOSED, SuggestionStatus.DECLINED]),
        )
        .order_by(Suggestion.submitted_at.desc())
        .limit(10)
        # What the home page lists of each (not the text, the answers' dates, the building).
        .options(
            load_only(
                Suggestion.id,
                Suggestion.number,
                Suggestion.summary,
                Suggestion.status,
                raiseload=True,
            )
        )
    )
