"""Accounts, consent, household membership and roles."""

import enum
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.core.db import value_enum
from app.core.time import utcnow
from app.extensions import db
from app.org.models import Body, Community, Household, Station


class Role(enum.StrEnum):
    RESIDENT = "resident"
    DEPUTY = "deputy"
    SECRETARY = "secretary"
    HANDLER = "handler"
    ADMIN = "admin"

    @property
    def label(self):
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.RESIDENT: _l("Resident"),
    Role.DEPUTY: _l("Deputy"),
    Role.SECRETARY: _l("Secretary"),
    Role.HANDLER: _l("Handler"),
    Role.ADMIN: _l("Administrator"),
}


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The name residents chose to be known by; masked on public pages.
    display_name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256), default="")
    locale: Mapped[str | None] = mapped_column(String(10))
    large_text: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    #: Set when the account was deleted; the row stays so authorship becomes anonymous.
    deleted_at: Mapped[datetime | None]

    consents: Mapped[list["Consent"]] = relationship(
        back_populates="user", order_by="Consent.given_at"
    )
    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="user", foreign_keys="Membership.user_id"
    )
    roles: Mapped[list["RoleAssignment"]] = relationship(
        back_populates="user", foreign_keys="RoleAssignment.user_id"
    )

    def set_password(self, password: str) -> None:
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:
        return self.deleted_at is None

    @property
    def active_membership(self) -> "Membership | None":
        for membership in self.memberships:
            if membership.status == MembershipStatus.ACTIVE:
                return membership
        return None

    @property
    def household(self) -> Household | None:
        membership = self.active_membership
        return membership.household if membership else None

    @property
    def is_admin(self) -> bool:
        return any(r.role == Role.ADMIN for r in self.roles)

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class Consent(db.Model):
    """A record that the user accepted a given version of the privacy notice."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    notice_version: Mapped[str] = mapped_column(String(20))
    given_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="consents")


class MembershipStatus(enum.StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    REFUSED = "refused"
    ENDED = "ended"


class Membership(db.Model):
    """A user's membership of a household: requested and approved, or by invitation code."""

    __tablename__ = "memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    status: Mapped[MembershipStatus] = mapped_column(
        value_enum(MembershipStatus, 20),
        default=MembershipStatus.PENDING,
    )
    #: "code" when an invitation code bound it, "request" when a secretary approved it.
    via: Mapped[str] = mapped_column(String(20), default="request")
    #: What the resident wrote to help the secretary recognise them.
    note: Mapped[str] = mapped_column(String(200), default="")
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    refusal_reason: Mapped[str] = mapped_column(String(200), default="")

    user: Mapped[User] = relationship(back_populates="memberships", foreign_keys=[user_id])
    household: Mapped[Household] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    __table_args__ = (
        # A user is an active member of at most one household.
        Index(
            "uq_memberships_one_active",
            "user_id",
            unique=True,
            sqlite_where=db.text("status = 'active'"),
            postgresql_where=db.text("status = 'active'"),
        ),
    )

    @property
    def community(self) -> Community:
        return self.household.building.community


class Invitation(db.Model):
    """A one-time household invitation code (每户一码) printed by the secretary."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    redeemed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    redeemed_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    household: Mapped[Household] = relationship()
    redeemed_by: Mapped[User | None] = relationship(foreign_keys=[redeemed_by_id])

    @property
    def is_usable(self) -> bool:
        return self.redeemed_at is None and self.revoked_at is None


class RoleAssignment(db.Model):
    """A role held by a user: secretary of a community, deputy of a station, handler of a body, admin."""

    __tablename__ = "role_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[Role] = mapped_column(value_enum(Role, 20))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"), index=True)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"), index=True)
    body_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id"), index=True)
    appointed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    appointed_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Free text shown on public deputy pages, e.g. "区人大代表".
    title: Mapped[str] = mapped_column(String(100), default="")

    user: Mapped[User] = relationship(back_populates="roles", foreign_keys=[user_id])
    community: Mapped[Community | None] = relationship()
    station: Mapped[Station | None] = relationship()
    body: Mapped[Body | None] = relationship()

    __table_args__ = (UniqueConstraint("user_id", "role", "community_id", "station_id", "body_id"),)
