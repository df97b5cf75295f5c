"""Forms of the suggestions domain: submit, triage, answer, rate, candidate project."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from app.core.fields import MAX_INT, DateField, IntegerField
from app.core.once import OnceForm
from app.core.time import local_today
from app.suggestions.models import (
    MAX_TIME_LIMIT,
    SUMMARY_MAX,
    TEXT_MAX,
    Category,
    Rating,
    VisitOutcome,
)

_MAX = _l("At most %(max)d characters.")


def coerce_optional_int(value):
    """A select's value as an int, or None for the empty choice."""
    if value in (None, "", "None"):
        return None
    return int(value)


class EmptyForm(FlaskForm):
    """A POST-only button: CSRF covers it."""


class ReasonForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(_l("Please give a reason.")), Length(max=500, message=_MAX)],
    )


def _category_choices():
    return [(c.value, c.label) for c in Category]


class SuggestionForm(OnceForm):
    category = RadioField(
        _l("What is it about?"), validators=[InputRequired(_l("Please choose a topic."))]
    )
    summary = StringField(
        _l("Your suggestion in one sentence"),
        validators=[
            DataRequired(_l("Please write your suggestion.")),
            Length(max=SUMMARY_MAX, message=_MAX),
        ],
        description=_l("This sentence is public; your name never is."),
    )
    text = TextAreaField(
        _l("Details (optional)"),
        validators=[Optional(), Length(max=TEXT_MAX, message=_MAX)],
        description=_l("Only the secretary and the responsible body read the details."),
    )
    building = SelectField(
        _l("Where (building)"), coerce=coerce_optional_int, validators=[Optional()]
    )

    def __init__(self, buildings=(), *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = _category_choices()
        self.building.choices = [("", _l("The whole community"))] + [
            (b.id, b.label) for b in buildings
        ]


class AcceptForm(FlaskForm):
    body = SelectField(
        _l("Responsible body"), coerce=int, validators=[DataRequired(_l("Please choose a body."))]
    )
    due_date = DateField(
        _l("Due date"),
        validators=[Optional()],
        description=_l("Leave empty for 15 working days from today."),
    )
    note = StringField(
        _l("Public note (optional)"), validators=[Optional(), Length(max=500, message=_MAX)]
    )

    def __init__(self, bodies=(), *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.body.choices = [(b.id, f"{b.name} ({b.kind.label})") for b in bodies]

    def validate_due_date(self, field):
        if field.data is not None and field.data < local_today():
            raise ValidationError(_l("The due date cannot be in the past."))


class RerouteForm(FlaskForm):
    body = SelectField(
        _l("Send to"), coerce=int, validators=[DataRequired(_l("Please choose a body."))]
    )
    note = StringField(_l("Why (public)"), validators=[Optional(), Length(max=500, message=_MAX)])

    def __init__(self, bodies=(), *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.body.choices = [(b.id, f"{b.name} ({b.kind.label})") for b in bodies]


class AnswerForm(FlaskForm):
    answer = TextAreaField(
        _l("Answer"),
        validators=[
            DataRequired(_l("Please write the answer.")),
            Length(max=TEXT_MAX, message=_MAX),
        ],
        description=_l("The answer is public."),
    )


class RateForm(FlaskForm):
    rating = RadioField(
        _l("How satisfied are you with the answer?"),
        validators=[InputRequired(_l("Please choose a rating."))],
    )
    comment = StringField(
        _l("Comment (optional)"),
        validators=[Optional(), Length(max=500, message=_MAX)],
        description=_l("Shown publicly with your rating; your name is not."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rating.choices = [(r.value, r.label) for r in Rating]


class CandidateForm(FlaskForm):
    title = StringField(
        _l("Project title"),
        validators=[
            DataRequired(_l("Please give the project a title.")),
            Length(max=200, message=_MAX),
        ],
    )
    description = TextAreaField(
        _l("Description"), validators=[Optional(), Length(max=5000, message=_MAX)]
    )
    cost = IntegerField(
        _l("Estimated cost (yuan)"), validators=[Optional(), NumberRange(min=0, max=MAX_INT)]
    )


class EscalateForm(FlaskForm):
    reason = TextAreaField(
        _l("Why escalate (public)"),
        validators=[
            DataRequired(_l("Give a reason for escalating.")),
            Length(max=500, message=_MAX),
        ],
    )


NO_OUTCOME = _l(
    "Choose the outcome of the return visit: satisfied, not satisfied or could not be reached."
)


class ReturnVisitForm(FlaskForm):
    outcome = RadioField(_l("Outcome of the call or visit"), validators=[InputRequired(NO_OUTCOME)])
    note = TextAreaField(
        _l("Note (for staff only)"),
        validators=[Optional(), Length(max=1000, message=_MAX)],
        description=_l("“Not satisfied” reopens the suggestion, as the resident's rating would."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcome.choices = [SelectChoice(o.value, o.label) for o in VisitOutcome]


class TimeLimitForm(FlaskForm):
    category = SelectField(_l("Topic"), validators=[InputRequired(_l("Please choose a topic."))])
    working_days = IntegerField(
        _l("Working days to answer"),
        validators=[
            InputRequired(_l("Give the number of working days.")),
            NumberRange(
                min=1, max=MAX_TIME_LIMIT, message=_l("Between %(min)d and %(max)d working days.")
            ),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = [SelectChoice(c.value, c.label) for c in Category]
