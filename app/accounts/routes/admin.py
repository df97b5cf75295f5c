"""Appointments (admins), and the public page of a deputy or secretary."""

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts import bp
from app.accounts.forms import AppointForm
from app.accounts.models import Role, RoleAssignment, User
from app.accounts.operations import appoint, revoke
from app.accounts.permissions import can_appoint_roles
from app.accounts.queries import non_resident_roles, user_by_identifier
from app.core.errors import NotAllowed, on_refusal
from app.extensions import db
from app.org import queries as org
from app.org.models import Body, Community, Station


def _check_appointer() -> None:
    if not can_appoint_roles(current_user):
        raise NotAllowed()


@bp.route("/admin/roles", methods=["GET", "POST"])
@login_required
def roles():
    """Admins appoint secretaries, deputies, handlers and other admins, and revoke them."""
    _check_appointer()
    form = AppointForm(org.communities(), org.stations(), org.bodies())

    def render():
        g.personal_data = True
        return render_template("accounts/roles.html", form=form, assignments=non_resident_roles())

    if form.validate_on_submit():
        user = user_by_identifier(form.user.data)
        if user is None:
            form.user.errors.append(
                _("No account with that phone or e-mail. Ask the person to register first.")
            )
            return render(), 400
        on_refusal(render, form)
        role = Role(form.role.data)
        appoint(
            user,
            role,
            actor=current_user,
            community=db.session.get(Community, form.community.data)
            if role == Role.SECRETARY
            else None,
            station=db.session.get(Station, form.station.data) if role == Role.DEPUTY else None,
            body=db.session.get(Body, form.body.data) if role == Role.HANDLER else None,
            title=form.title.data or "",
        )
        flash(_("%(name)s is now %(role)s.", name=user.display_name, role=role.label), "success")
        return redirect(url_for("accounts.roles"), 303)
    return render(), 400 if form.errors else 200


@bp.post("/admin/roles/<int:assignment_id>/revoke")
@login_required
def revoke_role(assignment_id: int):
    """Take a role away (never one's own administrator role)."""
    _check_appointer()
    assignment = db.get_or_404(RoleAssignment, assignment_id)
    revoke(assignment, actor=current_user)
    flash(_("Role removed."), "success")
    return redirect(url_for("accounts.roles"), 303)


@bp.route("/users/<int:user_id>")
def user_page(user_id: int):
    """Public page of a deputy or secretary (residents have no public page)."""
    user = db.get_or_404(User, user_id)
    public_roles = [r for r in user.roles if r.role in (Role.DEPUTY, Role.SECRETARY)]
    if not public_roles or not user.is_active:
        abort(404)
    return render_template("accounts/user.html", user=user, public_roles=public_roles)
