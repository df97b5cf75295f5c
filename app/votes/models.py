"""Votes, their options (projects), electors, participations, ballots and the log's checkpoints."""

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    DDL,
    JSON,
    CheckConstraint,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import tlog
from app.core.db import value_enum
from app.core.errors import Conflict, InvalidInput
from app.core.time import utcnow
from app.extensions import Model
from app.projects.models import Project

__all__ = [
    "Ballot",
    "Checkpoint",
    "Cosignature",
    "ElectorateKind",
    "IllegalVoteTransition",
    "Method",
    "Participation",
    "Secrecy",
    "TreeNode",
    "Vote",
    "VoteElector",
    "VoteOption",
    "VoteStatus",
    "Witness",
]


class IllegalVoteTransition(Conflict):
    """A vote was asked to move to a status its lifecycle does not allow."""

    code = "illegal_vote_transition"
    default_message = _l("This vote cannot make that move from where it is now.")


# --------------------------------------------------------------------------- votes


class ElectorateKind(enum.StrEnum):
    DEPUTIES = "deputies"
    RESIDENTS = "residents"
    HOUSEHOLDS = "households"

    @property
    def label(self):
        return {
            "deputies": _l("Deputies of a liaison station"),
            "residents": _l("Verified residents"),
            "households": _l("Households (one ballot each)"),
        }[self.value]


class Method(enum.StrEnum):
    APPROVAL = "approval"
    ITEM_BY_ITEM = "item_by_item"
    EQUAL_SHARES = "equal_shares"
    RATIFICATION = "ratification"

    @property
    def label(self):
        return {
            "approval": _l("Approval (each voter chooses up to a set number of projects)"),
            "item_by_item": _l("Item by item (yes / no / abstain on each project)"),
            "equal_shares": _l("Method of Equal Shares (participatory budget)"),
            "ratification": _l("Ratification of a pact (yes / no / abstain)"),
        }[self.value]


class Secrecy(enum.StrEnum):
    OPEN = "open"
    SECRET = "secret"  # noqa: S105 - a secrecy mode, not a password

    @property
    def label(self):
        return {"open": _l("Open roll call"), "secret": _l("Secret ballot")}[self.value]


class VoteStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"
    CANCELLED = "cancelled"

    @property
    def label(self):
        return {
            "draft": _l("Draft"),
            "open": _l("Open for voting"),
            "closed": _l("Closed, awaiting certification"),
            "published": _l("Published"),
            "cancelled": _l("Cancelled"),
        }[self.value]

    @property
    def badge(self):
        return {
            "draft": "neutral",
            "open": "info",
            "closed": "warn",
            "published": "ok",
            "cancelled": "danger",
        }[self.value]


