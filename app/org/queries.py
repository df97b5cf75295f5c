"""Reads about the organisation that several pages share."""

from collections.abc import Sequence

from flask import g, has_app_context
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, joinedload

from app.extensions import db
from app.org.models import Body, Building, Community, Household, Station, Subdistrict


def subdistricts() -> Sequence[Subdistrict]:
    return db.session.scalars(select(Subdistrict).order_by(Subdistrict.name)).all()


def communities() -> Sequence[Community]:
    """Every community with its subdistrict (the home page names both, for each of dozens)."""
    return db.session.scalars(
        select(Community).options(joinedload(Community.subdistrict)).order_by(Community.name)
    ).all()


def communities_once() -> Sequence[Community]:
    """`communities()` read once per request: the home page lists them and each of its sections
    asks in which of them the user holds a role. A flush that changes a community or a
    subdistrict forgets them (`_forget_communities`)."""
    if not has_app_context():
        return communities()
    if "_communities" not in g:
        g._communities = communities()
    return g._communities


def _forget_communities(session, _flush_context=None) -> None:
    changed = list(session.new) + list(session.dirty) + list(session.deleted)
    if has_app_context() and any(isinstance(o, Community | Subdistrict) for o in changed):
        g.pop("_communities", None)


def connect() -> None:
    """Install `_forget_communities` once per process (every app shares SQLAlchemy's Session)."""
    if not event.contains(Session, "after_flush", _forget_communities):
        event.listen(Session, "after_flush", _forget_communities)


def stations() -> Sequence[Station]:
    return db.session.scalars(select(Station).order_by(Station.name)).all()


def bodies() -> Sequence[Body]:
    return db.session.scalars(select(Body).order_by(Body.name)).all()


def buildings_for_joining() -> Sequence[Building]:
    """Every building, by community, for the "join a household" form."""
    return db.session.scalars(
        select(Building).join(Community).order_by(Community.name, Building.sort_key, Building.name)
    ).all()


def household_count(community: Community) -> int:
    return (
        db.session.scalar(
            select(func.count(Household.id))
            .join(Building)
            .where(Building.community_id == community.id)
        )
        or 0
    )


def household_by_number(building_id: int, number: str) -> Household | None:
    return db.session.scalar(
        select(Household).where(
            Household.building_id == building_id, Household.number == number.strip()
        )
    )


def subdistrict_named(name: str) -> Subdistrict | None:
    return db.session.scalar(select(Subdistrict).where(Subdistrict.name == name.strip()))


def community_named(subdistrict_id: int, name: str) -> Community | None:
    return db.session.scalar(
        select(Community).where(
            Community.subdistrict_id == subdistrict_id, Community.name == name.strip()
        )
    )


def home_context(_user) -> dict:
    """The home page lists every community, for visitors and residents alike."""
    return {"communities": communities_once()}
