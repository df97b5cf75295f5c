"""Numbers and dates that fit their column: one rule for every form and query (issue 14).

Every integer a form or a query parameter carries ends up in a PostgreSQL `integer` column or
in a query against one; a value beyond it makes the database fail (a 500) instead of a clear
message. Dates far in the past or future are typing errors, never a community's business.

- `IntegerField`, `DateField`, `DateTimeLocalField`: WTForms' fields, with the column's range
  (integers) and `MIN_DATE`..`MAX_DATE` (dates) checked before the form's own validators, with
  a message in the user's language. Forms import them from here instead of from `wtforms`.
- `bounded_int`: the same rule for a raw value (a hidden field, a query parameter).
- `BoundedMultiDict`: `request.args`/`request.form` as the guard hands them to views, whose
  `.get(name, type=int)` treats an out-of-range number like one that is not a number at all.
"""

from datetime import date, datetime
from typing import Any

import wtforms
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import CombinedMultiDict, ImmutableMultiDict
from wtforms.validators import NumberRange, StopValidation

#: The range of a PostgreSQL `integer` column (every id, count and amount column here).
MIN_INT = -(2**31)
MAX_INT = 2**31 - 1
#: Dates a form accepts: anything else is a typing error (0001-01-01, 9999-12-31).
MIN_DATE = date(2000, 1, 1)
MAX_DATE = date(2099, 12, 31)


def bounded_int(value: Any, *, low: int = MIN_INT, high: int = MAX_INT) -> int | None:
    """`value` as an int when it is one within `low`..`high`, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value or len(value) > 20:
            return None
        try:
            value = int(value)
        except ValueError:
            return None
    if not isinstance(value, int):
        return None
    return value if low <= value <= high else None


def _bounded_get(self, key, default=None, type=None):  # noqa: A002 - werkzeug's signature
    value = self._unbounded_get(key, default=default, type=type)
    if type is int and isinstance(value, int) and value is not default:
        return value if MIN_INT <= value <= MAX_INT else default
    return value


class BoundedMultiDict(ImmutableMultiDict):
    """Werkzeug's immutable multi-dict whose `get(..., type=int)` keeps to the column's range."""

    _unbounded_get = ImmutableMultiDict.get
    get = _bounded_get  # type: ignore[assignment]


class BoundedCombinedMultiDict(CombinedMultiDict):
    """`request.values` with the same rule as `BoundedMultiDict`."""

    _unbounded_get = CombinedMultiDict.get
    get = _bounded_get  # type: ignore[assignment]


class IntegerField(wtforms.IntegerField):
    """An integer within the column's range; the message names the field's own NumberRange."""

    def __init__(self, *args, min_value: int = MIN_INT, max_value: int = MAX_INT, **kwargs):
        super().__init__(*args, **kwargs)
        # The form's own NumberRange narrows the range, so the message names the real bounds.
        for validator in self.validators:
            if isinstance(validator, NumberRange):
                if validator.min is not None:
                    min_value = max(min_value, int(validator.min))
                if validator.max is not None:
                    max_value = min(max_value, int(validator.max))
        self.min_value = max(min_value, MIN_INT)
        self.max_value = min(max_value, MAX_INT)

    def pre_validate(self, form) -> None:
        # Beyond the column: refused here, naming the field's own range. Within the column the
        # form's NumberRange (with its own message) has its say.
        if self.data is not None and not (MIN_INT <= self.data <= MAX_INT):
            self.errors.append(
                _l(
                    "Please enter a number between %(min)s and %(max)s.",
                    min=f"{self.min_value:,}",
                    max=f"{self.max_value:,}",
                )
            )
            raise StopValidation()


def _date_part(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


class _DateRange:
    """Shared by the date fields: the value lies between MIN_DATE and MAX_DATE."""

    min_date: date = MIN_DATE
    max_date: date = MAX_DATE

    def pre_validate(self, form) -> None:
        data = self.data  # type: ignore[attr-defined]
        if data is not None and not (self.min_date <= _date_part(data) <= self.max_date):
            self.errors.append(  # type: ignore[attr-defined]
                _l(
                    "Please enter a date between %(min)s and %(max)s.",
                    min=self.min_date.isoformat(),
                    max=self.max_date.isoformat(),
                )
            )
            raise StopValidation()


class DateField(_DateRange, wtforms.DateField):
    """A date between MIN_DATE and MAX_DATE."""


class DateTimeLocalField(_DateRange, wtforms.DateTimeLocalField):
    """A local date and time between MIN_DATE and MAX_DATE."""
