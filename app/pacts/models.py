"""Pacts: clauses in immutable numbered versions, positions, comments, amendments, follows."""

import enum
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import value_enum
from app.core.time import utcnow
from app.extensions import db

__all__ = [
    "Amendment",
    "AmendmentEndorsement",
    "AmendmentStatus",
    "Clause",
    "Comment",
    "CommentAgree",
    "CommentReport",
    "IllegalTransition",
    "Pact",
    "PactFollow",
    "PactStatus",
    "PactVersion",
    "Position",
    "Stance",
]

#: How long after posting the author may still edit a comment.
COMMENT_EDIT_WINDOW = timedelta(minutes=15)
COMMENT_MAX = 4000
AMENDMENT_MAX = 2000
CLAUSE_MAX = 5000


class IllegalTransition(Exception):
    """A pact was asked to move to a status its lifecycle does not allow from where it is."""


class PactStatus(enum.StrEnum):
    DRAFTING = "drafting"
    CONSULTATION = "consultation"
    REVISION = "revision"
    RATIFICATION = "ratification"
    ADOPTED = "adopted"
    SUPERSEDED = "superseded"
    REPEALED = "repealed"

    @property
    def label(self):
        return PACT_STATUS_LABELS[self]

    @property
    def badge_kind(self) -> str:
        return {
            "drafting": "neutral",
            "consultation": "info",
            "revision": "warn",
            "ratification": "info",
            "adopted": "ok",
            "superseded": "neutral",
            "repealed": "danger",
        }[self.value]


PACT_STATUS_LABELS = {
    PactStatus.DRAFTING: _l("Drafting"),
    PactStatus.CONSULTATION: _l("In consultation"),
    PactStatus.REVISION: _l("In revision"),
    PactStatus.RATIFICATION: _l("In ratification"),
    PactStatus.ADOPTED: _l("Adopted"),
    PactStatus.SUPERSEDED: _l("Replaced by a newer pact"),
    PactStatus.REPEALED: _l("Repealed"),
}

#: The lifecycle: status -> the statuses it may move to. Revision may go back to consultation
#: for another round; a rejected ratification goes back to revision.
TRANSITIONS: dict[PactStatus, frozenset[PactStatus]] = {
    PactStatus.DRAFTING: frozenset({PactStatus.CONSULTATION}),
    PactStatus.CONSULTATION: frozenset({PactStatus.REVISION}),
    PactStatus.REVISION: frozenset({PactStatus.CONSULTATION, PactStatus.RATIFICATION}),
    PactStatus.RATIFICATION: frozenset({PactStatus.ADOPTED, PactStatus.REVISION}),
    PactStatus.ADOPTED: frozenset({PactStatus.SUPERSEDED, PactStatus.REPEALED}),
    PactStatus.SUPERSEDED: frozenset(),
    PactStatus.REPEALED: frozenset(),
}


