"""Witnesses a community trusts to cosign its votes' checkpoints, and the cosignatures they gave."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.time import utcnow
from app.extensions import Model


class Witness(Model):
    """A witness service (c2sp.org/tlog-witness) configured for a community: name, key and URL.

    A vote freezes the community's witnesses into its policy when it opens, so adding or
    removing one later changes only the votes opened after.
    """

    __tablename__ = "community_witnesses"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    #: The witness's name in the policy (letters, digits, dot, dash, underscore).
    name: Mapped[str] = mapped_column(String(64))
    #: Its cosigning verifier key, ``<name>+<key ID>+<key>`` (type 0x04).
    vkey: Mapped[str] = mapped_column(String(300))
    #: Its submission prefix; the app POSTs to ``<url>/add-checkpoint``.
    url: Mapped[str] = mapped_column(String(300))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    added_by = relationship("User")

    __table_args__ = (
        UniqueConstraint("community_id", "name", name="uq_community_witnesses_name"),
        UniqueConstraint("community_id", "vkey", name="uq_community_witnesses_vkey"),
    )


class Cosignature(Model):
    """One witness's ``cosignature/v1`` line over one checkpoint of a vote's log."""

    __tablename__ = "vote_cosignatures"

    id: Mapped[int] = mapped_column(primary_key=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("vote_checkpoints.id"), index=True)
    #: The witness's name in the vote's policy.
    witness: Mapped[str] = mapped_column(String(64))
    #: The signature line exactly as the witness returned it (with its newline).
    line: Mapped[str] = mapped_column(Text)
    #: The time inside the cosignature (naive UTC).
    cosigned_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)

    checkpoint = relationship("Checkpoint", back_populates="cosignatures")

    __table_args__ = (
        UniqueConstraint("checkpoint_id", "witness", name="uq_vote_cosignatures_witness"),
    )
