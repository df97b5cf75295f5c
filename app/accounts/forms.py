"""Forms for registration, log-in, profile, household membership and appointments."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    Length,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from app.accounts.models import Role
from app.accounts.passwords import HINT, MAX_LENGTH, password_problem

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


def normalise_phone(value: str | None) -> str | None:
    if not value:
        return None
    digits = re.sub(r"[\s\-]", "", value)
    if digits.startswith("+86"):
        digits = digits[3:]
    return digits or None


#: What phones and browsers need to offer the right keyboard and to fill in saved details.
PHONE_INPUT = {"inputmode": "tel", "autocomplete": "tel"}
EMAIL_INPUT = {"inputmode": "email", "autocomplete": "email", "autocapitalize": "none"}
NEW_PASSWORD_INPUT = {"autocomplete": "new-password"}
CURRENT_PASSWORD_INPUT = {"autocomplete": "current-password"}
ONE_TIME_CODE_INPUT = {"inputmode": "numeric", "autocomplete": "one-time-code"}


def new_password_field(label=None) -> PasswordField:
    """A new password: checked by the rules of accounts/passwords.py in the form's validate."""
    return PasswordField(
        label or _l("Password"),
        validators=[
            DataRequired(_l("Please choose a password.")),
            Length(max=MAX_LENGTH, message=_l("At most %(max)d characters.")),
        ],
        description=HINT,
        render_kw=NEW_PASSWORD_INPUT,
    )


def confirm_field() -> PasswordField:
    return PasswordField(
        _l("Repeat the password"),
        validators=[
            DataRequired(_l("Please repeat the password.")),
            EqualTo("password", _l("The two passwords differ.")),
        ],
        render_kw=NEW_PASSWORD_INPUT,
    )


def check_new_password(field, *, phone=None, email=None, name=None) -> None:
    """Raise the rule a new password breaks (a WTForms ValidationError), if any."""
    problem = password_problem(field.data or "", phone=phone, email=email, name=name)
    if problem:
        raise ValidationError(problem)


class RegisterForm(FlaskForm):
    display_name = StringField(
        _l("Your name"),
        validators=[
            DataRequired(_l("Please enter your name.")),
            Length(max=50, message=_l("At most %(max)d characters.")),
        ],
        description=_l("Shown to the public masked, for example 张**."),
        render_kw={"autocomplete": "name"},
    )
    phone = TelField(
        _l("Mobile phone"),
        validators=[Optional(), Length(max=20, message=_l("At most %(max)d characters."))],
        description=_l("Give a mobile number or an e-mail address (or both) to log in with."),
        render_kw=PHONE_INPUT,
    )
    email = EmailField(
        _l("E-mail"),
        validators=[
            Optional(),
            Length(max=254, message=_l("At most %(max)d characters.")),
            Email(_l("Please enter a valid e-mail address.")),
        ],
        render_kw=EMAIL_INPUT,
    )
    password = new_password_field()
    confirm = confirm_field()
    consent = BooleanField(
        _l(
            "I have read the privacy notice and agree that my name, contact and household are kept to run my community's affairs."
        ),
        validators=[DataRequired(_l("You must agree to the privacy notice to register."))],
    )

    def validate_phone(self, field):
        from app.accounts.queries import user_by_phone

        phone = normalise_phone(field.data)
        if phone is None:
            return
        if not PHONE_RE.match(phone):
            raise ValidationError(_l("Please enter an 11-digit mainland mobile number."))
        if user_by_phone(phone) is not None:
            raise ValidationError(_l("This phone number is already registered. Log in instead."))
        field.data = phone

    def validate_email(self, field):
        from app.accounts.queries import user_by_email

        if field.data:
            field.data = field.data.strip().lower()
            if user_by_email(field.data) is not None:
                raise ValidationError(
                    _l("This e-mail address is already registered. Log in instead.")
                )

    def validate_password(self, field):
        check_new_password(
            field,
            phone=normalise_phone(self.phone.data),
            email=(self.email.data or "").strip().lower() or None,
            name=self.display_name.data,
        )

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if (
            not (self.phone.data or self.email.data)
            and not self.phone.errors
            and not self.email.errors
        ):
            self.phone.errors.append(_l("Give a mobile number or an e-mail address."))
            ok = False
        return ok


