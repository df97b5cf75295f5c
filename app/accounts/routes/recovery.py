"""Getting back in: reset codes issued in person, reset links by e-mail (accounts/recovery.py)."""

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user, login_required, login_user, logout_user

from app.accounts import bp
from app.accounts.forms import (
    FindAccountForm,
    ResetCodeForm,
    ResetLinkForm,
    ResetRequestForm,
    normalise_phone,
)
from app.accounts.models import Membership
from app.accounts.operations import log_in
from app.accounts.permissions import can_appoint_roles, can_view_members
from app.accounts.queries import user_by_identifier
from app.accounts.recovery import (
    RESET_CODE_HOURS,
    issue_reset_code,
    request_reset_link,
    reset_with_code,
    reset_with_link,
    user_of_link,
)
from app.accounts.throttle import failed, normalised_identifier
from app.core.errors import DomainError, NotAllowed, NotFound, on_refusal
from app.extensions import db, limiter
from app.org.models import Community


def _limit(name: str):
    return lambda: current_app.config[name]


def _email_key() -> str:
    return "reset-email:" + normalised_identifier(request.form.get("email"))


def _show_code(member, reset, code: str):
    """The page with the code in clear: shown once, never stored, never cached."""
    g.personal_data = True
    return render_template(
        "accounts/reset_code_issued.html",
        member=member,
        code=f"{code[:4]} {code[4:]}",
        reset=reset,
        hours=RESET_CODE_HOURS,
    )


@bp.post("/communities/<int:community_id>/members/<int:membership_id>/reset-code")
@login_required
def issue_code(community_id: int, membership_id: int):
    """The secretary gives a resident of her community a one-time code for a new password."""
    community = db.get_or_404(Community, community_id)
    if not can_view_members(current_user, community):
        raise NotAllowed()
    membership = db.get_or_404(Membership, membership_id)
    if membership.community.id != community.id or not membership.is_current:
        raise NotFound()
    reset, code = issue_reset_code(membership.user, actor=current_user)
    return _show_code(membership.user, reset, code)


@bp.route("/admin/reset-code", methods=["GET", "POST"])
@login_required
def admin_reset_code():
    """An admin gives any account a one-time code for a new password."""
    if not can_appoint_roles(current_user):
        raise NotAllowed()
    form = FindAccountForm()

    def render():
        return render_template("accounts/admin_reset_code.html", form=form)

    if form.validate_on_submit():
        member = user_by_identifier(form.user.data)
        if member is None or not member.is_active:
            form.user.errors.append(_("No account with that phone or e-mail."))
            return render(), 400
        on_refusal(render, form)
        reset, code = issue_reset_code(member, actor=current_user)
        return _show_code(member, reset, code)
    return render(), 400 if form.errors else 200


@bp.route("/reset/code", methods=["GET", "POST"])
# Only refused attempts count; each account's newest code also stops after 5 wrong ones.
@limiter.limit(_limit("RESET_CODE_LIMIT"), methods=["POST"], deduct_when=failed)
def reset_with_code_page():
    """Public: phone, the code from the residents' committee and a new password."""
    form = ResetCodeForm()
    g.personal_data = True

    def render():
        return render_template("accounts/reset_code.html", form=form)

    if form.validate_on_submit():
        on_refusal(render, form, "code")
        user = reset_with_code(normalise_phone(form.phone.data), form.code.data, form.password.data)
        _log_in(user)
        return redirect(url_for("core.home"), 303)
    return render(), 400 if form.errors else 200


def _log_in(user) -> None:
    if current_user.is_authenticated and current_user.id != user.id:
        # Someone else's session on a shared phone: this page logs in the account it reset.
        logout_user()
    login_user(user)
    log_in(user)
    # The form was read in the visitor's language; the flash speaks the user's own.
    refresh()
    flash(_("Your new password is set. You are logged in."), "success")


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_limit("RESET_REQUEST_LIMIT"), methods=["POST"])
@limiter.limit(_limit("RESET_EMAIL_LIMIT"), key_func=_email_key, methods=["POST"])
def reset_request():
    """Public: ask for a reset link by e-mail; the answer never tells whether the address is known."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        request_reset_link(form.email.data)
        return render_template("accounts/reset_sent.html", email=form.email.data.strip())
    return render_template("accounts/reset_request.html", form=form), 400 if form.errors else 200


@bp.route("/reset/link/<token>", methods=["GET", "POST"])
def reset_with_link_page(token: str):
    """Public: choose a new password through the e-mailed link (it then stops working)."""
    g.personal_data = True
    try:
        user = user_of_link(token)
    except DomainError as refusal:
        return render_template(
            "accounts/reset_request.html", form=ResetRequestForm(), refusal=refusal.message
        ), 400
    form = ResetLinkForm(user)

    def render():
        return render_template("accounts/reset_link.html", form=form, user=user)

    if form.validate_on_submit():
        on_refusal(render, form)
        reset_with_link(token, form.password.data)
        _log_in(user)
        return redirect(url_for("core.home"), 303)
    return render(), 400 if form.errors else 200
