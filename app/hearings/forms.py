"""Forms of the hearings domain; datetimes typed by users are Shanghai wall time."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from app.core.fields import DateField, DateTimeLocalField, IntegerField
from app.core.once import OnceForm
from app.hearings.models import SessionKind
from app.suggestions.forms import EmptyForm, ReasonForm, SuggestionForm, coerce_optional_int

__all__ = [
    "ActionDoneForm",
    "EmptyForm",
    "MinutesForm",
    "ReasonForm",
    "RecordSuggestionForm",
    "RegisterForm",
    "RescheduleForm",
    "SessionForm",
    "WalkInForm",
]

_MAX = _l("At most %(max)d characters.")


class SessionForm(FlaskForm):
    kind = SelectField(_l("Kind of session"), validators=[DataRequired()])
    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(_l("Please give the session a title.")),
            Length(max=200, message=_MAX),
        ],
    )
    community = SelectField(_l("Community"), coerce=coerce_optional_int, validators=[Optional()])
    #: Chosen by title from a <datalist> of the communities' pacts, votes, projects and
    #: suggestions (hearings/subjects.py); the browser narrows the list as one types.
    subject = StringField(
        _l("Linked pact, vote, project or suggestion"),
        validators=[Optional(), Length(max=300, message=_MAX)],
        description=_l("Type part of its title and choose it from the list; leave empty for none."),
    )
    subject_text = TextAreaField(
        _l("Subject"),
        validators=[Optional(), Length(max=2000, message=_MAX)],
        description=_l("What the session is about, in a few sentences."),
    )
    starts_at = DateTimeLocalField(
        _l("Starts"),
        format="%Y-%m-%dT%H:%M",
        validators=[DataRequired(_l("Please give the date and time."))],
    )
    ends_at = DateTimeLocalField(
        _l("Ends"),
        format="%Y-%m-%dT%H:%M",
        validators=[DataRequired(_l("Please give the date and time."))],
    )
    place = StringField(
        _l("Place"),
        validators=[DataRequired(_l("Please say where.")), Length(max=200, message=_MAX)],
    )
    capacity = IntegerField(
        _l("Seats"),
        validators=[Optional(), NumberRange(min=1, max=10000)],
        description=_l("Leave empty for no limit; when full, residents join a waiting list."),
    )
    host = SelectField(_l("Receiving deputy"), coerce=coerce_optional_int, validators=[Optional()])
    agenda = TextAreaField(
        _l("Agenda"),
        validators=[Optional(), Length(max=3000, message=_MAX)],
        description=_l("One item per line."),
    )

    def __init__(self, communities=(), deputies=(), *args, subjects=(), **kwargs):
        super().__init__(*args, **kwargs)
        #: (type, id, label) of what the session may be about.
        self.subjects = list(subjects)
        self.kind.choices = [(k.value, k.label) for k in SessionKind]
        self.community.choices = [("", _l("All communities of the station"))] + [
            (c.id, c.name) for c in communities
        ]
        self.host.choices = [("", "—")] + [(d.id, d.display_name) for d in deputies]

    def validate_ends_at(self, field):
        if self.starts_at.data and field.data and field.data < self.starts_at.data:
            raise ValidationError(_l("The session cannot end before it starts."))

    def validate_subject(self, field):
        if (field.data or "").strip() and self.chosen_subject() is None:
            raise ValidationError(_l("Please choose the subject from the list."))

    def chosen_subject(self) -> tuple[str, int] | None:
        """(type, id) of the subject picked from the list, or None."""
        text = (self.subject.data or "").strip()
        for subject_type, subject_id, label in self.subjects:
            if label == text:
                return subject_type, subject_id
        return None

    def choose_subject(self, subject_type: str, subject_id: int) -> None:
        """Prefill the subject (from a "schedule a hearing about this" link)."""
        for t, i, label in self.subjects:
            if (t, i) == (subject_type, subject_id):
                self.subject.data = label


class RescheduleForm(FlaskForm):
    starts_at = DateTimeLocalField(
        _l("Starts"),
        format="%Y-%m-%dT%H:%M",
        validators=[DataRequired(_l("Please give the date and time."))],
    )
    ends_at = DateTimeLocalField(
        _l("Ends"),
        format="%Y-%m-%dT%H:%M",
        validators=[DataRequired(_l("Please give the date and time."))],
    )
    place = StringField(
        _l("Place"),
        validators=[DataRequired(_l("Please say where.")), Length(max=200, message=_MAX)],
    )
    capacity = IntegerField(_l("Seats"), validators=[Optional(), NumberRange(min=1, max=10000)])

    def validate_ends_at(self, field):
        if self.starts_at.data and field.data and field.data < self.starts_at.data:
            raise ValidationError(_l("The session cannot end before it starts."))


class RegisterForm(OnceForm):
    speak_topic = StringField(
        _l("I would like to speak about (optional)"),
        validators=[Optional(), Length(max=200, message=_MAX)],
    )


class WalkInForm(FlaskForm):
    name = StringField(_l("Name (optional)"), validators=[Optional(), Length(max=50, message=_MAX)])
    building = SelectField(
        _l("Building (optional)"), coerce=coerce_optional_int, validators=[Optional()]
    )

    def __init__(self, buildings=(), *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.building.choices = [("", "—")] + [
            (b.id, f"{b.community.name} {b.label}") for b in buildings
        ]


class ActionForm(Form):
    text = StringField(
        _l("Follow-up action"), validators=[Optional(), Length(max=500, message=_MAX)]
    )
    body = SelectField(_l("Responsible body"), coerce=coerce_optional_int, validators=[Optional()])
    due_date = DateField(_l("Due date"), validators=[Optional()])


class SpeakerForm(Form):
    #: A member registered for the session: the minutes then show their current display name.
    user = SelectField(
        _l("Member who spoke (optional)"), coerce=coerce_optional_int, validators=[Optional()]
    )
    name = StringField(_l("Speaker's name"), validators=[Optional(), Length(max=50, message=_MAX)])
    consent = BooleanField(_l("The speaker agreed to be named"))
    points = TextAreaField(
        _l("What was said"), validators=[Optional(), Length(max=2000, message=_MAX)]
    )


class MinutesForm(FlaskForm):
    summary = TextAreaField(
        _l("Summary"),
        validators=[
            DataRequired(_l("The minutes need a summary.")),
            Length(max=10000, message=_MAX),
        ],
    )
    decisions = TextAreaField(
        _l("Decisions"), validators=[Optional(), Length(max=5000, message=_MAX)]
    )
    actions = FieldList(FormField(ActionForm), min_entries=3, max_entries=10)
    speakers = FieldList(FormField(SpeakerForm), min_entries=3, max_entries=20)
    correction_note = StringField(
        _l("What this correction changes"), validators=[Optional(), Length(max=500, message=_MAX)]
    )

    def __init__(self, bodies=(), members=(), *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._bodies = list(bodies)
        self._members = list(members)
        self.set_choices()

    def set_choices(self):
        for entry in self.actions:
            entry.form.body.choices = [("", "—")] + [(b.id, b.name) for b in self._bodies]
        for entry in self.speakers:
            entry.form.user.choices = [("", _l("Not linked (type the name)"))] + [
                (u.id, u.display_name) for u in self._members
            ]

    def prefill(self, minutes) -> None:
        """Start a correction from the published text, actions and speakers."""
        self.summary.data, self.decisions.data = minutes.summary, minutes.decisions
        for i, action in enumerate(minutes.actions):
            if i >= len(self.actions.entries):
                self.actions.append_entry()
            entry = self.actions.entries[i].form
            entry.text.data, entry.body.data, entry.due_date.data = (
                action.text,
                action.body_id,
                action.due_date,
            )
        for i, speaker in enumerate(minutes.speakers):
            if i >= len(self.speakers.entries):
                self.speakers.append_entry()
            entry = self.speakers.entries[i].form
            entry.name.data, entry.consent.data, entry.points.data = (
                speaker.name,
                speaker.consent,
                speaker.points,
            )
            entry.user.data = speaker.user_id
        self.set_choices()


class RecordSuggestionForm(SuggestionForm):
    """A deputy or secretary records what a resident said at a session or reception."""

    community = SelectField(_l("Community"), coerce=int, validators=[DataRequired()])
    walk_in_name = StringField(
        _l("Resident's name (optional, never public)"),
        validators=[Optional(), Length(max=50, message=_MAX)],
    )
    from_minutes = BooleanField(_l("Drawn from the minutes"))

    def __init__(self, communities=(), buildings=(), *args, **kwargs):
        super().__init__(buildings, *args, **kwargs)
        # The form speaks to the deputy or secretary writing it down, not to the resident.
        self.summary.label.text = _l("The resident's suggestion in one sentence")
        self.summary.description = _l("This sentence is public; the resident's name never is.")
        self.community.choices = [(c.id, c.name) for c in communities]
        self.building.choices = [("", _l("The whole community"))] + [
            (b.id, f"{b.community.name} {b.label}") for b in buildings
        ]


class ActionDoneForm(FlaskForm):
    """Mark a follow-up action done; one per action on the session page (prefixed by its id).

    CSRF is checked for every POST by the app's `CSRFProtect`; the form carries the plain token.
    """

    class Meta:
        csrf = False

    note = StringField(
        _l("Note (optional)"),
        validators=[Optional(), Length(max=500, message=_MAX)],
        description=_l("What was done, for the record."),
    )


def action_done_form(action_id: int, **kwargs) -> ActionDoneForm:
    return ActionDoneForm(prefix=f"action-{action_id}", **kwargs)