class LoginForm(FlaskForm):
    identifier = StringField(
        _l("Mobile phone or e-mail"),
        validators=[
            DataRequired(_l("Please enter your mobile phone or e-mail.")),
            Length(max=254, message=_l("At most %(max)d characters.")),
        ],
        # A phone number or an address: the full keyboard, but no capitals or corrections.
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Please enter your password.")), Length(max=MAX_LENGTH)],
        render_kw=CURRENT_PASSWORD_INPUT,
    )
    remember = BooleanField(_l("Keep me logged in on this device"))
    next = HiddenField()


class ProfileForm(FlaskForm):
    display_name = StringField(
        _l("Your name"),
        validators=[
            DataRequired(_l("Please enter your name.")),
            Length(max=50, message=_l("At most %(max)d characters.")),
        ],
        render_kw={"autocomplete": "name"},
    )
    email_delivery = RadioField(
        _l("Notifications by e-mail"),
        choices=[
            SelectChoice("immediate", _l("Each one at once")),
            SelectChoice("digest", _l("One e-mail a day (daily digest)")),
            SelectChoice("none", _l("None: only here, under the bell")),
        ],
        default="immediate",
        # Optional: a form without it (an older page, a script) keeps the account's choice.
        validators=[Optional()],
        description=_l("E-mails go to the address of your account, in the language you chose."),
    )


class DeleteAccountForm(FlaskForm):
    password = PasswordField(
        _l("Your password, to confirm"),
        validators=[DataRequired(_l("Please enter your password."))],
        render_kw=CURRENT_PASSWORD_INPUT,
    )


class RedeemCodeForm(FlaskForm):
    code = StringField(
        _l("Household code"),
        validators=[
            DataRequired(_l("Please enter the code.")),
            Length(max=20, message=_l("At most %(max)d characters.")),
        ],
        description=_l("The code on the slip from your residents' committee, e.g. K7MQ-P2XD."),
    )


