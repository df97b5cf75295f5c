"""Amendments: propose, endorse, withdraw, and the secretary's public answer."""

from flask import flash, redirect
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core import once
from app.core.errors import NotAllowed, on_refusal
from app.extensions import limiter
from app.pacts import bp, permissions
from app.pacts import operations as ops
from app.pacts.forms import AmendmentForm, DecisionForm
from app.pacts.routes.common import (
    amendment_of,
    amendment_url,
    clause_of,
    comment_limit,
    load_pact,
    user_key,
)
from app.pacts.routes.pages import clause_forms_shown, render_clause


@bp.route("/<int:pact_id>/clauses/<int:clause_id>/amendments", methods=["POST"])
@login_required
@limiter.limit(comment_limit, key_func=user_key, methods=["POST"])
def propose(pact_id: int, clause_id: int):
    """Propose replacement text for a clause."""
    pact = load_pact(pact_id)
    clause = clause_of(pact, clause_id)
    form = AmendmentForm(prefix="am")

    def render() -> str:
        return render_clause(pact, clause, amendment_form=form)

    if not form.validate_on_submit():
        return render(), 400
    if clause_forms_shown(pact, clause):
        on_refusal(render, form, "text")
    url = once.submit(
        "pacts.amendment",
        current_user,
        form.once.data,
        lambda: amendment_url(
            ops.propose_amendment(pact, clause, current_user, form.text.data, form.reason.data)
        ),
    )
    flash(_("Your amendment is proposed. The secretary will answer it publicly."), "success")
    return redirect(url, 303)


@bp.route("/amendments/<int:amendment_id>/endorse", methods=["POST"])
@login_required
def endorse(amendment_id: int):
    """Endorse another resident's open amendment."""
    amendment = amendment_of(amendment_id)
    ops.endorse_amendment(amendment, current_user)
    flash(_("You endorsed this amendment."), "success")
    return redirect(amendment_url(amendment), 303)


@bp.route("/amendments/<int:amendment_id>/withdraw", methods=["POST"])
@login_required
def withdraw_amendment(amendment_id: int):
    """The author withdraws an open amendment."""
    amendment = amendment_of(amendment_id)
    ops.withdraw_amendment(amendment, current_user)
    flash(_("Your amendment is withdrawn."), "success")
    return redirect(amendment_url(amendment), 303)


@bp.route("/amendments/<int:amendment_id>/decide", methods=["POST"])
@login_required
def decide(amendment_id: int):
    """The secretary accepts or rejects an amendment with a public reason."""
    amendment = amendment_of(amendment_id)
    pact = load_pact(amendment.pact_id)
    if not permissions.can_manage(current_user, pact.community_id):
        raise NotAllowed()
    form = DecisionForm(prefix=f"d{amendment.id}")

    def render() -> str:
        # The clause page again with the reason as typed, so nothing written is lost.
        return render_clause(pact, amendment.clause, decision_form=form, decision_for=amendment.id)

    if not form.validate_on_submit():
        if form.decision.errors or not (form.response.data or "").strip():
            form.decision.errors = [_("Choose accept or reject and give a public reason.")]
            form.response.errors = []
        return render(), 400
    on_refusal(render, form)
    ops.decide_amendment(
        amendment, form.decision.data == "accept", form.response.data, actor=current_user
    )
    flash(_("Your answer is published."), "success")
    return redirect(amendment_url(amendment), 303)
