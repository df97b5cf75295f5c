"""Per-body statistics for the public board, as a pure function of plain records."""

from dataclasses import dataclass
from datetime import date
from statistics import median

SATISFIED_RATINGS = ("satisfied", "fairly_satisfied")


@dataclass(frozen=True)
class Record:
    """What the statistics need to know about one accepted suggestion."""

    accepted: date
    due: date | None
    #: Date of the body's first answer; None while unanswered.
    first_answered: date | None
    #: The submitter's latest rating value ("satisfied", "fairly_satisfied", "unsatisfied") or None.
    rating: str | None = None
    #: Whether the body still owes an answer (accepted or reopened).
    open: bool = False
    #: How many times it was escalated (督办).
    escalations: int = 0


@dataclass(frozen=True)
class BodyStats:
    total: int
    answered: int
    open: int
    overdue: int
    #: Median calendar days from acceptance to the first answer; None when nothing was answered.
    median_days: float | None
    #: Share of the suggestions that fell due (answered, or still open past their due date) whose first
    #: answer came on or before the due date: an overdue suggestion without an answer counts as late.
    on_time_share: float | None
    rated: int
    #: Share of rated answers rated 满意 or 基本满意.
    satisfaction_share: float | None
    #: Suggestions escalated (督办) at least once.
    escalated: int = 0


def body_stats(records: list[Record], today: date) -> BodyStats:
    """Counts, median response time, share answered on time, escalations and satisfaction of one body.

    A due date before `today` is overdue: pass `workdays.overdue_cutoff()` to count working days.
    """
    answered = [(r, r.first_answered) for r in records if r.first_answered is not None]
    days = [(first - r.accepted).days for r, first in answered]
    on_time = [r for r, first in answered if r.due is not None and first <= r.due]
    rated = [r for r in records if r.rating]
    satisfied = [r for r in rated if r.rating in SATISFIED_RATINGS]
    overdue = [r for r in records if r.open and r.due is not None and r.due < today]
    # Suggestions whose punctuality is known: answered with a due date, or never answered and already late.
    fell_due = [r for r, _first in answered if r.due is not None] + [
        r for r in overdue if r.first_answered is None
    ]
    return BodyStats(
        total=len(records),
        answered=len(answered),
        open=sum(1 for r in records if r.open),
        overdue=len(overdue),
        median_days=float(median(days)) if days else None,
        on_time_share=len(on_time) / len(fell_due) if fell_due else None,
        rated=len(rated),
        satisfaction_share=len(satisfied) / len(rated) if rated else None,
        escalated=sum(1 for r in records if r.escalations),
    )
