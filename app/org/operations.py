"""Every write about the organisation; each checks that its actor may manage it."""

import re
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import audit
from app.core.errors import Conflict, NotAllowed, NotFound
from app.core.time import utcnow
from app.core.workdays import CalendarDay
from app.extensions import db
from app.org.models import (
    Body,
    BodyKind,
    Building,
    Community,
    CommunityKind,
    Household,
    Station,
    Subdistrict,
)
from app.org.permissions import can_manage_org
from app.org.queries import community_named, subdistrict_named


def _check(actor: Any) -> None:
    if not can_manage_org(actor):
        raise NotAllowed()


def create_subdistrict(name: str, actor: Any) -> Subdistrict:
    """Add a subdistrict; its name is unique."""
    _check(actor)
    if subdistrict_named(name) is not None:
        raise Conflict(_l("A subdistrict with this name exists already."))
    subdistrict = Subdistrict(name=name.strip())
    db.session.add(subdistrict)
    db.session.flush()
    audit.record("subdistrict.create", subdistrict, actor=actor, detail=subdistrict.name)
    return subdistrict


def save_community(
    community: Community | None,
    *,
    subdistrict_id: int,
    name: str,
    kind: str,
    address: str = "",
    actor: Any,
) -> Community:
    """Create a community, or update one; names are unique within a subdistrict."""
    _check(actor)
    duplicate = community_named(subdistrict_id, name)
    if duplicate is not None and duplicate is not community:
        raise Conflict(_l("This subdistrict has a community with this name already."))
    created = community is None
    if community is None:
        community = Community()
        db.session.add(community)
    community.subdistrict_id = subdistrict_id
    community.name = name.strip()
    community.kind = CommunityKind(kind)
    community.address = address.strip()
    db.session.flush()
    audit.record(
        "community.create" if created else "community.update",
        community,
        community=community,
        actor=actor,
        detail=community.name,
    )
    return community


def _sort_key(name: str) -> int:
    match = re.search(r"\d+", name)
    return int(match.group()) if match else 0


def add_building(
    community: Community,
    name: str,
    unit: str = "",
    numbers: list[str] | None = None,
    *,
    actor: Any,
) -> Building:
    """Add a building (or find it) and the households numbered in `numbers`."""
    _check(actor)
    building = db.session.scalar(
        select(Building).where(
            Building.community_id == community.id,
            Building.name == name.strip(),
            Building.unit == unit.strip(),
        )
    )
    if building is None:
        building = Building(
            community_id=community.id,
            name=name.strip(),
            unit=unit.strip(),
            sort_key=_sort_key(name),
        )
        db.session.add(building)
        db.session.flush()
    existing = {h.number for h in building.households}
    added = 0
    for number in numbers or []:
        if number not in existing:
            db.session.add(Household(building_id=building.id, number=number))
            existing.add(number)
            added += 1
    db.session.flush()
    db.session.refresh(building)
    audit.record(
        "building.save",
        building,
        community=community,
        actor=actor,
        detail=f"{building.label}: {added} households added",
    )
    return building


def save_station(
    station: Station | None,
    *,
    subdistrict_id: int,
    name: str,
    address: str,
    communities: list[Community],
    actor: Any,
) -> Station:
    """Create or update a liaison station and the communities it serves."""
    _check(actor)
    created = station is None
    if station is None:
        station = Station()
        db.session.add(station)
    station.subdistrict_id = subdistrict_id
    station.name = name.strip()
    station.address = address.strip()
    station.communities = communities
    db.session.flush()
    audit.record(
        "station.create" if created else "station.update", station, actor=actor, detail=station.name
    )
    return station


def save_body(
    body: Body | None,
    *,
    subdistrict_id: int,
    kind: str,
    community_id: int | None,
    name: str,
    contact: str = "",
    actor: Any,
) -> Body:
    """Create or update a responsible body."""
    _check(actor)
    created = body is None
    if body is None:
        body = Body()
        db.session.add(body)
    body.subdistrict_id = subdistrict_id
    body.kind = BodyKind(kind)
    body.community_id = community_id or None
    body.name = name.strip()
    body.contact = contact.strip()
    db.session.flush()
    audit.record(
        "body.create" if created else "body.update",
        body,
        community=body.community_id,
        actor=actor,
        detail=body.name,
    )
    return body


def set_calendar_day(day: date, working: bool, note: str, *, actor: Any) -> CalendarDay:
    """Set `day` as a working day or a day off, over the official calendar (a new year, a closure)."""
    _check(actor)
    row = db.session.get(CalendarDay, day)
    if row is None:
        row = CalendarDay(day=day, is_working_day=working)
        db.session.add(row)
    row.is_working_day, row.note = working, (note or "").strip()[:200]
    row.set_by_id, row.set_at = actor.id, utcnow()
    db.session.flush()
    audit.record(
        "calendar.set",
        actor=actor,
        detail=f"{day.isoformat()} {'working' if working else 'off'} {row.note}",
    )
    return row


def remove_calendar_day(day: date, *, actor: Any) -> None:
    """Remove the admin's entry for `day`: the official calendar answers again."""
    _check(actor)
    row = db.session.get(CalendarDay, day)
    if row is None:
        raise NotFound()
    db.session.delete(row)
    db.session.flush()
    audit.record("calendar.remove", actor=actor, detail=day.isoformat())
