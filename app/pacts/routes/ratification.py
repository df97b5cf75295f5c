"""The secretary sends a pact in revision to a ratification vote (held by the votes domain)."""

from datetime import timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.core.errors import on_refusal
from app.core.time import from_local, to_local, utcnow
from app.pacts import bp
from app.pacts import operations as ops
from app.pacts.errors import PactConflict
from app.pacts.routes.common import managed_pact
from app.votes.forms import RatificationForm
from app.votes.models import ElectorateKind


def _local_input(moment):
    return to_local(moment).replace(tzinfo=None)


@bp.route("/<int:pact_id>/ratify", methods=["GET", "POST"])
@login_required
def ratify(pact_id: int):
    """Put the pact's latest version to a ratification vote; the pact moves to ratification."""
    pact = managed_pact(pact_id)
    if not pact.in_revision or pact.latest_version is None:
        raise PactConflict(
            _l("Only a pact in revision with a published version can go to ratification.")
        )
    form = RatificationForm()
    if request.method == "GET":
        start = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        form.opens_at.data = _local_input(start)
        form.closes_at.data = _local_input(start + timedelta(days=7))

    def render() -> str:
        return render_template("pacts/ratify.html", form=form, pact=pact)

    if not form.validate_on_submit():
        return render(), 400 if form.errors else 200
    on_refusal(render, form)
    vote = ops.send_to_ratification(
        pact,
        current_user,
        opens_at=from_local(form.opens_at.data),
        closes_at=from_local(form.closes_at.data),
        electorate_kind=ElectorateKind(form.electorate_kind.data),
        secrecy=form.secrecy.data,
        params={"quorum": form.quorum.data},
    )
    flash(
        _("The ratification vote is saved as a draft. Open it when the meeting is ready."),
        "success",
    )
    return redirect(url_for("votes.vote_page", vote_id=vote.id), 303)
