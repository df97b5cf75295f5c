"""Reads about accounts that several pages share."""

from sqlalchemy import func, select

from app.accounts.forms import normalise_phone
from app.accounts.models import (
    Invitation,
    Membership,
    MembershipStatus,
    Role,
    RoleAssignment,
    User,
)
from app.extensions import db
from app.org.models import Building, Community, Household


def user_by_phone(phone: str) -> User | None:
    return db.session.scalar(select(User).where(User.phone == phone))


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.lower()))


def user_by_identifier(identifier: str) -> User | None:
    """Find a user by phone number or e-mail address, as typed at log-in."""
    identifier = (identifier or "").strip()
    if "@" in identifier:
        return user_by_email(identifier)
    phone = normalise_phone(identifier)
    return user_by_phone(phone) if phone else None


def invitation_by_code(code: str) -> Invitation | None:
    normalised = (code or "").strip().upper().replace(" ", "")
    if normalised and "-" not in normalised and len(normalised) == 8:
        normalised = normalised[:4] + "-" + normalised[4:]
    return db.session.scalar(select(Invitation).where(Invitation.code == normalised))


def pending_requests(community: Community) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership)
            .join(Household, Membership.household_id == Household.id)
            .join(Building, Household.building_id == Building.id)
            .where(
                Building.community_id == community.id, Membership.status == MembershipStatus.PENDING
            )
            .order_by(Membership.requested_at)
        )
    )


def pending_counts(community_ids: list[int]) -> dict[int, int]:
    """community id -> membership requests waiting, for several communities in one query."""
    if not community_ids:
        return {}
    return dict(
        db.session.execute(
            select(Building.community_id, func.count(Membership.id))
            .join(Household, Membership.household_id == Household.id)
            .join(Building, Household.building_id == Building.id)
            .where(
                Building.community_id.in_(community_ids),
                Membership.status == MembershipStatus.PENDING,
            )
            .group_by(Building.community_id)
        ).all()
    )


def community_members(community: Community) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership)
            .join(Household, Membership.household_id == Household.id)
            .join(Building, Household.building_id == Building.id)
            .where(
                Building.community_id == community.id, Membership.status == MembershipStatus.ACTIVE
            )
            .order_by(Building.sort_key, Household.number)
        )
    )


def members_of_community(community_id: int) -> list[User]:
    """Every verified resident of a community (for electorates and notifications)."""
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .join(Household, Membership.household_id == Household.id)
            .join(Building, Household.building_id == Building.id)
            .where(
                Building.community_id == community_id,
                Membership.status == MembershipStatus.ACTIVE,
                User.deleted_at.is_(None),
            )
            .order_by(User.id)
        )
    )


def secretaries_of(community_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(RoleAssignment, RoleAssignment.user_id == User.id)
            .where(
                RoleAssignment.role == Role.SECRETARY, RoleAssignment.community_id == community_id
            )
        )
    )


def deputies_of_station(station_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(RoleAssignment, RoleAssignment.user_id == User.id)
            .where(RoleAssignment.role == Role.DEPUTY, RoleAssignment.station_id == station_id)
            .order_by(User.id)
        )
    )


def handlers_of_body(body_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(RoleAssignment, RoleAssignment.user_id == User.id)
            .where(RoleAssignment.role == Role.HANDLER, RoleAssignment.body_id == body_id)
        )
    )


def unused_codes_by_building(community: Community) -> dict[int, int]:
    """How many usable codes each building of `community` has: building id -> count."""
    rows = db.session.execute(
        select(Household.building_id, func.count(Invitation.id))
        .join(Invitation, Invitation.household_id == Household.id)
        .join(Building, Household.building_id == Building.id)
        .where(Building.community_id == community.id, Invitation.is_usable)
        .group_by(Household.building_id)
    ).all()
    return {building_id: count for building_id, count in rows}


def non_resident_roles() -> list[RoleAssignment]:
    """Every appointed role (secretaries, deputies, handlers, admins), for the roles page."""
    return list(
        db.session.scalars(
            select(RoleAssignment)
            .where(RoleAssignment.role != Role.RESIDENT)
            .order_by(RoleAssignment.role, RoleAssignment.id)
        )
    )
