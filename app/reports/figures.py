"""The ledger's figures as pure functions of plain values, so that tests check them directly."""

import math
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from statistics import median as _median

from app.core.workdays import is_working_day, working_days_between


def response_working_days(accepted: date, first_answered: date) -> int:
    """Statutory working days from acceptance to the first answer (the acceptance day not counted)."""
    return working_days_between(accepted, first_answered)


class WorkingDays:
    """`working_days_between` for many pairs of dates: each day is looked up once, then counted
    by differences of a running total (a ledger of 10,000 suggestions asks about 400 days)."""

    def __init__(self) -> None:
        self._first: date | None = None
        self._totals: list[int] = []

    def _extend(self, start: date, end: date) -> None:
        if self._first is None or start < self._first:
            self._first, self._totals = start, []
        day = self._first + timedelta(days=len(self._totals))
        total = self._totals[-1] if self._totals else 0
        while day <= end:
            total += 1 if day != self._first and is_working_day(day) else 0
            self._totals.append(total)
            day += timedelta(days=1)

    def between(self, start: date, end: date) -> int:
        """As `working_days_between(start, end)`: working days after `start` up to `end`."""
        if end <= start:
            return 0
        first = self._first
        if first is None or start < first or (end - first).days >= len(self._totals):
            self._extend(start if first is None else min(start, first), end)
            first = self._first or start
        return self._totals[(end - first).days] - self._totals[(start - first).days]


def median(values: Sequence[float]) -> float | None:
    return float(_median(values)) if values else None


def percentile(values: Sequence[float], share: float) -> float | None:
    """The nearest-rank percentile: the smallest value at least `share` of the values do not exceed."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(math.ceil(share * len(ordered)), 1)
    return float(ordered[rank - 1])


def median_of_counts(counts: Mapping[int, int]) -> float | None:
    """The median of values given as a histogram {value: how many times}."""
    n = sum(counts.values())
    if not n:
        return None
    lower, upper = _nth(counts, (n - 1) // 2), _nth(counts, n // 2)
    return (lower + upper) / 2


def percentile_of_counts(counts: Mapping[int, int], share: float) -> float | None:
    """`percentile` of values given as a histogram."""
    n = sum(counts.values())
    if not n:
        return None
    return float(_nth(counts, max(math.ceil(share * n), 1) - 1))


def _nth(counts: Mapping[int, int], index: int) -> int:
    """The value at 0-based `index` of the sorted values."""
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if index < seen:
            return value
    raise IndexError(index)


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
