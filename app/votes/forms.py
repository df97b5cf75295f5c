"""Forms of the votes domain. Ballots themselves are plain forms read in routes.py (their fields
depend on the vote), still covered by CSRFProtect like every POST."""

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from app.core.fields import DateTimeLocalField, IntegerField
from app.votes.models import ElectorateKind, Method, Secrecy


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class VoteForm(FlaskForm):
    """Define or edit a draft vote. `stations` and `projects` are passed by the view."""

    title = StringField(_l("Title of the vote"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(
        _l("What this vote decides"),
        validators=[Length(max=5000)],
        description=_l("Why this vote is held and what it decides (markdown)."),
    )
    electorate_kind = SelectField(
        _l("Who votes"), choices=[SelectChoice(k.value, k.label) for k in ElectorateKind]
    )
    station_id = SelectField(
        _l("Liaison station (for a deputies' vote)"), coerce=int, choices=[], validate_choice=False
    )
    method = SelectField(
        _l("Method"),
        choices=[SelectChoice(m.value, m.label) for m in Method if m != Method.RATIFICATION],
    )
    secrecy = SelectField(
        _l("Secrecy"),
        choices=[SelectChoice(s.value, s.label) for s in Secrecy],
        description=_l(
            "Secret means hidden from the public, not from the server: only who "
            "took part is published, never how."
        ),
    )
    max_choices = IntegerField(
        _l("Projects each voter may approve"),
        validators=[Optional(), NumberRange(min=1)],
        description=_l("Approval votes: each voter approves up to this many projects."),
    )
    seats = IntegerField(
        _l("Projects to select (seats)"),
        validators=[Optional(), NumberRange(min=1)],
        description=_l(
            "Approval votes: at most this many projects win. Default: as many as each voter may approve."
        ),
    )
    budget = IntegerField(
        _l("Budget (yuan)"),
        validators=[Optional(), NumberRange(min=1)],
        description=_l("Required for equal shares; optional limit for approval."),
    )
    threshold = IntegerField(
        _l("Threshold (votes)"),
        validators=[Optional(), NumberRange(min=0)],
        description=_l(
            "A project needs more than this many approvals or yes votes. "
            "Default: half of the whole electorate."
        ),
    )
    quorum = IntegerField(
        _l("Quorum (ballots)"),
        validators=[Optional(), NumberRange(min=0)],
        description=_l(
            "The vote is valid only if more than this many ballots are cast. "
            "Default: half of the electorate (so more than half must vote); for equal shares, "
            "none (one ballot is enough)."
        ),
    )
    witness_quorum = IntegerField(
        _l("Witnesses needed"),
        validators=[Optional(), NumberRange(min=1, max=20)],
        description=_l(
            "How many of the community's witnesses must cosign the closing checkpoint. "
            "Default: a majority of them (2 of 3)."
        ),
    )
    projects = MultiCheckboxField(_l("Projects on the ballot"), coerce=int, choices=[])
    opens_at = DateTimeLocalField(
        _l("Opens at"), validators=[InputRequired()], format="%Y-%m-%dT%H:%M"
    )
    closes_at = DateTimeLocalField(
        _l("Closes at"), validators=[InputRequired()], format="%Y-%m-%dT%H:%M"
    )
    auto_open = BooleanField(_l("Open automatically at the opening time"))

    def validate_closes_at(self, field):
        if self.opens_at.data and field.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("The vote must close after it opens."))
        if (
            self.opens_at.data
            and field.data
            and field.data - self.opens_at.data > timedelta(days=366)
        ):
            raise ValidationError(_l("A vote cannot stay open for more than a year."))

    def validate_station_id(self, field):
        if self.electorate_kind.data == ElectorateKind.DEPUTIES.value:
            if field.data not in {c[0] for c in field.choices}:
                raise ValidationError(_l("Choose the liaison station whose deputies vote."))

    def validate_projects(self, field):
        if self.method.data == Method.RATIFICATION.value:
            return
        if not field.data:
            raise ValidationError(_l("Choose at least one project for the ballot."))
        if (
            self.method.data == Method.APPROVAL.value
            and self.max_choices.data
            and self.max_choices.data > len(field.data)
        ):
            raise ValidationError(_l("A voter cannot approve more projects than the ballot has."))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        # Optional() stops a field's own chain when it is empty, so rules on empty fields live here.
        if self.method.data == Method.EQUAL_SHARES.value and not self.budget.data:
            self.budget.errors = [*self.budget.errors, _l("An equal-shares vote needs a budget.")]
            ok = False
        if self.method.data == Method.APPROVAL.value and not self.max_choices.data:
            self.max_choices.errors = [
                *self.max_choices.errors,
                _l("Say how many projects each voter may approve."),
            ]
            ok = False
        return ok

    def params(self) -> dict:
        method = self.method.data
        params = {"threshold": self.threshold.data, "quorum": self.quorum.data}
        if method == Method.APPROVAL.value:
            params.update(
                max_choices=self.max_choices.data, seats=self.seats.data, budget=self.budget.data
            )
        elif method == Method.EQUAL_SHARES.value:
            params.update(budget=self.budget.data)
        return {k: v for k, v in params.items() if v is not None}


class RatificationForm(FlaskForm):
    electorate_kind = SelectField(
        _l("Who votes"),
        choices=[
            SelectChoice(ElectorateKind.RESIDENTS.value, ElectorateKind.RESIDENTS.label),
            SelectChoice(ElectorateKind.HOUSEHOLDS.value, ElectorateKind.HOUSEHOLDS.label),
        ],
    )
    secrecy = SelectField(
        _l("Secrecy"), choices=[SelectChoice(s.value, s.label) for s in Secrecy], default="secret"
    )
    quorum = IntegerField(
        _l("Quorum (ballots)"),
        validators=[Optional(), NumberRange(min=0)],
        description=_l("Default: valid only if more than half of the electorate takes part."),
    )
    opens_at = DateTimeLocalField(
        _l("Opens at"), validators=[InputRequired()], format="%Y-%m-%dT%H:%M"
    )
    closes_at = DateTimeLocalField(
        _l("Closes at"), validators=[InputRequired()], format="%Y-%m-%dT%H:%M"
    )
    validate_closes_at = VoteForm.validate_closes_at


class CancelForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for cancelling"), validators=[DataRequired(), Length(max=500)]
    )


class EmptyForm(FlaskForm):
    """For POST-only buttons, so CSRF covers them."""


class WitnessForm(FlaskForm):
    """A witness a community trusts to cosign its ballot logs."""

    name = StringField(
        _l("Name in the policy"),
        validators=[DataRequired(), Length(max=64)],
        description=_l("A short name without spaces, e.g. owners-committee."),
    )
    vkey = StringField(
        _l("Witness key"),
        validators=[DataRequired(), Length(max=300)],
        description=_l("What `flask witness key --state DIR` prints on the witness's computer."),
    )
    url = StringField(
        _l("Address"),
        validators=[DataRequired(), Length(max=300)],
        description=_l("For example http://192.168.1.20:8765"),
    )
