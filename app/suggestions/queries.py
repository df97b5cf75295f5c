"""Reads of suggestions that several pages (and the hearings domain) share."""

import re
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from app.accounts.models import Role, RoleAssignment, User
from app.core.time import local_today, next_local_midnight, to_local, utcnow
from app.core.workdays import overdue_cutoff
from app.extensions import db
from app.org.models import Body, Community
from app.suggestions.models import (
    AWAITING_ANSWER,
    DEFAULT_DUE_WORKING_DAYS,
    Category,
    CategoryTimeLimit,
    Suggestion,
    SuggestionEvent,
    SuggestionStatus,
)
from app.suggestions.stats import BodyStats, Record, body_stats


def suggestion_row():
    """What a row of a suggestion table shows, loaded up front instead of once per row.

    A function, not a constant: building the options configures the mappers, which must wait
    until every domain's models are imported (the hearings' session is named by string).
    """
    return (
        selectinload(Suggestion.body),
        selectinload(Suggestion.building),
        selectinload(Suggestion.community),
    )


def normalise_number(raw: str) -> str | None:
    """A typed tracking number in canonical form (`s-2026-123` → `S-2026-000123`), or None if malformed."""
    text = (raw or "").strip().upper().replace(" ", "").replace("—", "-").replace("－", "-")
    m = re.fullmatch(r"S-?(\d{4})-?(\d{1,6})", text)
    if not m:
        return None
    return f"S-{m.group(1)}-{int(m.group(2)):06d}"


def suggestion_by_number(number: str) -> Suggestion | None:
    return db.session.scalar(select(Suggestion).where(Suggestion.number == number))


def _rows(stmt) -> list[Suggestion]:
    return list(db.session.scalars(stmt.options(*suggestion_row())))


def suggestions_of_session(session_id: int) -> list[Suggestion]:
    """The suggestions recorded at a session or reception, oldest first."""
    return _rows(
        select(Suggestion).where(Suggestion.session_id == session_id).order_by(Suggestion.id)
    )


def suggestions_of_station(station_id: int, limit: int = 50) -> list[Suggestion]:
    """The latest suggestions a liaison station received."""
    return _rows(
        select(Suggestion)
        .where(Suggestion.station_id == station_id)
        .order_by(Suggestion.submitted_at.desc())
        .limit(limit)
    )


def suggestions_recorded_by(user_id: int) -> list[Suggestion]:
    """What a deputy (or secretary) recorded for residents, newest first."""
    return _rows(
        select(Suggestion)
        .where(Suggestion.recorded_by_id == user_id)
        .order_by(Suggestion.submitted_at.desc())
    )


def suggestions_submitted_by(user_id: int) -> list[Suggestion]:
    """A resident's own suggestions, newest first."""
    return _rows(
        select(Suggestion)
        .where(Suggestion.submitter_id == user_id)
        .order_by(Suggestion.submitted_at.desc())
    )


def board_query(
    community_id: int,
    *,
    status: str = "",
    body_id: int | None = None,
    category: str = "",
    overdue: bool = False,
):
    stmt = (
        select(Suggestion).where(Suggestion.community_id == community_id).options(*suggestion_row())
    )
    if status:
        stmt = stmt.where(Suggestion.status == SuggestionStatus(status))
    if body_id:
        stmt = stmt.where(Suggestion.body_id == body_id)
    if category:
        stmt = stmt.where(Suggestion.category == category)
    if overdue:
        stmt = stmt.where(
            Suggestion.status.in_(AWAITING_ANSWER), Suggestion.due_date < overdue_cutoff()
        )
    return stmt.order_by(Suggestion.submitted_at.desc(), Suggestion.id.desc())


def record_of(s: Suggestion, escalations: int = 0) -> Record:
    """What the statistics need of an accepted suggestion."""
    accepted = s.accepted_at or s.submitted_at
    return Record(
        accepted=to_local(accepted).date(),
        due=s.due_date,
        first_answered=to_local(s.first_answered_at).date() if s.first_answered_at else None,
        rating=s.rating.value if s.rating else None,
        open=s.status in AWAITING_ANSWER,
        escalations=escalations,
    )


#: The board's per-body figures cover the suggestions accepted in this period.
STATS_PERIOD = timedelta(days=365)


def stats_by_body(community: Community) -> list[tuple[Body, BodyStats]]:
    """Statistics of every body that received suggestions of the community in the last 12 months."""
    return stats_by_body_until(community)[0]


