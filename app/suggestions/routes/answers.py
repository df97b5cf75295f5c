"""The responsible body's answer and the submitter's rating (不满意 reopens it once)."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.accounts.models import Role
from app.accounts.permissions import roles_in
from app.core.errors import NotAllowed, on_refusal
from app.suggestions import bp, permissions
from app.suggestions import operations as ops
from app.suggestions.forms import AnswerForm, RateForm
from app.suggestions.models import Rating, SuggestionStatus
from app.suggestions.routes.page import done, suggestion_or_404, suggestion_page


@bp.post("/suggestions/<number>/answer")
@login_required
def answer(number: str):
    """The responsible body's handler answers."""
    s = suggestion_or_404(number)
    if Role.HANDLER not in roles_in(current_user, s.community_id):
        raise NotAllowed()
    if not permissions.can_answer(current_user, s):
        raise NotAllowed(_l("This suggestion is routed to another body."))
    s.check_move(SuggestionStatus.ANSWERED)
    form = AnswerForm(prefix="answer")
    if not form.validate_on_submit():
        return suggestion_page(s, 400, answer_form=form)
    on_refusal(lambda: suggestion_page(s, answer_form=form)[0], form)
    ops.answer_suggestion(s, form.answer.data, actor=current_user)
    return done(s, _("Your answer is published; the resident was asked to rate it."))


@bp.post("/suggestions/<number>/rate")
@login_required
def rate(number: str):
    """The submitter rates the answer; 不满意 reopens it once."""
    s = suggestion_or_404(number)
    if not permissions.can_rate(current_user, s):
        raise NotAllowed()
    s.check_rateable()
    form = RateForm(prefix="rate")
    if not form.validate_on_submit():
        return suggestion_page(s, 400, rate_form=form)
    on_refusal(lambda: suggestion_page(s, rate_form=form)[0], form)
    ops.rate_suggestion(s, Rating(form.rating.data), current_user, comment=form.comment.data or "")
    if s.is_reopened:
        return done(s, _("Thank you. The suggestion is reopened for a second answer."))
    return done(s, _("Thank you for your rating. The suggestion is closed."))
