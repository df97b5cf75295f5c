"""Scheduled effects that must happen once, however often or however concurrently `flask tick` runs.

A job claims an effect by inserting its key into `scheduled_effects`, whose (kind, key) is
unique, inside a savepoint, in the same transaction as the effect itself:
- on SQLite every tick job runs under BEGIN IMMEDIATE, so two ticks take turns and the second
  finds the key;
- on PostgreSQL a second process inserting the same key waits for the first to commit and then
  fails on the unique index: it skips the effect, and nothing of it is kept.
If the job fails, its transaction rolls back with the claim, and the next tick tries again.
"""

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model, db


class ScheduledEffect(Model):
    """An effect of the scheduler that happened (a reminder, an escalation, a digest...)."""

    __tablename__ = "scheduled_effects"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What happened, e.g. "suggestion.remind".
    kind: Mapped[str] = mapped_column(String(60))
    #: Which one, e.g. "<suggestion id>:<due date>": the same key never happens twice.
    key: Mapped[str] = mapped_column(String(200))
    done_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("kind", "key"),)


def claim_once(kind: str, key: str, now: datetime) -> bool:
    """Claim the effect (kind, key) for this transaction; False if it happened (or is happening)."""
    try:
        with db.session.begin_nested():
            db.session.add(ScheduledEffect(kind=kind, key=key[:200], done_at=now))
            db.session.flush()
    except IntegrityError:
        return False
    return True
