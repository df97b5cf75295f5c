"""The ledger's figures as pure functions of plain values, so that tests check them directly."""

import math
from collections.abc import Sequence
from datetime import date
from statistics import median as _median

from app.core.workdays import working_days_between


def response_working_days(accepted: date, first_answered: date) -> int:
    """Statutory working days from acceptance to the first answer (the acceptance day not counted)."""
    return working_days_between(accepted, first_answered)


def median(values: Sequence[float]) -> float | None:
    return float(_median(values)) if values else None


def percentile(values: Sequence[float], share: float) -> float | None:
    """The nearest-rank percentile: the smallest value at least `share` of the values do not exceed."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(math.ceil(share * len(ordered)), 1)
    return float(ordered[rank - 1])


def rate(part: int, whole: int) -> float | None:
    """`part / whole`, or None when nothing counts (never a misleading 0 %)."""
    return part / whole if whole else None


def on_time(due: date | None, first_answered: date | None, today: date) -> bool | None:
    """Whether a suggestion was answered by its due date; None while its punctuality is unknown.

    An unanswered suggestion past its due date counts as late, as on the public board.
    """
    if due is None:
        return None
    if first_answered is not None:
        return first_answered <= due
    return False if due < today else None


def turnout(cast: int, electorate: int) -> float | None:
    return rate(cast, electorate)


def as_percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"
