"""Registration, log-in, profile, household membership, invitation sheets, appointments."""

import json

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import func, select

from app.accounts import bp
from app.accounts.forms import (
    AppointForm,
    DecisionForm,
    DeleteAccountForm,
    InvitationSheetForm,
    LoginForm,
    MembershipRequestForm,
    ProfileForm,
    RedeemCodeForm,
    RegisterForm,
)
from app.accounts.models import Invitation, Membership, Role, RoleAssignment, User
from app.accounts.operations import (
    AccountError,
    appoint,
    create_invitations,
    decide_membership,
    delete_account,
    end_membership,
    export_personal_data,
    leave_household,
    redeem_invitation,
    register_user,
    request_membership,
    revoke,
    update_profile,
    withdraw_invitations,
)
from app.accounts.permissions import require, require_admin
from app.accounts.queries import (
    community_members,
    invitation_by_code,
    pending_requests,
    user_by_identifier,
)
from app.core import audit
from app.core.i18n import select_locale
from app.core.time import utcnow
from app.core.web import safe_next
from app.extensions import db, limiter
from app.org.models import Body, Building, Community, Household, Station


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Create an account with explicit consent to the privacy notice."""
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        user = register_user(
            form.display_name.data,
            form.password.data,
            phone=form.phone.data,
            email=form.email.data,
            locale=select_locale(),
        )
        db.session.commit()
        login_user(user)
        flash(_("Welcome! Your account is ready. Now join your household."), "success")
        return redirect(url_for("accounts.join"), 303)
    return render_template("accounts/register.html", form=form), 400 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
# Only failed attempts count: a community centre's residents often share one address.
@limiter.limit(
    _login_limit, methods=["POST"], deduct_when=lambda response: response.status_code != 303
)
def login():
    """Log in with phone or e-mail and password."""
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        user = user_by_identifier(form.identifier.data)
        if user is None or not user.is_active or not user.check_password(form.password.data):
            form.password.errors.append(_("The phone/e-mail or the password is wrong."))
            return render_template("accounts/login.html", form=form), 400
        login_user(user, remember=form.remember.data)
        user.last_login_at = utcnow()
        audit.record("user.login", user, actor=user)
        db.session.commit()
        flash(_("You are logged in."), "success")
        return redirect(safe_next(form.next.data, url_for("core.home")), 303)
    return render_template("accounts/login.html", form=form), 400 if form.errors else 200


@bp.post("/logout")
def logout():
    """Log out."""
    logout_user()
    flash(_("You are logged out."), "success")
    return redirect(url_for("core.home"), 303)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile():
    """The user's own account: name, household, roles, consent, data export, deletion."""
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        update_profile(current_user, form.display_name.data)
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("accounts.profile"), 303)
    g.personal_data = True
    return render_template(
        "accounts/profile.html",
        form=form,
        delete_form=DeleteAccountForm(prefix="del"),
    ), 400 if form.errors else 200


@bp.post("/account/leave-household")
@login_required
def leave():
    """Leave the current household (moving house)."""
    leave_household(current_user)
    db.session.commit()
    flash(_("You have left your household."), "success")
    return redirect(url_for("accounts.profile"), 303)


@bp.route("/account/export.json")
@login_required
def export_data():
    """Download all personal data Yishiting holds about the user."""
    data = export_personal_data(current_user)
    db.session.commit()
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
        db.session.commit()
        logout_user()
        flash(
            _("Your account has been deleted. What you wrote stays without your name."), "success"
        )
        return redirect(url_for("core.home"), 303)
    if form.validate_on_submit():
        form.password.errors.append(_("The password is wrong."))
    return render_template(
        "accounts/profile.html", form=ProfileForm(obj=current_user), delete_form=form
    ), 400


