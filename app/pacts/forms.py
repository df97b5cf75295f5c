"""Forms of the pacts domain; labels are lazy so they follow the reader's language."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional, ValidationError

from app.core.fields import DateTimeLocalField
from app.core.once import OnceForm
from app.pacts.models import AMENDMENT_MAX, CLAUSE_MAX, COMMENT_MAX


class NewPactForm(FlaskForm):
    title = StringField(_l("Pact title"), validators=[DataRequired(), Length(max=200)])
    summary = TextAreaField(
        _l("Why this pact (optional)"), validators=[Optional(), Length(max=2000)]
    )
    text = TextAreaField(
        _l("Text of the pact"),
        validators=[Optional(), Length(max=100_000)],
        description=_l(
            "Paste an existing document: it is split at 第一条, 一、 or 1. so you can check the "
            "clauses before saving. Leave it empty to write the pact clause by clause."
        ),
    )


class ClauseForm(FlaskForm):
    text = TextAreaField(_l("Clause"), validators=[DataRequired(), Length(max=CLAUSE_MAX)])


class ConsultationForm(FlaskForm):
    opens_at = DateTimeLocalField(
        _l("Consultation opens"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()]
    )
    closes_at = DateTimeLocalField(
        _l("Consultation closes"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()]
    )

    def validate_closes_at(self, field):
        if self.opens_at.data and field.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("The consultation must close after it opens."))


class CommentForm(OnceForm):
    body = TextAreaField(
        _l("Your comment"),
        validators=[DataRequired(), Length(max=COMMENT_MAX)],
        description=_l("You may use **bold**, *italic*, lists and links."),
    )
    parent_id = HiddenField()


class EditCommentForm(FlaskForm):
    body = TextAreaField(_l("Your comment"), validators=[DataRequired(), Length(max=COMMENT_MAX)])


class AmendmentForm(OnceForm):
    text = TextAreaField(
        _l("Proposed text of the clause"), validators=[DataRequired(), Length(max=AMENDMENT_MAX)]
    )
    reason = TextAreaField(_l("Why"), validators=[DataRequired(), Length(max=AMENDMENT_MAX)])


class DecisionForm(FlaskForm):
    # Rendered as two radio buttons in the template; a plain field avoids WTForms' choice API churn.
    decision = StringField(_l("Decision"), validators=[DataRequired(), AnyOf(["accept", "reject"])])
    response = TextAreaField(
        _l("Public reason"), validators=[DataRequired(), Length(max=AMENDMENT_MAX)]
    )


class ReasonForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=300)])


class PublishForm(FlaskForm):
    note = TextAreaField(
        _l("What changed in this version"), validators=[Optional(), Length(max=2000)]
    )
