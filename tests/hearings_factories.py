"""Factories for hearings tests: sessions and suggestions made through the real operations."""

from datetime import timedelta

from app.core.time import utcnow
from app.hearings import operations as ops
from app.hearings.models import Category, SessionKind


def session(
    community=None,
    *,
    station=None,
    kind=SessionKind.HEARING,
    capacity=None,
    starts_in=timedelta(days=7),
    title="加装电梯听证会",
    actor=None,
    **kw,
):
    starts = utcnow().replace(microsecond=0) + starts_in
    return ops.create_session(
        kind=kind,
        title=title,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        place="居委会二楼会议室",
        community_id=community.id if community is not None else None,
        station_id=station.id if station is not None else None,
        capacity=capacity,
        actor=actor,
        **kw,
    )


def suggestion(
    community, submitter=None, *, category=Category.LIFT, summary="3号楼电梯经常停运", text="", **kw
):
    return ops.submit_suggestion(
        community_id=community.id,
        category=category,
        summary=summary,
        text=text,
        submitter=submitter,
        **kw,
    )
