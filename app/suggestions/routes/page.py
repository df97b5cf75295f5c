"""A suggestion's public page, and how each action on it loads the suggestion."""

from flask import abort, flash, g, redirect, render_template, url_for
from flask_login import current_user

from app.core import audit
from app.extensions import db
from app.suggestions import bp
from app.suggestions.forms import (
    AcceptForm,
    AnswerForm,
    CandidateForm,
    EmptyForm,
    EscalateForm,
    RateForm,
    ReasonForm,
    RerouteForm,
    ReturnVisitForm,
)
from app.suggestions.models import Suggestion
from app.suggestions.queries import bodies_serving, normalise_number, suggestion_by_number


def suggestion_or_404(number: str) -> Suggestion:
    """The suggestion with this tracking number (typed loosely), or 404."""
    canonical = normalise_number(number)
    s = suggestion_by_number(canonical) if canonical else None
    if s is None:
        abort(404)
    return s


def suggestion_page(s: Suggestion, status: int = 200, **forms):
    """Render the suggestion's page; `forms` replaces the blank forms (to show input and errors)."""
    community = s.community
    bodies = bodies_serving(community)
    context: dict = {
        "s": s,
        "community": community,
        "show_text": s.can_see_text(current_user),
        "triage": s.can_triage(current_user),
        "accept_form": forms.get("accept_form") or AcceptForm(bodies=bodies, prefix="accept"),
        "reroute_form": forms.get("reroute_form") or RerouteForm(bodies=bodies, prefix="reroute"),
        "decline_form": forms.get("decline_form") or ReasonForm(prefix="decline"),
        "answer_form": forms.get("answer_form") or AnswerForm(prefix="answer"),
        "rate_form": forms.get("rate_form") or RateForm(prefix="rate"),
        "candidate_form": forms.get("candidate_form")
        or CandidateForm(prefix="candidate", obj=None),
        "escalate_form": forms.get("escalate_form") or EscalateForm(prefix="escalate"),
        "visit_form": forms.get("visit_form") or ReturnVisitForm(prefix="visit"),
        "empty_form": EmptyForm(),
        "suggested_kind": s.category.suggested_body_kind,
    }
    if s.can_accept(current_user) and not forms.get("accept_form"):
        match = [b for b in bodies if b.kind == s.category.suggested_body_kind]
        if match:
            context["accept_form"].body.data = match[0].id
    if context["triage"] and not forms.get("candidate_form") and s.is_candidate_project:
        cf = context["candidate_form"]
        cf.title.data, cf.description.data, cf.cost.data = (
            s.candidate_title,
            s.candidate_description,
            s.candidate_cost,
        )
    if context["triage"] and (s.submitter_id is not None or s.walk_in_name):
        # The page names the submitter to those who triage it: a look at personal data.
        audit.record("personal_data.submitter", s, community=s.community_id, detail=s.number)
        g.personal_data = True
    return render_template("suggestions/suggestion.html", **context), status


def done(s: Suggestion, message: str):
    """After a successful action: say so and show the suggestion again."""
    flash(message, "success")
    return redirect(url_for("suggestions.suggestion", number=s.number), 303)


@bp.route("/suggestions/<number>")
def suggestion(number: str):
    """A suggestion's public page: status, body, deadline, history; details for those entitled."""
    s = suggestion_or_404(number)
    if s.number != number:
        return redirect(url_for("suggestions.suggestion", number=s.number), 301)
    return suggestion_page(s)


@bp.route("/suggestions/id/<int:suggestion_id>")
def suggestion_by_id(suggestion_id: int):
    """A suggestion by its id (how other domains link to it)."""
    s = db.get_or_404(Suggestion, suggestion_id)
    return redirect(url_for("suggestions.suggestion", number=s.number))
