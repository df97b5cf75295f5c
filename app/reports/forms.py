"""The period a report covers: a year (this year by default), a quarter, a month, or two dates."""

from calendar import monthrange
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional

from app.core.fields import DateField, IntegerField
from app.core.time import local_today
from app.reports.models import Period

KINDS = [
    SelectChoice("year", _l("A year")),
    SelectChoice("quarter", _l("A quarter")),
    SelectChoice("month", _l("A month")),
    SelectChoice("range", _l("From one date to another")),
]


class PeriodForm(FlaskForm):
    """Read from the query string (a GET form: it changes nothing, so it needs no CSRF token)."""

    class Meta:
        csrf = False

    kind = SelectField(_l("Period"), choices=KINDS, default="year")
    year = IntegerField(_l("Year"), validators=[Optional(), NumberRange(min=2000, max=2100)])
    quarter = SelectField(
        _l("Quarter"), choices=[SelectChoice(str(q), f"Q{q}") for q in range(1, 5)], default="1"
    )
    month = SelectField(
        _l("Month"), choices=[SelectChoice(str(m), str(m)) for m in range(1, 13)], default="1"
    )
    start = DateField(_l("Start date"), validators=[Optional()])
    end = DateField(_l("End date"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.year.data is None and not self.year.raw_data:
            self.year.data = local_today().year

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.kind.data != "range":
            return True
        if self.start.data is None or self.end.data is None:
            self.end.errors = [*self.end.errors, _l("Give both dates.")]
            return False
        if self.end.data < self.start.data:
            self.end.errors = [
                *self.end.errors,
                _l("The end of the period cannot be before its start."),
            ]
            return False
        return True

    def period(self) -> Period:
        """The chosen period; call after `validate()`."""
        year = self.year.data or local_today().year
        if self.kind.data == "range" and self.start.data and self.end.data:
            return Period(self.start.data, self.end.data)
        if self.kind.data == "quarter":
            first = 3 * (int(self.quarter.data) - 1) + 1
            return Period(
                date(year, first, 1), date(year, first + 2, monthrange(year, first + 2)[1])
            )
        if self.kind.data == "month":
            month = int(self.month.data)
            return Period(date(year, month, 1), date(year, month, monthrange(year, month)[1]))
        return Period(date(year, 1, 1), date(year, 12, 31))
