"""A community secretary's pages: membership requests, the residents, household codes.

Looking at residents' personal data is audited: during a GET the entry is queued and written by
the request lifecycle in a write transaction of its own (core/lifecycle.py).
"""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required

from app.accounts import bp
from app.accounts.forms import DecisionForm, InvitationSheetForm
from app.accounts.models import Membership
from app.accounts.operations import (
    create_invitations,
    decide_membership,
    end_membership,
    withdraw_invitations,
)
from app.accounts.permissions import (
    can_approve_memberships,
    can_issue_reset_code,
    can_print_invitations,
    can_view_members,
)
from app.accounts.queries import community_members, pending_requests, unused_codes_by_building
from app.core import audit
from app.core.errors import InvalidInput, NotAllowed, on_refusal
from app.extensions import db
from app.org.models import Building, Community


def _community(community_id: int, allowed) -> Community:
    """The community of the URL, if the current user may use this page in it (else 404/403)."""
    community = db.get_or_404(Community, community_id)
    if not allowed(current_user, community):
        raise NotAllowed()
    return community


def _membership_of(community: Community, membership_id: int) -> Membership:
    membership = db.get_or_404(Membership, membership_id)
    if membership.community.id != community.id:
        abort(404)
    return membership


@bp.route("/communities/<int:community_id>/members/requests")
@login_required
def membership_requests(community_id: int):
    """Pending membership requests of a community, for its secretary."""
    community = _community(community_id, can_approve_memberships)
    requests = pending_requests(community)
    audit.record(
        "personal_data.requests", community, community=community, detail=str(len(requests))
    )
    g.personal_data = True
    return render_template(
        "accounts/requests.html", community=community, requests=requests, form=DecisionForm()
    )


@bp.post("/communities/<int:community_id>/members/requests/<int:membership_id>")
@login_required
def decide_request(community_id: int, membership_id: int):
    """Approve or refuse one membership request."""
    community = _community(community_id, can_approve_memberships)
    membership = _membership_of(community, membership_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        raise InvalidInput(_l("Please correct the reason."))
    approve = request.form.get("decision") == "approve"
    decide_membership(membership, approve, current_user, form.reason.data or "")
    flash(_("Approved.") if approve else _("Refused."), "success")
    return redirect(url_for("accounts.membership_requests", community_id=community.id), 303)


@bp.route("/communities/<int:community_id>/members")
@login_required
def members(community_id: int):
    """The community's verified residents with full names and contacts, for its secretary."""
    community = _community(community_id, can_view_members)
    memberships = community_members(community)
    audit.record(
        "personal_data.members",
        community,
        community=community,
        detail=str(len(memberships)),
    )
    g.personal_data = True
    return render_template(
        "accounts/members.html",
        community=community,
        memberships=memberships,
        can_issue_reset_code=can_issue_reset_code,
    )


@bp.post("/communities/<int:community_id>/members/<int:membership_id>/end")
@login_required
def end_member(community_id: int, membership_id: int):
    """The secretary ends a resident's membership, with a reason the resident is told."""
    community = _community(community_id, can_approve_memberships)
    membership = _membership_of(community, membership_id)
    end_membership(membership, actor=current_user, reason=request.form.get("reason") or "")
    flash(_("The membership has ended."), "success")
    return redirect(url_for("accounts.members", community_id=community.id), 303)


@bp.post("/communities/<int:community_id>/invitations/withdraw")
@login_required
def withdraw_codes(community_id: int):
    """Withdraw the unused codes of one building, e.g. when a printed sheet was lost."""
    community = _community(community_id, can_print_invitations)
    building = db.session.get(Building, request.form.get("building", type=int) or 0)
    if building is None or building.community_id != community.id:
        abort(404)
    count = withdraw_invitations(building, actor=current_user)
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
    community = _community(community_id, can_print_invitations)
    form = InvitationSheetForm(community.buildings)

    def render():
        return render_template(
            "accounts/invitations.html",
            community=community,
            form=form,
            unused=unused_codes_by_building(community),
        )

    if form.validate_on_submit():
        on_refusal(render, form)
        chosen = form.chosen(community.buildings)
        created = create_invitations(
            community, chosen, only_without_code=form.only_without_code.data, actor=current_user
        )
        g.personal_data = True
        return render_template(
            "accounts/invitation_sheet.html", community=community, invitations=created
        )
    return render(), 400 if form.errors else 200