def stats_by_body_until(community: Community) -> tuple[list[tuple[Body, BodyStats]], datetime]:
    """`stats_by_body`, and the moment (naive UTC) the figures stop being true without a write:
    the next local midnight (overdue counts), or earlier when a suggestion leaves the 12 months."""
    now = utcnow()
    since = now - STATS_PERIOD
    rows = db.session.scalars(
        select(Suggestion).where(
            Suggestion.community_id == community.id,
            Suggestion.accepted_at.is_not(None),
            Suggestion.accepted_at >= since,
            Suggestion.body_id.is_not(None),
        )
    ).all()
    escalations = (
        dict(
            db.session.execute(
                select(SuggestionEvent.suggestion_id, func.count(SuggestionEvent.id))
                .where(
                    SuggestionEvent.suggestion_id.in_([s.id for s in rows]),
                    SuggestionEvent.kind.in_(("escalated", "escalated_by_hand")),
                )
                .group_by(SuggestionEvent.suggestion_id)
            ).all()
        )
        if rows
        else {}
    )
    by_body: dict[int, list[Suggestion]] = {}
    for s in rows:
        if s.body_id is not None:
            by_body.setdefault(s.body_id, []).append(s)
    bodies = (
        {b.id: b for b in db.session.scalars(select(Body).where(Body.id.in_(list(by_body))))}
        if by_body
        else {}
    )
    # Overdue counts statutory working days, as every flag does.
    cutoff = overdue_cutoff()
    out = [
        (bodies[bid], body_stats([record_of(s, escalations.get(s.id, 0)) for s in items], cutoff))
        for bid, items in by_body.items()
    ]
    out.sort(key=lambda pair: (pair[0].kind.value, pair[0].name))
    leaves = [s.accepted_at + STATS_PERIOD for s in rows if s.accepted_at is not None]
    return out, min([next_local_midnight(), *leaves])


def bodies_serving(community: Community) -> list[Body]:
    """The bodies that may answer the community's suggestions (its own and the subdistrict's)."""
    rows = db.session.scalars(
        select(Body)
        .where(
            or_(
                Body.community_id == community.id,
                (Body.community_id.is_(None)) & (Body.subdistrict_id == community.subdistrict_id),
            )
        )
        .order_by(Body.kind, Body.name)
    ).all()
    return list(rows)


def ledger_suggestions(community_id: int, since, until) -> list[Suggestion]:
    """A community's suggestions submitted in [since, until] (naive UTC), for the ledger."""
    return _rows(
        select(Suggestion)
        .where(
            Suggestion.community_id == community_id,
            Suggestion.submitted_at >= since,
            Suggestion.submitted_at <= until,
        )
        .order_by(Suggestion.submitted_at)
    )


def time_limit_for(community_id: int, category: Category) -> int:
    """Working days a body has to answer a suggestion of `category` in the community."""
    days = db.session.scalar(
        select(CategoryTimeLimit.working_days).where(
            CategoryTimeLimit.community_id == community_id, CategoryTimeLimit.category == category
        )
    )
    return days or DEFAULT_DUE_WORKING_DAYS


def time_limits_of(community_id: int) -> dict[Category, int]:
    """Every category's time limit in the community (the default where none is set)."""
    rows = db.session.execute(
        select(CategoryTimeLimit.category, CategoryTimeLimit.working_days).where(
            CategoryTimeLimit.community_id == community_id
        )
    ).all()
    own = {category: days for category, days in rows}
    return {c: own.get(c, DEFAULT_DUE_WORKING_DAYS) for c in Category}


def admins() -> list[User]:
    """The subdistrict's administrators (told of every escalation)."""
    return list(
        db.session.scalars(
            select(User)
            .join(RoleAssignment, RoleAssignment.user_id == User.id)
            .where(RoleAssignment.role == Role.ADMIN, User.deleted_at.is_(None))
            .order_by(User.id)
        )
    )


def awaiting_return_visit(community_id: int | list[int], today=None) -> list[Suggestion]:
    """Answered suggestions whose submitter did not rate in time (or cannot): the return-visit
    list of one community, or of several in one query."""
    today = today or local_today()
    ids = community_id if isinstance(community_id, list) else [community_id]
    rows = _rows(
        select(Suggestion)
        .where(
            Suggestion.community_id.in_(ids),
            Suggestion.status == SuggestionStatus.ANSWERED,
            Suggestion.rating.is_(None),
        )
        .order_by(Suggestion.answered_at)
    )
    return [s for s in rows if s.needs_return_visit(today)]
