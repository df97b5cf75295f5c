"""Follow-through pages: escalation by hand (督办), the return visit (回访) and its list, and the
community's time limits per category."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.errors import NotAllowed, on_refusal
from app.extensions import db
from app.org.models import Community
from app.suggestions import bp, permissions
from app.suggestions.followup import escalate_suggestion, record_return_visit, set_time_limit
from app.suggestions.forms import EscalateForm, ReturnVisitForm, TimeLimitForm
from app.suggestions.models import DEFAULT_DUE_WORKING_DAYS, Category, VisitOutcome
from app.suggestions.queries import awaiting_return_visit, time_limits_of
from app.suggestions.routes.page import done, suggestion_or_404, suggestion_page


@bp.post("/suggestions/<number>/escalate")
@login_required
def escalate(number: str):
    """The secretary escalates (督办) a suggestion awaiting an answer, with a public reason."""
    s = suggestion_or_404(number)
    if not s.can_triage(current_user):
        raise NotAllowed()
    form = EscalateForm(prefix="escalate")
    if not form.validate_on_submit():
        return suggestion_page(s, 400, escalate_form=form)
    on_refusal(lambda: suggestion_page(s, escalate_form=form)[0], form, "reason")
    escalate_suggestion(s, form.reason.data, actor=current_user)
    return done(s, _("The suggestion is escalated; the secretary and the subdistrict are told."))


@bp.post("/suggestions/<number>/return-visit")
@login_required
def return_visit(number: str):
    """The secretary records a return visit's outcome; "not satisfied" reopens the suggestion."""
    s = suggestion_or_404(number)
    if not s.can_triage(current_user):
        raise NotAllowed()
    form = ReturnVisitForm(prefix="visit")
    if not form.validate_on_submit():
        return suggestion_page(s, 400, visit_form=form)
    on_refusal(lambda: suggestion_page(s, visit_form=form)[0], form, "outcome")
    record_return_visit(
        s, VisitOutcome(form.outcome.data), form.note.data or "", actor=current_user
    )
    if s.is_reopened:
        return done(s, _("The return visit is recorded. The suggestion is reopened."))
    return done(s, _("The return visit is recorded."))


def _community_for_secretary(community_id: int) -> Community:
    community = db.get_or_404(Community, community_id)
    if not permissions.can_triage(current_user, community):
        raise NotAllowed()
    return community


@bp.route("/community/<int:community_id>/suggestions/return-visits")
@login_required
def return_visits(community_id: int):
    """The secretary's return-visit list: answers left unrated past their window, and walk-ins."""
    community = _community_for_secretary(community_id)
    return render_template(
        "suggestions/return_visits.html",
        community=community,
        items=awaiting_return_visit(community.id),
    )


@bp.route("/community/<int:community_id>/suggestions/time-limits", methods=["GET", "POST"])
@login_required
def time_limits(community_id: int):
    """The community's time limit per category (15 working days unless the secretary sets one)."""
    community = db.get_or_404(Community, community_id)
    if not permissions.can_set_time_limits(current_user, community):
        raise NotAllowed()
    form = TimeLimitForm()

    def render(status: int = 200):
        return render_template(
            "suggestions/time_limits.html",
            community=community,
            form=form,
            limits=time_limits_of(community.id),
            default=DEFAULT_DUE_WORKING_DAYS,
        ), status

    if form.validate_on_submit():
        on_refusal(lambda: render()[0], form, "working_days")
        category = Category(form.category.data)
        set_time_limit(community.id, category, form.working_days.data, actor=current_user)
        flash(
            _(
                "%(category)s: %(num)d working days.",
                category=category.label,
                num=form.working_days.data,
            ),
            "success",
        )
        return redirect(url_for("suggestions.time_limits", community_id=community.id), 303)
    return render(400 if form.errors else 200)
