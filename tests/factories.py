"""Callable factories for tests: each makes what it needs and commits it, as a user would find it.

community = make_community()
resident = make_user(role="resident", community=community)
secretary = make_user(role="secretary", community=community)
"""

import itertools

from app.accounts.models import (
    Consent,
    Membership,
    MembershipStatus,
    Role,
    RoleAssignment,
    User,
)
from app.accounts.permissions import clear_cache
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

PASSWORD = "correct-horse-42"
_seq = itertools.count(1)


def _n() -> int:
    return next(_seq)


def subdistrict(name: str | None = None) -> Subdistrict:
    obj = Subdistrict(name=name or f"街道{_n()}")
    db.session.add(obj)
    db.session.commit()
    return obj


def community(
    name: str | None = None, kind=CommunityKind.COMMERCIAL, subdistrict_=None
) -> Community:
    sub = subdistrict_ or subdistrict()
    obj = Community(subdistrict_id=sub.id, name=name or f"社区{_n()}", kind=kind)
    db.session.add(obj)
    db.session.commit()
    return obj


def building(
    community_: Community | None = None, name: str | None = None, households: int = 0
) -> Building:
    community_ = community_ or community()
    number = _n()
    obj = Building(community_id=community_.id, name=name or f"{number}号楼", sort_key=number)
    db.session.add(obj)
    db.session.flush()
    for i in range(households):
        db.session.add(Household(building_id=obj.id, number=f"{101 + i}"))
    db.session.flush()
    db.session.refresh(obj)
    return obj


def household(
    building_: Building | None = None,
    community_: Community | None = None,
    number: str | None = None,
) -> Household:
    building_ = building_ or building(community_)
    obj = Household(building_id=building_.id, number=number or str(100 + _n()))
    db.session.add(obj)
    db.session.commit()
    return obj


def station(communities: list[Community], name: str | None = None) -> Station:
    obj = Station(subdistrict_id=communities[0].subdistrict_id, name=name or f"联络站{_n()}")
    obj.communities = list(communities)
    db.session.add(obj)
    db.session.commit()
    return obj


def body(
    community_: Community | None,
    kind: BodyKind = BodyKind.PROPERTY_COMPANY,
    name: str | None = None,
    subdistrict_: Subdistrict | None = None,
) -> Body:
    sub_id = subdistrict_.id if subdistrict_ else community_.subdistrict_id
    obj = Body(
        subdistrict_id=sub_id,
        community_id=community_.id if community_ and kind != BodyKind.SUBDISTRICT_OFFICE else None,
        kind=kind,
        name=name or f"{kind.value}{_n()}",
    )
    db.session.add(obj)
    db.session.commit()
    return obj


def user(
    role: str | Role | None = None,
    community: Community | None = None,
    *,
    name: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    password: str = PASSWORD,
    household: Household | None = None,
    building: Building | None = None,
    station: Station | None = None,
    body: Body | None = None,
) -> User:
    """A user with a role: resident (of `household`, or a new one in `building`/`community`),
    secretary (of `community`), deputy (of `station`, or a new station serving `community`),
    handler (of `body`, or a new property company of `community`), admin, or none."""
    n = _n()
    obj = User(display_name=name or f"测试{n}", phone=phone or f"137{n:08d}", email=email)
    obj.set_password(password)
    db.session.add(obj)
    db.session.flush()
    db.session.add(Consent(user_id=obj.id, notice_version="2026-11"))
    role = Role(role) if role else None
    if role == Role.RESIDENT:
        if household is None:
            household = globals()["household"](building_=building, community_=community)
        db.session.add(
            Membership(
                user_id=obj.id,
                household_id=household.id,
                status=MembershipStatus.ACTIVE,
                via="code",
            )
        )
    elif role == Role.SECRETARY:
        db.session.add(
            RoleAssignment(
                user_id=obj.id,
                role=Role.SECRETARY,
                community_id=(community or globals()["community"]()).id,
            )
        )
    elif role == Role.DEPUTY:
        if station is None:
            station = globals()["station"]([community or globals()["community"]()])
        db.session.add(RoleAssignment(user_id=obj.id, role=Role.DEPUTY, station_id=station.id))
    elif role == Role.HANDLER:
        if body is None:
            body = globals()["body"](community or globals()["community"]())
        db.session.add(RoleAssignment(user_id=obj.id, role=Role.HANDLER, body_id=body.id))
    elif role == Role.ADMIN:
        db.session.add(RoleAssignment(user_id=obj.id, role=Role.ADMIN))
    db.session.commit()
    clear_cache_safely()
    return obj


def clear_cache_safely() -> None:
    from flask import has_app_context

    if has_app_context():
        clear_cache()


def login_as(client, user: User):
    """Log the test client in as `user` by writing Flask-Login's session keys."""
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    return client


def logout(client):
    with client.session_transaction() as session:
        session.clear()
    return client


def zh(message: str, **params) -> str:
    """`message` as the Chinese interface shows it; fails if it has no Chinese translation."""
    from flask_babel import force_locale, gettext

    with force_locale("zh_Hans_CN"):
        translated = gettext(message, **params)
    assert translated != (message % params if params else message), (
        f"no Chinese translation for {message!r}"
    )
    return translated
