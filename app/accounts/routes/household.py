"""Joining a household (a code, or a request to the secretary) and leaving it."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts import bp
from app.accounts.forms import MembershipRequestForm, RedeemCodeForm
from app.accounts.operations import leave_household, redeem_invitation, request_membership
from app.accounts.queries import invitation_by_code
from app.core.errors import on_refusal
from app.org.queries import buildings_for_joining, household_by_number


@bp.route("/join", methods=["GET", "POST"])
@login_required
def join():
    """Join a household: redeem a household code, or ask the secretary."""
    code_form = RedeemCodeForm(prefix="code")
    request_form = MembershipRequestForm(buildings_for_joining(), prefix="req")

    def render():
        return render_template("accounts/join.html", code_form=code_form, request_form=request_form)

    if request.method == "GET":
        return render()
    if "code-code" in request.form:
        if not code_form.validate_on_submit():
            return render(), 400
        on_refusal(render, code_form, "code")
        membership = redeem_invitation(current_user, invitation_by_code(code_form.code.data))
        flash(
            _(
                "Welcome to %(household)s, %(community)s.",
                household=membership.household.label,
                community=membership.community.name,
            ),
            "success",
        )
        return redirect(url_for("core.home"), 303)
    if not request_form.validate_on_submit():
        return render(), 400
    on_refusal(render, request_form, "number")
    household = household_by_number(request_form.building.data, request_form.number.data)
    request_membership(current_user, household, request_form.note.data or "")
    flash(
        _("Your request was sent to the secretary. You will be notified of the answer."),
        "success",
    )
    return redirect(url_for("core.home"), 303)


@bp.post("/account/leave-household")
@login_required
def leave():
    """Leave the current household (moving house)."""
    leave_household(current_user)
    flash(_("You have left your household."), "success")
    return redirect(url_for("accounts.profile"), 303)
