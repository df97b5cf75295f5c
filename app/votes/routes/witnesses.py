"""A community's witnesses: the secretary (or an administrator) adds and removes them."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.errors import on_refusal
from app.extensions import db
from app.org.models import Community
from app.votes import bp, queries, signing, witnessing
from app.votes.forms import EmptyForm, WitnessForm
from app.votes.models import Witness
from app.votes.permissions import can_manage_witnesses


def _community(community_id: int) -> Community:
    community = db.get_or_404(Community, community_id)
    if not can_manage_witnesses(current_user, community):
        abort(403)
    return community


@bp.route("/community/<int:community_id>/witnesses", methods=["GET", "POST"])
@login_required
def witnesses(community_id: int):
    """The witnesses who cosign the community's ballot logs, and the form to add one."""
    community = _community(community_id)
    form = WitnessForm()

    def render() -> str:
        return render_template(
            "votes/witnesses.html",
            community=community,
            form=form,
            witnesses=queries.community_witnesses(community.id),
            family_vkey=signing.family_vkey(),
            empty_form=EmptyForm(),
        )

    if form.validate_on_submit():
        on_refusal(render, form)
        witnessing.add_witness(
            community.id, form.name.data, form.vkey.data, form.url.data, current_user
        )
        flash(
            _("The witness is added. Votes opened from now on send it their checkpoints."),
            "success",
        )
        return redirect(url_for("votes.witnesses", community_id=community.id), 303)
    return render(), 400 if form.errors else 200


@bp.route("/community/<int:community_id>/witnesses/<int:witness_id>/remove", methods=["POST"])
@login_required
def remove_witness(community_id: int, witness_id: int):
    """Remove a witness; votes already open keep it in their published policy."""
    community = _community(community_id)
    witness = db.session.get(Witness, witness_id)
    if witness is None or witness.community_id != community.id:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    witnessing.remove_witness(witness, current_user)
    flash(_("The witness is removed."), "success")
    return redirect(url_for("votes.witnesses", community_id=community.id), 303)
