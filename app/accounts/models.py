"""Accounts, consent, household membership and roles."""

import enum
import functools
import hashlib
import hmac
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import (
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    and_,
    bindparam,
    func,
    select,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.accounts.passwords import normalise
from app.core.db import value_enum
from app.core.errors import Conflict
from app.core.notifications import Notification, remember_unread_count
from app.core.time import utcnow
from app.extensions import Model, db
from app.org.models import Body, Community, Household, Station
from app.org.revisions import remember_revision, revision_query


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


class User(UserMixin, Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The name residents chose to be known by; masked on public pages.
    display_name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256), default="")
    locale: Mapped[str | None] = mapped_column(String(10))
    large_text: Mapped[bool] = mapped_column(default=False)
    #: Notifications by e-mail: "immediate", "digest" (once a day) or "none" (core/outbox.py).
    email_delivery: Mapped[str] = mapped_column(
        String(10), default="immediate", server_default="immediate"
    )
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
        """Hash the password as NFKC-normalised (accounts/passwords.py)."""
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(normalise(password), method=method)

    def check_password(self, password: str) -> bool:
        """The password matches, normalised or (for hashes made before NFKC) as typed."""
        if not self.password_hash:
            return False
        normal = normalise(password)
        if check_password_hash(self.password_hash, normal):
            return True
        return normal != password and check_password_hash(self.password_hash, password)

    @property
    def session_mark(self) -> str:
        """Changes with the password: sessions and remember-me cookies made before then end."""
        return hashlib.sha256(("session\0" + self.password_hash).encode()).hexdigest()[:16]

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and the remember-me cookie: id and mark."""
        return f"{self.id}:{self.session_mark}"

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

    @property
    def pending_membership(self) -> "Membership | None":
        """The request this user is waiting on, if any."""
        for membership in self.memberships:
            if membership.is_pending:
                return membership
        return None

    def ensure_can_join(self) -> None:
        """Refuse a second household: a user is a member of one household at a time."""
        if self.active_membership is not None:
            raise Conflict(
                _l(
                    "You are already a member of a household. Leave it first from your account page."
                )
            )

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class Consent(Model):
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


class Membership(Model):
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

    @property
    def is_pending(self) -> bool:
        return self.status == MembershipStatus.PENDING

    @property
    def is_current(self) -> bool:
        return self.status == MembershipStatus.ACTIVE

    @property
    def joined_by_code(self) -> bool:
        return self.via == "code"

    # --- transitions: requested -> active | refused; active -> ended -------------------

    def approve(self, actor: User) -> None:
        """The secretary accepts the request."""
        if not self.is_pending:
            raise Conflict(_l("This request has already been decided."))
        if self.user.active_membership is not None:
            raise Conflict(_l("This person is already a member of another household."))
        self._decide(MembershipStatus.ACTIVE, actor, "")

    def refuse(self, actor: User, reason: str = "") -> None:
        """The secretary turns the request down; the reason is told to the resident."""
        if not self.is_pending:
            raise Conflict(_l("This request has already been decided."))
        self._decide(MembershipStatus.REFUSED, actor, reason.strip())

    def end(self, actor: User | None = None, reason: str = "") -> None:
        """The membership ends: the resident moved out (actor None) or the secretary ended it."""
        if not self.is_current:
            raise Conflict(_l("This membership has already ended."))
        self.status = MembershipStatus.ENDED
        self.decided_at = utcnow()
        if actor is not None:
            self.decided_by_id = actor.id
            self.refusal_reason = reason.strip()

    def close(self) -> None:
        """The account was deleted: its active membership or pending request ends."""
        if not (self.is_current or self.is_pending):
            raise Conflict(_l("This membership has already ended."))
        self.status = MembershipStatus.ENDED
        self.decided_at = utcnow()

    def _decide(self, status: MembershipStatus, actor: User, reason: str) -> None:
        self.status = status
        self.decided_at = utcnow()
        self.decided_by_id = actor.id
        self.refusal_reason = reason


class Invitation(Model):
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

    @hybrid_property
    def is_usable(self) -> bool:
        """Neither redeemed nor withdrawn: the one rule, in Python and in SQL queries."""
        return self.redeemed_at is None and self.revoked_at is None

    @is_usable.inplace.expression
    @classmethod
    def _is_usable_expression(cls) -> ColumnElement[bool]:
        return and_(cls.redeemed_at.is_(None), cls.revoked_at.is_(None))

    def _ensure_usable(self) -> None:
        if self.revoked_at is not None:
            raise Conflict(
                _l("That code has been withdrawn. Ask your residents' committee for a new one.")
            )
        if self.redeemed_at is not None:
            raise Conflict(
                _l(
                    "That code has already been used. Each code joins one account; ask your residents' committee for another."
                )
            )

    def redeem(self, user: User) -> Membership:
        """Bind `user` to this code's household, once; returns the new active membership."""
        self._ensure_usable()
        user.ensure_can_join()
        now = utcnow()
        self.redeemed_by_id = user.id
        self.redeemed_at = now
        return Membership(
            user_id=user.id,
            household_id=self.household_id,
            status=MembershipStatus.ACTIVE,
            via="code",
            decided_at=now,
        )

    def withdraw(self) -> None:
        """Stop an unused code from working (its printed sheet was lost)."""
        self._ensure_usable()
        self.revoked_at = utcnow()