@bp.route("/join", methods=["GET", "POST"])
@login_required
def join():
    """Join a household: redeem a household code, or ask the secretary."""
    buildings = db.session.scalars(
        select(Building).join(Community).order_by(Community.name, Building.sort_key, Building.name)
    ).all()
    code_form = RedeemCodeForm(prefix="code")
    request_form = MembershipRequestForm(buildings, prefix="req")
    status = 200
    if request.method == "POST" and "code-code" in request.form:
        if code_form.validate_on_submit():
            try:
                membership = redeem_invitation(
                    current_user, invitation_by_code(code_form.code.data)
                )
            except AccountError as error:
                code_form.code.errors.append(str(error))
            else:
                db.session.commit()
                flash(
                    _(
                        "Welcome to %(household)s, %(community)s.",
                        household=membership.household.label,
                        community=membership.community.name,
                    ),
                    "success",
                )
                return redirect(url_for("core.home"), 303)
        status = 400
    elif request.method == "POST":
        if request_form.validate_on_submit():
            household = db.session.scalar(
                select(Household).where(
                    Household.building_id == request_form.building.data,
                    Household.number == request_form.number.data.strip(),
                )
            )
            if household is None:
                request_form.number.errors.append(
                    _(
                        "There is no flat with that number in this building. Check the number, or ask your residents' committee."
                    )
                )
            else:
                try:
                    request_membership(current_user, household, request_form.note.data or "")
                except AccountError as error:
                    request_form.number.errors.append(str(error))
                else:
                    db.session.commit()
                    flash(
                        _(
                            "Your request was sent to the secretary. You will be notified of the answer."
                        ),
                        "success",
                    )
                    return redirect(url_for("core.home"), 303)
        status = 400
    return render_template(
        "accounts/join.html", code_form=code_form, request_form=request_form
    ), status


@bp.route("/communities/<int:community_id>/members/requests")
@login_required
def membership_requests(community_id: int):
    """Pending membership requests of a community, for its secretary."""
    community = db.get_or_404(Community, community_id)
    require("membership.approve", community)
    requests = pending_requests(community)
    audit.record("personal_data.view", community, community=community, detail="membership requests")
    db.session.commit()
    g.personal_data = True
    return render_template(
        "accounts/requests.html", community=community, requests=requests, form=DecisionForm()
    )


@bp.post("/communities/<int:community_id>/members/requests/<int:membership_id>")
@login_required
def decide_request(community_id: int, membership_id: int):
    """Approve or refuse one membership request."""
    community = db.get_or_404(Community, community_id)
    require("membership.approve", community)
    membership = db.get_or_404(Membership, membership_id)
    if membership.community.id != community.id:
        abort(404)
    form = DecisionForm()
    if not form.validate_on_submit():
        flash(_("Please correct the reason."), "error")
        return redirect(url_for("accounts.membership_requests", community_id=community.id), 303)
    approve = request.form.get("decision") == "approve"
    try:
        decide_membership(membership, approve, current_user, form.reason.data or "")
    except AccountError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Approved.") if approve else _("Refused."), "success")
    return redirect(url_for("accounts.membership_requests", community_id=community.id), 303)


@bp.route("/communities/<int:community_id>/members")
@login_required
def members(community_id: int):
    """The community's verified residents with full names and contacts, for its secretary."""
    community = db.get_or_404(Community, community_id)
    require("members.view", community)
    memberships = community_members(community)
    audit.record(
        "personal_data.view",
        community,
        community=community,
        detail=f"member list ({len(memberships)})",
    )
    db.session.commit()
    g.personal_data = True
    return render_template("accounts/members.html", community=community, memberships=memberships)


@bp.post("/communities/<int:community_id>/members/<int:membership_id>/end")
@login_required
def end_member(community_id: int, membership_id: int):
    """The secretary ends a resident's membership, with a reason the resident is told."""
    community = db.get_or_404(Community, community_id)
    require("membership.approve", community)
    membership = db.get_or_404(Membership, membership_id)
    if membership.community.id != community.id:
        abort(404)
    reason = (request.form.get("reason") or "").strip()
    if not reason or len(reason) > 200:
        flash(_("Give a reason (at most 200 characters); the resident is told."), "error")
        return redirect(url_for("accounts.members", community_id=community.id), 303)
    try:
        end_membership(membership, actor=current_user, reason=reason)
    except AccountError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("The membership has ended."), "success")
    return redirect(url_for("accounts.members", community_id=community.id), 303)


