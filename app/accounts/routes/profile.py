"""The user's own account: details, data export, deletion."""

import json

from flask import Response, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.accounts import bp
from app.accounts.forms import ChangePasswordForm, DeleteAccountForm, ProfileForm
from app.accounts.operations import delete_account, export_personal_data, update_profile
from app.accounts.recovery import change_password
from app.core.errors import on_refusal


def _render_profile(
    form: ProfileForm,
    delete_form: DeleteAccountForm,
    password_form: ChangePasswordForm | None = None,
) -> str:
    g.personal_data = True
    return render_template(
        "accounts/profile.html",
        form=form,
        delete_form=delete_form,
        password_form=password_form or ChangePasswordForm(current_user, prefix="pw"),
    )


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile():
    """The user's own account: name, household, roles, consent, data export, deletion."""
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        update_profile(current_user, form.display_name.data, form.email_delivery.data)
        flash(_("Saved."), "success")
        return redirect(url_for("accounts.profile"), 303)
    return _render_profile(form, DeleteAccountForm(prefix="del")), 400 if form.errors else 200


@bp.post("/account/password")
@login_required
def change_password_page():
    """Choose a new password, giving the current one."""
    form = ChangePasswordForm(current_user, prefix="pw")

    def render():
        return _render_profile(ProfileForm(obj=current_user), DeleteAccountForm(prefix="del"), form)

    if form.validate_on_submit():
        on_refusal(render, form, "current")
        user = current_user._get_current_object()
        change_password(user, form.current.data, form.password.data)
        # Sessions elsewhere end with the old password (User.get_id); this one goes on.
        login_user(user)
        flash(_("Your new password is set."), "success")
        return redirect(url_for("accounts.profile"), 303)
    return render(), 400


@bp.route("/account/export.json")
@login_required
def export_data():
    """Download all personal data Yishiting holds about the user (the look is audited)."""
    data = export_personal_data(current_user)
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": "attachment; filename=yishiting-my-data.json",
            "Cache-Control": "no-store",
        },
    )


@bp.post("/account/delete")
@login_required
def delete():
    """Delete (anonymise) the account after confirming the password."""
    form = DeleteAccountForm(prefix="del")
    if form.validate_on_submit() and current_user.check_password(form.password.data):
        delete_account(current_user)
        logout_user()
        flash(
            _("Your account has been deleted. What you wrote stays without your name."), "success"
        )
        return redirect(url_for("core.home"), 303)
    if form.validate_on_submit():
        form.password.errors.append(_("The password is wrong."))
    return _render_profile(ProfileForm(obj=current_user), form), 400
