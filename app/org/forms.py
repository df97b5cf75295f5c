"""Admin forms for the organisation."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from app.core.fields import DateField
from app.org.models import BodyKind, CommunityKind

_MAX = _l("At most %(max)d characters.")


class SubdistrictForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Please enter a name.")), Length(max=100, message=_MAX)],
    )


class CommunityForm(FlaskForm):
    subdistrict = SelectField(
        _l("Subdistrict"), coerce=int, validators=[DataRequired(_l("Please choose a subdistrict."))]
    )
    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Please enter a name.")), Length(max=100, message=_MAX)],
    )
    kind = SelectField(_l("Kind of housing"), validators=[DataRequired()])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=200, message=_MAX)])

    def __init__(self, subdistricts, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.subdistrict.choices = [(s.id, s.name) for s in subdistricts]
        self.kind.choices = [(k.value, k.label) for k in CommunityKind]


def parse_numbers(spec: str) -> list[str]:
    """Flat numbers from "101-104, 201-204, 301": ranges and single numbers, in order."""
    numbers: list[str] = []
    for part in spec.replace("，", ",").replace("、", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if "-" in part:
            low, high = (p.strip() for p in part.split("-", 1))
            if (
                not (low.isdigit() and high.isdigit())
                or len(high) > 20
                or int(low) > int(high)
                or int(high) - int(low) > 500
            ):
                raise ValueError(part)
            numbers.extend(str(n) for n in range(int(low), int(high) + 1))
        else:
            if len(part) > 20:
                raise ValueError(part)
            numbers.append(part)
    return list(dict.fromkeys(numbers))


class BuildingForm(FlaskForm):
    name = StringField(
        _l("Building"),
        validators=[
            DataRequired(_l("Please enter the building's name.")),
            Length(max=50, message=_MAX),
        ],
        description=_l("For example 3号楼."),
    )
    unit = StringField(
        _l("Stairwell or unit (optional)"), validators=[Optional(), Length(max=50, message=_MAX)]
    )
    households = TextAreaField(
        _l("Flat numbers"),
        validators=[Optional(), Length(max=2000, message=_MAX)],
        description=_l(
            "Ranges and single numbers separated by commas, e.g. 101-104, 201-204, 301."
        ),
    )

    def validate_households(self, field):
        try:
            parse_numbers(field.data or "")
        except ValueError as bad:
            raise ValidationError(
                _l("Cannot read “%(part)s”: write a range as 101-104.", part=str(bad))
            ) from None


class StationForm(FlaskForm):
    subdistrict = SelectField(_l("Subdistrict"), coerce=int, validators=[DataRequired()])
    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Please enter a name.")), Length(max=100, message=_MAX)],
    )
    address = StringField(_l("Address"), validators=[Optional(), Length(max=200, message=_MAX)])
    communities = SelectMultipleField(
        _l("Communities served"),
        coerce=int,
        validators=[DataRequired(_l("Choose at least one community."))],
    )

    def __init__(self, subdistricts, communities, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.subdistrict.choices = [(s.id, s.name) for s in subdistricts]
        self.communities.choices = [(c.id, c.name) for c in communities]


class BodyForm(FlaskForm):
    subdistrict = SelectField(_l("Subdistrict"), coerce=int, validators=[DataRequired()])
    kind = SelectField(_l("Kind"), validators=[DataRequired()])
    community = SelectField(
        _l("Community served"),
        coerce=int,
        validators=[Optional()],
        description=_l("Leave empty for a subdistrict office, which serves every community."),
    )
    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Please enter a name.")), Length(max=100, message=_MAX)],
    )
    contact = StringField(
        _l("Public contact"), validators=[Optional(), Length(max=200, message=_MAX)]
    )

    def __init__(self, subdistricts, communities, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.subdistrict.choices = [(s.id, s.name) for s in subdistricts]
        self.kind.choices = [(k.value, k.label) for k in BodyKind]
        self.community.choices = [(0, _l("— (all communities)"))] + [
            (c.id, c.name) for c in communities
        ]

    def validate_community(self, field):
        if self.kind.data != BodyKind.SUBDISTRICT_OFFICE.value and not field.data:
            raise ValidationError(_l("Choose the community this body serves."))


class CalendarDayForm(FlaskForm):
    """A day the admin sets as a working day or a day off, over the official calendar."""

    day = DateField(_l("Date"), validators=[InputRequired(_l("Please enter a date."))])
    working = RadioField(
        _l("This day is"),
        choices=[
            SelectChoice("off", _l("A day off")),
            SelectChoice("working", _l("A working day")),
        ],
        validators=[InputRequired(_l("Please choose a working day or a day off."))],
    )
    note = StringField(
        _l("Why"),
        validators=[Optional(), Length(max=200, message=_MAX)],
        description=_l("E.g. “2027 春节调休” or “台风停工”."),
    )