class Vote(Model):
    """A vote: its electorate, method, secrecy, rules and lifecycle; the ballots form its log."""

    __tablename__ = "votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    electorate_kind: Mapped[ElectorateKind] = mapped_column(value_enum(ElectorateKind))
    #: For a deputies' vote: the station whose deputies vote.
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"))
    method: Mapped[Method] = mapped_column(value_enum(Method))
    secrecy: Mapped[Secrecy] = mapped_column(value_enum(Secrecy))
    #: The method's rules (max_choices, seats, budget, quorum, threshold...), as given.
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Planned opening and closing times (naive UTC).
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    #: When true, `flask votes tick` opens the draft at `opens_at`.
    auto_open: Mapped[bool] = mapped_column(default=False)
    status: Mapped[VoteStatus] = mapped_column(
        value_enum(VoteStatus), default=VoteStatus.DRAFT, index=True
    )
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    #: The manifest frozen at opening, and H(canon(manifest)).
    manifest: Mapped[dict | None] = mapped_column(JSON)
    manifest_hash: Mapped[str | None] = mapped_column(String(64))
    electorate_size: Mapped[int | None]
    #: The export's "result", computed at close.
    result: Mapped[dict | None] = mapped_column(JSON)
    #: The Merkle root of the whole log at close.
    final_root: Mapped[str | None] = mapped_column(String(64))
    #: The log's head, kept under the vote's row lock so a cast reads no other ballot: how many
    #: records, the last one's hash (the next one's prev), the Merkle frontier (hex, one per set
    #: bit of log_size; see core/merkle.Frontier) and when the latest checkpoint was taken.
    log_size: Mapped[int] = mapped_column(default=0, server_default="0")
    log_head: Mapped[str | None] = mapped_column(String(64))
    log_frontier: Mapped[list | None] = mapped_column(JSON)
    log_checkpoint_at: Mapped[datetime | None]
    certified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    certified_at: Mapped[datetime | None]
    cancel_reason: Mapped[str] = mapped_column(String(500), default="")
    cancelled_at: Mapped[datetime | None]
    #: For a ratification: the pact version put to the vote.
    pact_version_id: Mapped[int | None] = mapped_column(ForeignKey("pact_versions.id"))
    #: The witnesses needed on the closing checkpoint (k of the community's n); None: a majority.
    witness_quorum: Mapped[int | None]
    #: The c2sp.org/tlog-policy frozen at opening: the log key, the witnesses and the quorum.
    witness_policy: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Electors present in the room (到场), as the secretary counted them for the paper ballots.
    present_count: Mapped[int | None]

    community = relationship("Community")
    station = relationship("Station")
    certified_by = relationship("User", foreign_keys=[certified_by_id])
    created_by = relationship("User", foreign_keys=[created_by_id])
    pact_version = relationship("PactVersion")
    options: Mapped[list["VoteOption"]] = relationship(
        back_populates="vote", order_by="VoteOption.position", cascade="all, delete-orphan"
    )
    checkpoints: Mapped[list["Checkpoint"]] = relationship(
        back_populates="vote", order_by="Checkpoint.size"
    )

    __table_args__ = (
        CheckConstraint("closes_at > opens_at", name="closes_after_opens"),
        CheckConstraint(
            "electorate_kind != 'deputies' OR station_id IS NOT NULL", name="deputies_need_station"
        ),
    )

    # -- state rules -----------------------------------------------------------

    def _move(self, allowed_from: tuple[VoteStatus, ...], to: VoteStatus, message=None) -> None:
        if self.status not in allowed_from:
            raise IllegalVoteTransition(message)
        self.status = to

    def open(self, manifest: dict, manifest_hash: str, electorate_size: int, at: datetime) -> None:
        self._move((VoteStatus.DRAFT,), VoteStatus.OPEN, _l("Only a draft vote can be opened."))
        self.manifest = manifest
        self.manifest_hash = manifest_hash
        self.electorate_size = electorate_size
        self.opened_at = at

    def close(self, at: datetime) -> None:
        self._move((VoteStatus.OPEN,), VoteStatus.CLOSED, _l("Only an open vote can be closed."))
        self.closed_at = at

    def publish(self, by, at: datetime) -> None:
        self._move(
            (VoteStatus.CLOSED,),
            VoteStatus.PUBLISHED,
            _l("Only a closed vote can be certified and published."),
        )
        self.certified_by_id = by.id if by is not None else None
        self.certified_at = at

    def cancel(self, reason: str, at: datetime) -> None:
        if not (reason or "").strip():
            raise InvalidInput(_l("Give a reason for cancelling the vote."), code="no_reason")
        self._move(
            (VoteStatus.DRAFT, VoteStatus.OPEN),
            VoteStatus.CANCELLED,
            _l("This vote can no longer be cancelled."),
        )
        self.cancel_reason = reason.strip()[:500]
        self.cancelled_at = at

    # -- predicates (ask these from views and templates) ------------------------

    @property
    def is_draft(self) -> bool:
        return self.status == VoteStatus.DRAFT

    @property
    def is_open(self) -> bool:
        return self.status == VoteStatus.OPEN

    @property
    def is_closed(self) -> bool:
        """Closed and counted, not yet certified."""
        return self.status == VoteStatus.CLOSED

    @property
    def is_cancelled(self) -> bool:
        return self.status == VoteStatus.CANCELLED

    @property
    def is_counted(self) -> bool:
        """Closed or published: the log is complete and its final root is known."""
        return self.status in (VoteStatus.CLOSED, VoteStatus.PUBLISHED)

    @property
    def shows_turnout(self) -> bool:
        return self.status in (VoteStatus.OPEN, VoteStatus.CLOSED)

    @property
    def holds_its_projects(self) -> bool:
        """Open or awaiting certification: voters see its projects as frozen in the manifest."""
        return self.status in (VoteStatus.OPEN, VoteStatus.CLOSED)

    @property
    def results_visible(self) -> bool:
        return self.status == VoteStatus.PUBLISHED

    def can_edit(self) -> bool:
        return self.status == VoteStatus.DRAFT

    def can_open(self) -> bool:
        return self.status == VoteStatus.DRAFT and (self.is_ratification or len(self.options) > 0)

    def can_close(self) -> bool:
        return self.status == VoteStatus.OPEN

    def can_publish(self) -> bool:
        return self.status == VoteStatus.CLOSED

    def can_cancel(self) -> bool:
        return self.status in (VoteStatus.DRAFT, VoteStatus.OPEN)

    def can_receive_ballots(self, now: datetime) -> bool:
        return self.status == VoteStatus.OPEN and now < self.closes_at

    @property
    def is_ratification(self) -> bool:
        return self.method == Method.RATIFICATION

    @property
    def is_approval(self) -> bool:
        return self.method == Method.APPROVAL

    @property
    def is_item_by_item(self) -> bool:
        return self.method == Method.ITEM_BY_ITEM

    @property
    def is_equal_shares(self) -> bool:
        return self.method == Method.EQUAL_SHARES

    @property
    def approves(self) -> bool:
        """Its ballot approves projects (approval or equal shares)."""
        return self.method in (Method.APPROVAL, Method.EQUAL_SHARES)

    @property
    def is_secret(self) -> bool:
        return self.secrecy == Secrecy.SECRET

    @property
    def per_household(self) -> bool:
        return self.electorate_kind == ElectorateKind.HOUSEHOLDS

    def option_ids(self) -> list[str]:
        return [str(o.project_id) for o in self.options]


