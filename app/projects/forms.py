"""Forms of the projects domain."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from app.core.fields import MAX_INT, DateField, IntegerField


class ProjectForm(FlaskForm):
    title = StringField(_l("Project title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    estimated_cost = IntegerField(
        _l("Estimated cost (yuan)"), validators=[InputRequired(), NumberRange(min=0, max=MAX_INT)]
    )
    proponent = StringField(
        _l("Proposed by"),
        validators=[Length(max=100)],
        description=_l("For example: residents of building 3, the owners' committee."),
    )


class ProgressForm(FlaskForm):
    on = DateField(_l("Date"), validators=[InputRequired()])
    percent = IntegerField(
        _l("Progress (%)"), validators=[InputRequired(), NumberRange(min=0, max=100)]
    )
    note = TextAreaField(_l("What was done"), validators=[DataRequired(), Length(max=2000)])


class EmptyForm(FlaskForm):
    """For POST-only buttons, so CSRF covers them."""
