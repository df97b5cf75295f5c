"""Reads that several hearings pages share."""

import re

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app.core.time import local_today, to_local, utcnow
from app.extensions import db
from app.hearings.models import (
    AWAITING_ANSWER,
    HearingSession,
    Registration,
    RegistrationStatus,
    SessionKind,
    SessionStatus,
    Suggestion,
    SuggestionStatus,
)
from app.hearings.stats import BodyStats, Record, body_stats
from app.org.models import Body, Community

#: What a row of a suggestion table shows, loaded up front instead of once per row.
SUGGESTION_ROW = (
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


def sessions_of_community(
    community: Community,
) -> tuple[list[HearingSession], list[HearingSession]]:
    """(upcoming, past) sessions of a community, including receptions of the stations serving it."""
    station_ids = [s.id for s in community.stations]
    rows = db.session.scalars(
        select(HearingSession)
        .where(
            or_(
                HearingSession.community_id == community.id,
                (HearingSession.community_id.is_(None))
                & HearingSession.station_id.in_(station_ids),
            )
        )
        .options(selectinload(HearingSession.registrations))
        .order_by(HearingSession.starts_at)
    ).all()
    return _split(rows)


def sessions_of_station(station_id: int) -> tuple[list[HearingSession], list[HearingSession]]:
    rows = db.session.scalars(
        select(HearingSession)
        .where(HearingSession.station_id == station_id)
        .options(selectinload(HearingSession.registrations))
        .order_by(HearingSession.starts_at)
    ).all()
    return _split(rows)


def _split(rows) -> tuple[list[HearingSession], list[HearingSession]]:
    now = utcnow()
    upcoming = [s for s in rows if s.ends_at >= now and s.status == SessionStatus.SCHEDULED]
    past = [s for s in rows if s not in upcoming]
    past.sort(key=lambda s: s.starts_at, reverse=True)
    return upcoming, past


def board_query(
    community_id: int,
    *,
    status: str = "",
    body_id: int | None = None,
    category: str = "",
    overdue: bool = False,
):
    stmt = (
        select(Suggestion).where(Suggestion.community_id == community_id).options(*SUGGESTION_ROW)
    )
    if status:
        stmt = stmt.where(Suggestion.status == SuggestionStatus(status))
    if body_id:
        stmt = stmt.where(Suggestion.body_id == body_id)
    if category:
        stmt = stmt.where(Suggestion.category == category)
    if overdue:
        stmt = stmt.where(
            Suggestion.status.in_(AWAITING_ANSWER), Suggestion.due_date < local_today()
        )
    return stmt.order_by(Suggestion.submitted_at.desc(), Suggestion.id.desc())


def record_of(s: Suggestion) -> Record:
    return Record(
        accepted=to_local(s.accepted_at).date(),
        due=s.due_date,
        first_answered=to_local(s.first_answered_at).date() if s.first_answered_at else None,
        rating=s.rating.value if s.rating else None,
        open=s.status in AWAITING_ANSWER,
    )


def stats_by_body(community: Community) -> list[tuple[Body, BodyStats]]:
    """Statistics of every body that received suggestions of the community."""
    rows = db.session.scalars(
        select(Suggestion).where(
            Suggestion.community_id == community.id,
            Suggestion.accepted_at.is_not(None),
            Suggestion.body_id.is_not(None),
        )
    ).all()
    by_body: dict[int, list[Suggestion]] = {}
    for s in rows:
        by_body.setdefault(s.body_id, []).append(s)
    bodies = {b.id: b for b in db.session.scalars(select(Body).where(Body.id.in_(list(by_body))))}
    today = local_today()
    out = [
        (bodies[bid], body_stats([record_of(s) for s in items], today))
        for bid, items in by_body.items()
    ]
    out.sort(key=lambda pair: (pair[0].kind.value, pair[0].name))
    return out


def bodies_serving(community: Community) -> list[Body]:
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


def upcoming_registrations(user) -> list[Registration]:
    return list(
        db.session.scalars(
            select(Registration)
            .join(HearingSession)
            .where(
                Registration.user_id == user.id,
                Registration.status != RegistrationStatus.CANCELLED,
                HearingSession.ends_at >= utcnow(),
            )
            .order_by(HearingSession.starts_at)
        )
    )


def receptions_of_deputy(user_id: int) -> list[HearingSession]:
    return list(
        db.session.scalars(
            select(HearingSession)
            .where(HearingSession.kind == SessionKind.RECEPTION, HearingSession.host_id == user_id)
            .options(selectinload(HearingSession.registrations))
            .order_by(HearingSession.starts_at.desc())
        )
    )
