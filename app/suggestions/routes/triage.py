"""The secretary's triage: accept and route, re-route, decline, close, propose as a candidate project."""

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.errors import NotAllowed, on_refusal
from app.extensions import db
from app.org.models import Body
from app.suggestions import bp
from app.suggestions import operations as ops
from app.suggestions.forms import AcceptForm, CandidateForm, EmptyForm, ReasonForm, RerouteForm
from app.suggestions.models import Suggestion, SuggestionStatus
from app.suggestions.queries import bodies_serving
from app.suggestions.routes.page import done, suggestion_or_404, suggestion_page


def _for_triage(number: str) -> Suggestion:
    """Load the suggestion and check that the current user triages its community."""
    s = suggestion_or_404(number)
    if not s.can_triage(current_user):
        raise NotAllowed()
    return s


@bp.post("/suggestions/<number>/accept")
@login_required
def accept(number: str):
    """Accept and route the suggestion to a responsible body."""
    s = _for_triage(number)
    s.check_move(SuggestionStatus.ACCEPTED)
    form = AcceptForm(bodies=bodies_serving(s.community), prefix="accept")
    if not form.validate_on_submit():
        return suggestion_page(s, 400, accept_form=form)
    on_refusal(lambda: suggestion_page(s, accept_form=form)[0], form)
    ops.accept_suggestion(
        s,
        db.session.get(Body, form.body.data),
        due_date=form.due_date.data,
        note=form.note.data or "",
        actor=current_user,
    )
    return done(
        s,
        _(
            "Accepted and sent to %(body)s, due %(due)s.",
            body=s.body.name if s.body else "",
            due=s.due_date.isoformat() if s.due_date else "",
        ),
    )


@bp.post("/suggestions/<number>/reroute")
@login_required
def reroute(number: str):
    """Send the suggestion to another body."""
    s = _for_triage(number)
    s.check_reroutable()
    form = RerouteForm(bodies=bodies_serving(s.community), prefix="reroute")
    if not form.validate_on_submit():
        return suggestion_page(s, 400, reroute_form=form)
    on_refusal(lambda: suggestion_page(s, reroute_form=form)[0], form)
    ops.reroute_suggestion(
        s, db.session.get(Body, form.body.data), note=form.note.data or "", actor=current_user
    )
    return done(s, _("Re-routed to %(body)s.", body=s.body.name if s.body else ""))


@bp.post("/suggestions/<number>/decline")
@login_required
def decline(number: str):
    """Decline with a public reason."""
    s = _for_triage(number)
    s.check_move(SuggestionStatus.DECLINED)
    form = ReasonForm(prefix="decline")
    if not form.validate_on_submit():
        return suggestion_page(s, 400, decline_form=form)
    on_refusal(lambda: suggestion_page(s, decline_form=form)[0], form)
    ops.decline_suggestion(s, form.reason.data, actor=current_user)
    return done(s, _("The suggestion is declined."))


@bp.post("/suggestions/<number>/close")
@login_required
def close(number: str):
    """Close an answered suggestion that was not rated."""
    s = _for_triage(number)
    if not EmptyForm().validate_on_submit():
        abort(400)
    ops.close_suggestion(s, actor=current_user)
    return done(s, _("The suggestion is closed."))


@bp.post("/suggestions/<number>/candidate")
@login_required
def candidate(number: str):
    """Propose the suggestion as a candidate livelihood project for a vote."""
    s = _for_triage(number)
    s.check_may_become_project()
    form = CandidateForm(prefix="candidate")
    if not form.validate_on_submit():
        return suggestion_page(s, 400, candidate_form=form)
    on_refusal(lambda: suggestion_page(s, candidate_form=form)[0], form)
    ops.mark_candidate_project(
        s, form.title.data, form.description.data or "", form.cost.data, actor=current_user
    )
    return done(s, _("Marked as a candidate project; it can now be put to a vote."))
