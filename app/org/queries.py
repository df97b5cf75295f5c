"""Reads about the organisation that several pages share."""

from collections.abc import Sequence
from typing import NamedTuple

from flask import g, has_app_context, render_template
from markupsafe import Markup
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, joinedload

from app.core.fragments import compact, fragment, remember
from app.extensions import db
from app.org.models import Body, Building, Community, Household, Station, Subdistrict
from app.org.revisions import communities_revision


def subdistricts() -> Sequence[Subdistrict]:
    return db.session.scalars(select(Subdistrict).order_by(Subdistrict.name)).all()


def communities() -> Sequence[Community]:
    """Every community with its subdistrict (the home page names both, for each of dozens)."""
    return db.session.scalars(
        select(Community).options(joinedload(Community.subdistrict)).order_by(Community.name)
    ).all()


class CommunityRef(NamedTuple):
    """What the home page's sections need of a community: its id and its name."""

    id: int
    name: str


def _community_refs() -> list[tuple[int, str]]:
    return [
        (row.id, row.name)
        for row in db.session.execute(
            select(Community.id, Community.name).order_by(Community.name, Community.id)
        )
    ]


def communities_once() -> list[CommunityRef]:
    """Every community's id and name, by name: read once per request, and kept in the cache
    under the revision of the list (org/revisions.py), so the home page's sections, which ask
    in which of them the user holds a role, cost no statement. A flush that changes a community
    or a subdistrict forgets them (`_forget_communities`)."""
    if has_app_context() and "_communities" in g:
        return g._communities
    revision = communities_revision()
    rows = remember("communities", [revision], _community_refs) if revision else _community_refs()
    refs = [CommunityRef(*row) for row in rows]
    if has_app_context():
        g._communities = refs
    return refs


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
    """The home page lists every community, for visitors and residents alike: rendered once
    per revision of the list, in each language."""
    revision = communities_revision()

    def render() -> str:
        return render_template("org/_home_communities.html", communities=communities())

    if revision:
        section = fragment("home-communities", [revision], render)
    else:
        section = Markup(compact(render()))  # noqa: S704 - our own rendered template
    return {"communities_section": section}