class RoleAssignment(Model):
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


#: What nearly every page asks of the signed-in user comes in the statement that loads it: the
#: memberships with their households and buildings (the household, the role of resident), the
#: role assignments (accounts/permissions.py builds the user's roles from both) and, beside
#: them, the header's count of unread notifications and the revision of the list of communities
#: (org/revisions.py: the home page's sections and its list of communities are cached under it).
_LOADED_WITH_USER = (
    joinedload(User.memberships).joinedload(Membership.household).joinedload(Household.building),
    joinedload(User.roles),
)


@functools.cache
def _user_statement():
    """`load_user`'s statement, built once: a statement object used again keeps its compiled
    form and cache key, a third of the cost of running it (its parameter: ``user_id``)."""
    unread = (
        select(func.count(Notification.id))
        .where(Notification.user_id == User.id, Notification.read_at.is_(None))
        .scalar_subquery()
    )
    return (
        select(User, unread, revision_query())
        .where(User.id == bindparam("user_id", type_=Integer))
        .options(*_LOADED_WITH_USER)
    )


def load_user(user_id: str) -> User | None:
    """Flask-Login's user loader: the account in the session cookie, unless it was deleted or
    its password changed since that session began (a plain id is a session from before marks)."""
    raw_id, _, mark = user_id.partition(":")
    if not raw_id.isdigit():
        return None
    row = db.session.execute(_user_statement(), {"user_id": int(raw_id)}).unique().first()
    if row is None or not row[0].is_active:
        return None
    user = row[0]
    if mark and not hmac.compare_digest(mark, user.session_mark):
        return None
    remember_unread_count(user, row[1] or 0)
    remember_revision(row[2])
    return user


class ResetCode(Model):
    """A one-time code to choose a new password, issued in person by a secretary or an admin.

    Only a hash is kept (the code is shown once, to be printed or read out); it works once,
    for RESET_CODE_HOURS, and stops working when a newer code is issued for the same account
    or after too many wrong tries (accounts/recovery.py).
    """

    __tablename__ = "reset_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(256))
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    #: Set when a newer code replaced this one, or when too many wrong codes were typed.
    voided_at: Mapped[datetime | None]
    #: Wrong codes typed for this account while this code was its newest.
    failures: Mapped[int] = mapped_column(default=0, server_default="0")

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])

    def matches(self, code: str) -> bool:
        return check_password_hash(self.code_hash, code)

    def is_usable(self, now: datetime) -> bool:
        return self.used_at is None and self.voided_at is None and now < self.expires_at

    def ensure_usable(self, now: datetime) -> None:
        """Refuse a code that was used, replaced or voided, or that expired."""
        if self.used_at is not None:
            raise Conflict(
                _l(
                    "This code has already been used. Each code works once; ask your residents' committee for a new one."
                )
            )
        if self.voided_at is not None:
            raise Conflict(
                _l(
                    "This code no longer works: a newer code was issued, or a wrong code was typed too often. Ask your residents' committee for a new one."
                )
            )
        if now >= self.expires_at:
            raise Conflict(
                _l(
                    "This code has expired: codes work for 24 hours. Ask your residents' committee for a new one."
                )
            )

    def use(self, now: datetime) -> None:
        self.ensure_usable(now)
        self.used_at = now