@bp.post("/communities/<int:community_id>/invitations/withdraw")
@login_required
def withdraw_codes(community_id: int):
    """Withdraw the unused codes of one building, e.g. when a printed sheet was lost."""
    community = db.get_or_404(Community, community_id)
    require("invitations.print", community)
    building = db.session.get(Building, request.form.get("building", type=int) or 0)
    if building is None or building.community_id != community.id:
        abort(404)
    count = withdraw_invitations(building, actor=current_user)
    db.session.commit()
    flash(
        ngettext(
            "%(num)d unused code of %(building)s withdrawn.",
            "%(num)d unused codes of %(building)s withdrawn.",
            count,
            building=building.label,
        ),
        "success",
    )
    return redirect(url_for("accounts.invitations", community_id=community.id), 303)


@bp.route("/communities/<int:community_id>/invitations", methods=["GET", "POST"])
@login_required
def invitations(community_id: int):
    """Print a sheet of one-time household codes for chosen buildings."""
    community = db.get_or_404(Community, community_id)
    require("invitations.print", community)
    form = InvitationSheetForm(community.buildings)
    if form.validate_on_submit():
        chosen = [b for b in community.buildings if b.id in form.buildings.data]
        created = create_invitations(
            chosen, only_without_code=form.only_without_code.data, actor=current_user
        )
        db.session.commit()
        g.personal_data = True
        return render_template(
            "accounts/invitation_sheet.html", community=community, invitations=created
        )
    unused = dict(
        db.session.execute(
            select(Household.building_id, func.count(Invitation.id))
            .join(Invitation, Invitation.household_id == Household.id)
            .join(Building, Household.building_id == Building.id)
            .where(
                Building.community_id == community.id,
                Invitation.redeemed_at.is_(None),
                Invitation.revoked_at.is_(None),
            )
            .group_by(Household.building_id)
        ).all()
    )
    return render_template(
        "accounts/invitations.html", community=community, form=form, unused=unused
    ), 400 if form.errors else 200


@bp.route("/admin/roles", methods=["GET", "POST"])
@login_required
def roles():
    """Admins appoint secretaries, deputies, handlers and other admins, and revoke them."""
    require_admin()
    communities = db.session.scalars(select(Community).order_by(Community.name)).all()
    stations = db.session.scalars(select(Station).order_by(Station.name)).all()
    bodies = db.session.scalars(select(Body).order_by(Body.name)).all()
    form = AppointForm(communities, stations, bodies)
    if form.validate_on_submit():
        user = user_by_identifier(form.user.data)
        if user is None:
            form.user.errors.append(
                _("No account with that phone or e-mail. Ask the person to register first.")
            )
        else:
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
            db.session.commit()
            flash(
                _("%(name)s is now %(role)s.", name=user.display_name, role=role.label), "success"
            )
            return redirect(url_for("accounts.roles"), 303)
    assignments = db.session.scalars(
        select(RoleAssignment)
        .where(RoleAssignment.role != Role.RESIDENT)
        .order_by(RoleAssignment.role, RoleAssignment.id)
    ).all()
    g.personal_data = True
    return render_template(
        "accounts/roles.html", form=form, assignments=assignments
    ), 400 if form.errors else 200


@bp.post("/admin/roles/<int:assignment_id>/revoke")
@login_required
def revoke_role(assignment_id: int):
    """Take a role away."""
    require_admin()
    assignment = db.get_or_404(RoleAssignment, assignment_id)
    if assignment.user_id == current_user.id and assignment.role == Role.ADMIN:
        flash(_("You cannot remove your own administrator role."), "error")
        return redirect(url_for("accounts.roles"), 303)
    revoke(assignment, actor=current_user)
    db.session.commit()
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