class Pact(db.Model):
    """A community's resident pact (居民公约), from its first draft to its repeal."""

    __tablename__ = "pacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    #: Why this pact is being written, shown above its clauses.
    summary: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[PactStatus] = mapped_column(value_enum(PactStatus), default=PactStatus.DRAFTING)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The current (or last) consultation window, naive UTC.
    consultation_opens_at: Mapped[datetime | None]
    consultation_closes_at: Mapped[datetime | None]
    adopted_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    #: The pact that replaced this one when it was superseded.
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("pacts.id"))

    community = relationship("Community")
    created_by = relationship("User", foreign_keys=[created_by_id])
    superseded_by: Mapped["Pact | None"] = relationship(remote_side=[id])
    versions: Mapped[list["PactVersion"]] = relationship(
        back_populates="pact", order_by="PactVersion.number", cascade="all, delete-orphan"
    )

    # -- lifecycle -----------------------------------------------------------------
    def can_move_to(self, status: PactStatus) -> bool:
        return status in TRANSITIONS[self.status]

    def move_to(self, status: PactStatus) -> None:
        """Change status, refusing any move the lifecycle does not allow."""
        status = PactStatus(status)
        if not self.can_move_to(status):
            raise IllegalTransition(f"pact {self.id}: {self.status} -> {status} is not allowed")
        self.status = status

    # -- versions ------------------------------------------------------------------
    @property
    def published_versions(self) -> list["PactVersion"]:
        return [v for v in self.versions if v.published_at is not None]

    @property
    def latest_version(self) -> "PactVersion | None":
        """The newest published version, or None before the first publication."""
        published = self.published_versions
        return published[-1] if published else None

    @property
    def draft_version(self) -> "PactVersion | None":
        """The unpublished version being edited, if any."""
        for v in self.versions:
            if v.published_at is None:
                return v
        return None

    def version(self, number: int) -> "PactVersion | None":
        for v in self.versions:
            if v.number == number:
                return v
        return None

    # -- consultation window -----------------------------------------------------------
    def consultation_is_open(self, now: datetime | None = None) -> bool:
        """Whether residents may take positions, comment and amend right now."""
        if self.status != PactStatus.CONSULTATION:
            return False
        now = now or utcnow()
        if self.consultation_opens_at and now < self.consultation_opens_at:
            return False
        return not (self.consultation_closes_at and now >= self.consultation_closes_at)

    def days_remaining(self, now: datetime | None = None) -> int | None:
        """Whole days (rounded up) left in the consultation window."""
        if self.status != PactStatus.CONSULTATION or not self.consultation_closes_at:
            return None
        now = now or utcnow()
        seconds = (self.consultation_closes_at - now).total_seconds()
        if seconds <= 0:
            return 0
        return int(-(-seconds // 86400))

    @property
    def is_public(self) -> bool:
        """Drafts are visible to the secretary only; everything later is public."""
        return self.status != PactStatus.DRAFTING

    def __repr__(self) -> str:
        return f"<Pact {self.id} {self.status}>"


class PactVersion(db.Model):
    """A numbered text of a pact; once published it never changes."""

    __tablename__ = "pact_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    pact_id: Mapped[int] = mapped_column(ForeignKey("pacts.id"), index=True)
    number: Mapped[int]
    #: None while the secretary is still editing it; set once, when it is published.
    published_at: Mapped[datetime | None]
    #: What changed and why, written by the secretary when publishing.
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    pact: Mapped[Pact] = relationship(back_populates="versions")
    clauses: Mapped[list["Clause"]] = relationship(
        back_populates="version", order_by="Clause.position", cascade="all, delete-orphan"
    )

    __table_args__ = (UniqueConstraint("pact_id", "number"),)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def __repr__(self) -> str:
        return f"<PactVersion {self.pact_id} v{self.number}>"


class Clause(db.Model):
    """One clause of one version. `lineage` follows the same clause from version to version."""

    __tablename__ = "clauses"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("pact_versions.id"), index=True)
    #: Order within the version, from 1.
    position: Mapped[int]
    #: Stable identity of the clause across versions of one pact (for comparing versions).
    lineage: Mapped[int]
    text: Mapped[str] = mapped_column(Text)

    version: Mapped[PactVersion] = relationship(back_populates="clauses")

    __table_args__ = (UniqueConstraint("version_id", "lineage"),)

    def __repr__(self) -> str:
        return f"<Clause {self.id} v{self.version_id} #{self.position}>"


class Stance(enum.StrEnum):
    SUPPORT = "support"
    OPPOSE = "oppose"
    SUGGEST = "suggest"

    @property
    def label(self):
        return STANCE_LABELS[self]


STANCE_LABELS = {
    Stance.SUPPORT: _l("Support"),
    Stance.OPPOSE: _l("Oppose"),
    Stance.SUGGEST: _l("Suggest a change"),
}


class Position(db.Model):
    """A resident's position on a clause; at most one per resident and clause."""

    __tablename__ = "pact_positions"

    id: Mapped[int] = mapped_column(primary_key=True)
    clause_id: Mapped[int] = mapped_column(ForeignKey("clauses.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: The resident's household when the position was taken (its building is the group).
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    stance: Mapped[Stance] = mapped_column(value_enum(Stance))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    clause: Mapped[Clause] = relationship()
    user = relationship("User")
    household = relationship("Household")

    __table_args__ = (UniqueConstraint("user_id", "clause_id"),)


class Comment(db.Model):
    """A comment on a clause, or on the whole pact when `clause_id` is empty; threaded."""

    __tablename__ = "pact_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    pact_id: Mapped[int] = mapped_column(ForeignKey("pacts.id"), index=True)
    clause_id: Mapped[int | None] = mapped_column(ForeignKey("clauses.id"), index=True)
    #: The first comment of the thread (None for a thread's first comment itself).
    root_id: Mapped[int | None] = mapped_column(ForeignKey("pact_comments.id"), index=True)
    #: The comment this one answers directly.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("pact_comments.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: Raw markdown as typed; sanitised when rendered.
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    edited_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    hidden_at: Mapped[datetime | None]
    hidden_reason: Mapped[str] = mapped_column(String(300), default="")
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: Set when the secretary replied in the thread (the comment got its answer).
    answered_at: Mapped[datetime | None]
    #: Denormalised counts, updated atomically, so lists need no extra query.
    agree_count: Mapped[int] = mapped_column(default=0)
    reply_count: Mapped[int] = mapped_column(default=0)

    pact: Mapped[Pact] = relationship()
    clause: Mapped[Clause | None] = relationship()
    author = relationship("User", foreign_keys=[author_id])
    parent: Mapped["Comment | None"] = relationship(remote_side=[id], foreign_keys=[parent_id])

    __table_args__ = (
        Index("ix_pact_comments_thread", "pact_id", "clause_id", "root_id", "created_at"),
    )

    @property
    def is_visible(self) -> bool:
        return self.hidden_at is None and self.withdrawn_at is None

    def can_edit(self, user, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return (
            user is not None
            and getattr(user, "is_authenticated", False)
            and user.id == self.author_id
            and self.is_visible
            and now - self.created_at <= COMMENT_EDIT_WINDOW
            and self.pact.consultation_is_open(now)
        )

    def can_withdraw(self, user) -> bool:
        return (
            user is not None
            and getattr(user, "is_authenticated", False)
            and user.id == self.author_id
            and self.is_visible
        )


class CommentAgree(db.Model):
    """A resident's +1 on someone else's comment; once each."""

    __tablename__ = "pact_comment_agrees"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("pact_comments.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("comment_id", "user_id"),)


class CommentReport(db.Model):
    """A resident's report of a comment to the secretary."""

    __tablename__ = "pact_comment_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("pact_comments.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set when the secretary hid the comment or dismissed the report.
    resolved_at: Mapped[datetime | None]

    comment: Mapped[Comment] = relationship()
    user = relationship("User")

    __table_args__ = (UniqueConstraint("comment_id", "user_id"),)


class AmendmentStatus(enum.StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    @property
    def label(self):
        return AMENDMENT_STATUS_LABELS[self]

    @property
    def badge_kind(self) -> str:
        return {"open": "info", "accepted": "ok", "rejected": "danger", "withdrawn": "neutral"}[
            self.value
        ]


AMENDMENT_STATUS_LABELS = {
    AmendmentStatus.OPEN: _l("Awaiting an answer"),
    AmendmentStatus.ACCEPTED: _l("Accepted"),
    AmendmentStatus.REJECTED: _l("Rejected"),
    AmendmentStatus.WITHDRAWN: _l("Withdrawn"),
}


class Amendment(db.Model):
    """A resident's proposed replacement text for a clause of a published version."""

    __tablename__ = "pact_amendments"

    id: Mapped[int] = mapped_column(primary_key=True)
    pact_id: Mapped[int] = mapped_column(ForeignKey("pacts.id"), index=True)
    clause_id: Mapped[int] = mapped_column(ForeignKey("clauses.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[AmendmentStatus] = mapped_column(
        value_enum(AmendmentStatus), default=AmendmentStatus.OPEN
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The secretary's public answer.
    response: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: The version whose text took this amendment in (set when that version is published).
    applied_version_id: Mapped[int | None] = mapped_column(ForeignKey("pact_versions.id"))
    endorse_count: Mapped[int] = mapped_column(default=0)

    pact: Mapped[Pact] = relationship()
    clause: Mapped[Clause] = relationship()
    author = relationship("User", foreign_keys=[author_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    applied_version: Mapped[PactVersion | None] = relationship()

    @property
    def is_answered(self) -> bool:
        return self.status in (AmendmentStatus.ACCEPTED, AmendmentStatus.REJECTED)


class AmendmentEndorsement(db.Model):
    __tablename__ = "pact_amendment_endorsements"

    id: Mapped[int] = mapped_column(primary_key=True)
    amendment_id: Mapped[int] = mapped_column(ForeignKey("pact_amendments.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("amendment_id", "user_id"),)


class PactFollow(db.Model):
    """A user following a pact: notified of new versions, the end of consultation, answers."""

    __tablename__ = "pact_follows"

    id: Mapped[int] = mapped_column(primary_key=True)
    pact_id: Mapped[int] = mapped_column(ForeignKey("pacts.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("pact_id", "user_id"),)