class MembershipRequestForm(FlaskForm):
    building = SelectField(
        _l("Building"), coerce=int, validators=[DataRequired(_l("Please choose your building."))]
    )
    number = StringField(
        _l("Flat number"),
        validators=[
            DataRequired(_l("Please enter your flat number.")),
            Length(max=20, message=_l("At most %(max)d characters.")),
        ],
        description=_l("For example 301."),
    )
    note = TextAreaField(
        _l("A note for the secretary"),
        validators=[Optional(), Length(max=200, message=_l("At most %(max)d characters."))],
        description=_l(
            "Anything that helps the secretary recognise you, e.g. the name on the property deed."
        ),
    )

    def __init__(self, buildings, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.building.choices = [(0, _l("Choose…"))] + [
            (b.id, f"{b.community.name} · {b.label}") for b in buildings
        ]


class DecisionForm(FlaskForm):
    reason = StringField(
        _l("Reason (shown to the resident if refused)"),
        validators=[Optional(), Length(max=200, message=_l("At most %(max)d characters."))],
    )


class InvitationSheetForm(FlaskForm):
    #: One checkbox per building (a multi-select list box needs Ctrl-click, which nobody knows).
    buildings = SelectMultipleField(
        _l("Buildings"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    all_buildings = BooleanField(_l("Every building of the community"))
    only_without_code = BooleanField(
        _l("Only households that have no unused code yet"), default=True
    )

    def __init__(self, buildings, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.buildings.choices = [(b.id, b.label) for b in buildings]

    def validate_buildings(self, field):
        if not field.data and not self.all_buildings.data:
            raise ValidationError(_l("Choose at least one building."))

    def chosen(self, buildings) -> list:
        """The buildings the sheet is for."""
        if self.all_buildings.data:
            return list(buildings)
        return [b for b in buildings if b.id in (self.buildings.data or [])]


class AppointForm(FlaskForm):
    user = StringField(
        _l("Person (mobile phone or e-mail of a registered account)"),
        validators=[DataRequired(_l("Please enter a phone number or e-mail.")), Length(max=254)],
    )
    role = SelectField(_l("Role"), validators=[DataRequired()])
    community = SelectField(_l("Community (for a secretary)"), coerce=int, validators=[Optional()])
    station = SelectField(_l("Liaison station (for a deputy)"), coerce=int, validators=[Optional()])
    body = SelectField(_l("Responsible body (for a handler)"), coerce=int, validators=[Optional()])
    title = StringField(
        _l("Title shown publicly (optional)"), validators=[Optional(), Length(max=100)]
    )

    def __init__(self, communities, stations, bodies, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = [
            (r.value, r.label) for r in (Role.SECRETARY, Role.DEPUTY, Role.HANDLER, Role.ADMIN)
        ]
        none = [(0, _l("—"))]
        self.community.choices = none + [(c.id, c.name) for c in communities]
        self.station.choices = none + [(s.id, s.name) for s in stations]
        self.body.choices = none + [(b.id, b.name) for b in bodies]

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        needs = {"secretary": self.community, "deputy": self.station, "handler": self.body}
        target = needs.get(self.role.data)
        if target is not None and not target.data:
            target.errors.append(_l("Choose where this role applies."))
            ok = False
        return ok


class NewPasswordForm(FlaskForm):
    """A new password (twice) for a known account, checked against its phone, e-mail and name."""

    password = new_password_field(_l("New password"))
    confirm = confirm_field()

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_password(self, field):
        check_new_password(
            field, phone=self.user.phone, email=self.user.email, name=self.user.display_name
        )


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Please enter your password."))],
        render_kw=CURRENT_PASSWORD_INPUT,
    )


class ResetCodeForm(FlaskForm):
    """Phone, the one-time code from the residents' committee, and a new password."""

    phone = TelField(
        _l("Mobile phone"),
        validators=[
            DataRequired(_l("Please enter your mobile phone number.")),
            Length(max=20, message=_l("At most %(max)d characters.")),
        ],
        render_kw=PHONE_INPUT,
    )
    code = StringField(
        _l("Reset code"),
        validators=[
            DataRequired(_l("Please enter the code.")),
            Length(max=20, message=_l("At most %(max)d characters.")),
        ],
        description=_l("The 8 digits on the slip from your residents' committee."),
        render_kw=ONE_TIME_CODE_INPUT,
    )
    password = new_password_field(_l("New password"))
    confirm = confirm_field()

    def validate_password(self, field):
        # The account's name and e-mail are checked once the code proved who it is
        # (accounts/recovery.py), so that this form tells nothing about a stranger's account.
        check_new_password(field, phone=normalise_phone(self.phone.data))


class ResetRequestForm(FlaskForm):
    email = EmailField(
        _l("E-mail"),
        validators=[
            DataRequired(_l("Please enter your e-mail address.")),
            Length(max=254, message=_l("At most %(max)d characters.")),
            Email(_l("Please enter a valid e-mail address.")),
        ],
        filters=[lambda value: value.strip() if value else value],
        render_kw=EMAIL_INPUT,
    )


class ResetLinkForm(NewPasswordForm):
    """The e-mailed link's page: the link already proved whose account it is."""


class FindAccountForm(FlaskForm):
    """An admin names the account to give a reset code to."""

    user = StringField(
        _l("Mobile phone or e-mail of the account"),
        validators=[DataRequired(_l("Please enter a phone number or e-mail.")), Length(max=254)],
        render_kw={"autocomplete": "off", "autocapitalize": "none"},
    )
