"""Every write about the organisation."""

import re

from sqlalchemy import select

from app.core import audit
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


def create_subdistrict(name: str, actor=None) -> Subdistrict:
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
    actor=None,
) -> Community:
    """Create a community, or update one."""
    created = community is None
    if created:
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
    community: Community, name: str, unit: str = "", numbers: list[str] | None = None, actor=None
) -> Building:
    """Add a building (or find it) and the households numbered in `numbers`."""
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
    actor=None,
) -> Station:
    created = station is None
    if created:
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
    actor=None,
) -> Body:
    created = body is None
    if created:
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