class VoteOption(Model):
    """A project on a vote's ballot."""

    __tablename__ = "vote_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    position: Mapped[int] = mapped_column(default=0)

    vote: Mapped[Vote] = relationship(back_populates="options")
    project: Mapped[Project] = relationship()

    __table_args__ = (UniqueConstraint("vote_id", "project_id"),)


class VoteElector(Model):
    """One member of a vote's electorate, frozen when the vote opens: a user or a household."""

    __tablename__ = "vote_electors"

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"))
    #: The elector's number in the frozen electorate list (1, 2, ...), part of their log label.
    number: Mapped[int | None]

    user = relationship("User")
    household = relationship("Household")

    __table_args__ = (
        UniqueConstraint("vote_id", "user_id"),
        UniqueConstraint("vote_id", "household_id", name="uq_vote_electors_vote_id_household_id"),
        CheckConstraint("(user_id IS NULL) != (household_id IS NULL)", name="user_or_household"),
    )


class Participation(Model):
    """Who took part: one row per voter (or household), written with the ballot, never with its content."""

    __tablename__ = "participations"

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"), index=True)
    #: The user id, or the household id for a household electorate: one ballot each.
    voter_key: Mapped[int]
    #: Who cast it (the household member, or the voter).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"))
    #: The public name frozen at casting, for the published participation list.
    name: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User")

    __table_args__ = (
        UniqueConstraint("vote_id", "voter_key", name="uq_participations_vote_voter"),
    )


class Ballot(Model):
    """One record of the ballot log. Insert-only: nothing updates or deletes a ballot."""

    __tablename__ = "ballots"

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"), index=True)
    seq: Mapped[int]
    #: The record's cast_at exactly as hashed (ISO 8601 UTC with Z).
    cast_at: Mapped[str] = mapped_column(String(40))
    #: Public name in an open vote; empty in a secret one.
    voter: Mapped[str | None] = mapped_column(String(120))
    choices: Mapped[dict] = mapped_column(JSON)
    nonce: Mapped[str] = mapped_column(String(32))
    prev: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The secretary who entered a paper ballot in the room; empty when the voter cast it.
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    entered_by = relationship("User")

    __table_args__ = (UniqueConstraint("vote_id", "seq"),)

    def record(self) -> dict:
        """The record exactly as published in the log."""
        return {
            "seq": self.seq,
            "vote": self.vote_id,
            "cast_at": self.cast_at,
            "voter": self.voter,
            "choices": self.choices,
            "nonce": self.nonce,
            "prev": self.prev,
            "hash": self.hash,
        }


@event.listens_for(Ballot, "before_update")
def _refuse_ballot_update(_mapper, _connection, _target):
    raise RuntimeError("ballots are insert-only")


@event.listens_for(Ballot, "before_delete")
def _refuse_ballot_delete(_mapper, _connection, _target):
    raise RuntimeError("ballots are insert-only")


#: PostgreSQL refuses UPDATE and DELETE on ballots whatever the client (also in migration 0004).
BALLOTS_TRIGGER_SQL = (
    "CREATE OR REPLACE FUNCTION ballots_insert_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'ballots are insert-only'; END; $$ LANGUAGE plpgsql; "
    "CREATE TRIGGER ballots_insert_only BEFORE UPDATE OR DELETE ON ballots "
    "FOR EACH ROW EXECUTE FUNCTION ballots_insert_only();"
)

event.listen(
    Ballot.__table__, "after_create", DDL(BALLOTS_TRIGGER_SQL).execute_if(dialect="postgresql")
)


class Checkpoint(Model):
    """The log's size and Merkle root at a moment, shown publicly while the vote is open."""

    __tablename__ = "vote_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"), index=True)
    size: Mapped[int]
    root: Mapped[str] = mapped_column(String(64))
    #: ISO 8601 UTC with Z, as published.
    at: Mapped[str] = mapped_column(String(40))
    taken_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The checkpoint as a note signed with the site's log key (c2sp.org/tlog-checkpoint).
    note: Mapped[str | None] = mapped_column(Text)

    vote: Mapped[Vote] = relationship(back_populates="checkpoints")
    cosignatures: Mapped[list["Cosignature"]] = relationship(
        back_populates="checkpoint", order_by="Cosignature.witness"
    )

    def as_dict(self) -> dict:
        return {"size": self.size, "root": self.root, "at": self.at}

    def cosigned_note(self) -> str | None:
        """The signed note with every cosignature received so far (None before issue 12)."""
        if self.note is None:
            return None
        lines = "".join(c.line for c in self.cosignatures)
        return tlog.add_signatures(self.note, lines) if lines else self.note


from app.votes.tree_models import TreeNode  # noqa: E402, F401 - its table is the votes domain's
from app.votes.witness_models import Cosignature, Witness  # noqa: E402 - they refer back by name
