"""Pacts: clauses in immutable numbered versions, positions, comments, amendments, follows."""

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import value_enum
from app.core.revisions import new_cache_rev
from app.core.time import utcnow
from app.extensions import Model
from app.pacts.enums import (
    TRANSITIONS,
    AmendmentStatus,
    PactStatus,
    Stance,
)
from app.pacts.errors import (
    IllegalTransition,
    PactConflict,
    PactError,
    PactInvalid,
    PactNotAllowed,
)

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
    "PactConflict",
    "PactError",
    "PactInvalid",
    "PactNotAllowed",
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


class Pact(Model):
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
    #: Replaced in the transaction of every write that changes what the pact's pages show;
    #: their cached fragments carry it in their keys (app/pacts/freshness.py).
    cache_rev: Mapped[str] = mapped_column(String(16), default=new_cache_rev, server_default="0")

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
            raise IllegalTransition(
                _l(
                    "A pact in the status “%(status)s” cannot move to “%(target)s”.",
                    status=self.status.label,
                    target=status.label,
                )
            )
        self.status = status

    def open_consultation(self, opens_at: datetime, closes_at: datetime) -> None:
        """Drafting or revision → consultation, for the window [opens_at, closes_at)."""
        self.move_to(PactStatus.CONSULTATION)
        self.consultation_opens_at = opens_at
        self.consultation_closes_at = closes_at

    def close_consultation(self, now: datetime) -> None:
        """Consultation → revision; the window ends now if it was still running."""
        self.move_to(PactStatus.REVISION)
        if self.consultation_closes_at is None or self.consultation_closes_at > now:
            self.consultation_closes_at = now

    def begin_ratification(self) -> None:
        """Revision → ratification (a vote on the latest version has been created)."""
        self.move_to(PactStatus.RATIFICATION)

    def adopt(self, now: datetime) -> None:
        """Ratification → adopted: the pact is in force."""
        self.move_to(PactStatus.ADOPTED)
        self.adopted_at = now

    def return_to_revision(self) -> None:
        """Ratification → revision: the vote did not adopt it, or was cancelled."""
        self.move_to(PactStatus.REVISION)

    def supersede(self, by: "Pact", now: datetime) -> None:
        """Adopted → superseded by the community's newly adopted pact `by`."""
        self.move_to(PactStatus.SUPERSEDED)
        self.ended_at = now
        self.superseded_by_id = by.id

    def repeal(self, now: datetime) -> None:
        """Adopted → repealed."""
        self.move_to(PactStatus.REPEALED)
        self.ended_at = now

    # -- status predicates (ask these from views and templates) -----------------------
    @property
    def is_drafting(self) -> bool:
        return self.status == PactStatus.DRAFTING

    @property
    def in_consultation(self) -> bool:
        """In the consultation status (its window may not have opened yet, or just ended)."""
        return self.status == PactStatus.CONSULTATION

    @property
    def in_revision(self) -> bool:
        return self.status == PactStatus.REVISION

    @property
    def is_adopted(self) -> bool:
        return self.status == PactStatus.ADOPTED

    @property
    def is_in_ratification(self) -> bool:
        return self.status == PactStatus.RATIFICATION

    @property
    def is_editable(self) -> bool:
        """Clauses can be changed (in the draft) only while drafting or revising."""
        return self.status in (PactStatus.DRAFTING, PactStatus.REVISION)

    @property
    def takes_answers(self) -> bool:
        """The secretary answers amendments and comments during consultation and revision."""
        return self.status in (PactStatus.CONSULTATION, PactStatus.REVISION)

    def secretary_may_answer(self, reply: bool = True) -> bool:
        """The secretary answers comments while the consultation is open and during the revision
        that follows it (so late comments still get their answer); new threads only while open."""
        if self.consultation_is_open():
            return True
        return reply and self.takes_answers

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


class PactVersion(Model):
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


class Clause(Model):
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


class Position(Model):
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


class Comment(Model):
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

    def withdraw(self, now: datetime) -> None:
        """Visible → withdrawn by its author; a notice stays in the thread."""
        if not self.is_visible:
            raise PactConflict(_l("This comment was withdrawn or hidden."))
        self.withdrawn_at = now

    def hide(self, reason: str, by_id: int | None, now: datetime) -> None:
        """Shown → hidden by the secretary; a notice with the public reason replaces it."""
        if self.hidden_at is not None:
            raise PactConflict(_l("This comment is already hidden."))
        self.hidden_at = now
        self.hidden_reason = reason
        self.hidden_by_id = by_id


class CommentAgree(Model):
    """A resident's +1 on someone else's comment; once each."""

    __tablename__ = "pact_comment_agrees"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("pact_comments.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("comment_id", "user_id"),)


class CommentReport(Model):
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


class Amendment(Model):
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

    @property
    def is_open(self) -> bool:
        """Still waiting for the secretary's answer."""
        return self.status == AmendmentStatus.OPEN

    def _require_open(self) -> None:
        if not self.is_open:
            raise PactConflict(_l("This amendment has already been answered."))

    def decide(self, accept: bool, response: str, by_id: int | None, now: datetime) -> None:
        """Open → accepted or rejected, with the secretary's public reason."""
        self._require_open()
        self.status = AmendmentStatus.ACCEPTED if accept else AmendmentStatus.REJECTED
        self.response = response
        self.decided_at = now
        self.decided_by_id = by_id

    def withdraw(self) -> None:
        """Open → withdrawn by its author."""
        self._require_open()
        self.status = AmendmentStatus.WITHDRAWN


class AmendmentEndorsement(Model):
    __tablename__ = "pact_amendment_endorsements"

    id: Mapped[int] = mapped_column(primary_key=True)
    amendment_id: Mapped[int] = mapped_column(ForeignKey("pact_amendments.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("amendment_id", "user_id"),)


class PactFollow(Model):
    """A user following a pact: notified of new versions, the end of consultation, answers."""

    __tablename__ = "pact_follows"

    id: Mapped[int] = mapped_column(primary_key=True)
    pact_id: Mapped[int] = mapped_column(ForeignKey("pacts.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("pact_id", "user_id"),)
