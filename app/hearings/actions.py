"""The completion of a follow-up action decided in the minutes: who recorded it done, when, why.

Insert-only like the minutes themselves (ORM guards and a database trigger refuse changes): one
completion per action, never undone. A correction of the minutes that repeats a done action
carries its completion over to the new action row (`operations.carry_over_completions`).
"""

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import DDL, ForeignKey, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.orm.attributes import set_committed_value

from app.core.time import utcnow
from app.extensions import Model
from app.suggestions.triggers import immutable_trigger_sql

if TYPE_CHECKING:
    from app.hearings.models import FollowUpAction

__all__ = ["ActionCompletion"]


class ActionCompletion(Model):
    """A follow-up action recorded as done; at most one per action."""

    __tablename__ = "minutes_action_completions"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("minutes_actions.id"), unique=True)
    done_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(String(500), default="")

    done_by = relationship("User")


def attach(action: "FollowUpAction", completion: ActionCompletion) -> None:
    """Show a just-added completion on its action without marking the (immutable) action dirty."""
    set_committed_value(action, "completion", completion)


def carry_over(
    previous: Iterable["FollowUpAction"], current: Iterable["FollowUpAction"]
) -> list[ActionCompletion]:
    """Completions for the `current` actions (flushed) that repeat a done `previous` one.

    "Repeat" means the same text, body and due date, as for reminders (`jobs.py`).
    """
    done = {
        (a.text, a.body_id, a.due_date): a.completion for a in previous if a.completion is not None
    }
    copies = []
    for action in current:
        earlier = done.get((action.text, action.body_id, action.due_date))
        if earlier is not None:
            copy = ActionCompletion(
                action_id=action.id,
                done_at=earlier.done_at,
                done_by_id=earlier.done_by_id,
                note=earlier.note,
            )
            attach(action, copy)
            copies.append(copy)
    return copies


def _refuse_change(_mapper, _connection, target):
    raise RuntimeError("a completion is never edited or removed")


event.listen(ActionCompletion, "before_update", _refuse_change)
event.listen(ActionCompletion, "before_delete", _refuse_change)
for _dialect in ("sqlite", "postgresql"):
    event.listen(
        ActionCompletion.__table__,
        "after_create",
        DDL(immutable_trigger_sql(ActionCompletion.__tablename__, _dialect)).execute_if(
            dialect=_dialect
        ),
    )
