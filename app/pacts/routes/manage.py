"""The secretary's pages: starting a pact, editing its draft, steering its lifecycle."""

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.core.errors import InvalidInput, PageErrors, on_refusal, render_error
from app.core.time import from_local, to_local, utcnow
from app.extensions import db
from app.org.models import Community
from app.pacts import bp, permissions
from app.pacts import operations as ops
from app.pacts.forms import ClauseForm, ConsultationForm, NewPactForm, PublishForm, ReasonForm
from app.pacts.models import Pact
from app.pacts.routes.common import clause_of, managed_pact
from app.pacts.splitter import insert_after, merge, remove, split_clauses


def _managed_community(community_id: int) -> Community:
    community = db.get_or_404(Community, community_id)
    if not permissions.can_manage(current_user, community):
        abort(403)
    return community


@bp.route("/community/<int:community_id>/new", methods=["GET", "POST"])
@login_required
def new(community_id: int):
    """Start a pact: paste a document (then check the split) or begin empty."""
    community = _managed_community(community_id)
    form = NewPactForm()

    def render() -> str:
        return render_template("pacts/new.html", community=community, form=form)

    if not form.validate_on_submit():
        return render(), 400 if form.errors else 200
    clauses = split_clauses(form.text.data or "")
    if clauses:
        return render_template(
            "pacts/preview.html",
            community=community,
            title=form.title.data,
            summary=form.summary.data or "",
            clauses=clauses,
        )
    on_refusal(render, form, "title")
    pact = ops.create_pact(
        community, form.title.data, [], summary=form.summary.data, actor=current_user
    )
    flash(_("The pact is created. Now write its clauses."), "success")
    return redirect(url_for("pacts.draft", pact_id=pact.id), 303)


@bp.route("/community/<int:community_id>/preview", methods=["POST"])
@login_required
def preview(community_id: int):
    """Fix the detected split (edit, merge, remove, add) and save; works without JavaScript."""
    community = _managed_community(community_id)
    title = (request.form.get("title") or "").strip()
    summary = request.form.get("summary") or ""
    clauses = [c.replace("\r\n", "\n") for c in request.form.getlist("clause")]
    action, _sep, arg = request.form.get("op", "save").partition(":")
    index = int(arg) if arg.isdigit() else -1
    errors = PageErrors()

    def render(error: str | None = None) -> str:
        return render_template(
            "pacts/preview.html",
            community=community,
            title=title,
            summary=summary,
            clauses=clauses,
            error=error or errors.first,
        )

    if action == "merge":
        clauses = merge(clauses, index)
    elif action == "remove":
        clauses = remove(clauses, index)
    elif action == "add":
        clauses = insert_after(clauses, index, "")
    elif action == "save":
        kept = [c for c in clauses if c.strip()]
        if not title:
            return render(_("The title cannot be empty.")), 400
        if not kept:
            return render(_("A pact needs at least one clause before it is published.")), 400
        on_refusal(render, errors)
        pact = ops.create_pact(community, title, kept, summary=summary, actor=current_user)
        flash(_("The pact is saved as a draft with %(n)d clauses.", n=len(kept)), "success")
        return redirect(url_for("pacts.draft", pact_id=pact.id), 303)
    return render()


# -- drafting ------------------------------------------------------------------------


def _consultation_form(formdata=None) -> ConsultationForm:
    form = ConsultationForm(formdata=formdata)
    if formdata is None:
        now = to_local(utcnow()).replace(second=0, microsecond=0, tzinfo=None)
        form.opens_at.data = now
        form.closes_at.data = now + timedelta(days=14)
    return form


def _render_draft(
    pact: Pact,
    add_form=None,
    consultation_form=None,
    clause_error: tuple[int, str, str] | None = None,
) -> str:
    """The draft editor; after a refused edit it shows the error and keeps what was typed
    (`clause_error` = (clause id, message, typed text))."""
    return render_template(
        "pacts/draft.html",
        pact=pact,
        version=pact.draft_version,
        add_form=add_form or ClauseForm(prefix="new"),
        consultation_form=consultation_form or _consultation_form(),
        publish_form=PublishForm(),
        clause_error=clause_error,
    )


@bp.route("/<int:pact_id>/draft")
@login_required
def draft(pact_id: int):
    """The secretary's editor for the unpublished version."""
    pact = managed_pact(pact_id)
    if pact.draft_version is None:
        flash(_("There is no draft to edit."), "info")
        return redirect(url_for("pacts.show", pact_id=pact.id))
    return _render_draft(pact)


@bp.route("/<int:pact_id>/clauses", methods=["POST"])
@login_required
def add_clause(pact_id: int):
    """Add a clause to the draft."""
    pact = managed_pact(pact_id)
    form = ClauseForm(prefix="new")
    has_draft = pact.draft_version is not None
    if not form.validate_on_submit():
        if not has_draft:
            return render_error(400)
        return _render_draft(pact, add_form=form), 400
    if has_draft:
        on_refusal(lambda: _render_draft(pact, add_form=form), form, "text")
    ops.add_clause(
        pact, form.text.data, after=request.form.get("after", type=int), actor=current_user
    )
    flash(_("Clause added."), "success")
    return redirect(url_for("pacts.draft", pact_id=pact.id) + "#clauses", 303)


@bp.route("/<int:pact_id>/clauses/<int:clause_id>/edit", methods=["POST"])
@login_required
def edit_clause(pact_id: int, clause_id: int):
    """Change the text of a draft clause; a refusal keeps the typed text on the draft page."""
    pact = managed_pact(pact_id)
    clause = clause_of(pact, clause_id)
    form = ClauseForm(prefix=f"c{clause.id}")
    in_draft = pact.draft_version is not None and clause.version_id == pact.draft_version.id

    def render() -> str:
        message = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        return _render_draft(pact, clause_error=(clause.id, message, form.text.data or ""))

    if not form.validate_on_submit():
        if not in_draft:
            raise InvalidInput(_l("A clause cannot be empty."))
        return render(), 400
    if in_draft:
        on_refusal(render, form, "text")
    ops.edit_clause(pact, clause, form.text.data, actor=current_user)
    flash(_("Clause saved."), "success")
    return redirect(url_for("pacts.draft", pact_id=pact.id) + f"#clause-{clause.id}", 303)


@bp.route("/<int:pact_id>/clauses/<int:clause_id>/move", methods=["POST"])
@login_required
def move_clause(pact_id: int, clause_id: int):
    """Move a draft clause one place up or down."""
    pact = managed_pact(pact_id)
    clause = clause_of(pact, clause_id)
    delta = -1 if request.form.get("direction") == "up" else 1
    ops.move_clause(pact, clause, delta, actor=current_user)
    return redirect(url_for("pacts.draft", pact_id=pact.id) + f"#clause-{clause.id}", 303)


@bp.route("/<int:pact_id>/clauses/<int:clause_id>/remove", methods=["POST"])
@login_required
def remove_clause(pact_id: int, clause_id: int):
    """Remove a clause from the draft."""
    pact = managed_pact(pact_id)
    ops.remove_clause(pact, clause_of(pact, clause_id), actor=current_user)
    flash(_("Clause removed."), "success")
    return redirect(url_for("pacts.draft", pact_id=pact.id) + "#clauses", 303)


# -- lifecycle -----------------------------------------------------------------------


@bp.route("/<int:pact_id>/consultation", methods=["POST"])
@login_required
def open_consultation(pact_id: int):
    """Publish the draft and open the comment window."""
    pact = managed_pact(pact_id)
    form = _consultation_form(request.form)
    has_draft = pact.draft_version is not None
    if not form.validate_on_submit():
        if not has_draft:
            raise InvalidInput("; ".join(str(e) for errs in form.errors.values() for e in errs))
        return _render_draft(pact, consultation_form=form), 400
    if has_draft:
        on_refusal(lambda: _render_draft(pact, consultation_form=form), form, "closes_at")
    ops.open_consultation(
        pact, from_local(form.opens_at.data), from_local(form.closes_at.data), actor=current_user
    )
    flash(_("Consultation is open. Residents can now take positions and comment."), "success")
    return redirect(url_for("pacts.show", pact_id=pact.id), 303)


@bp.route("/<int:pact_id>/consultation/close", methods=["POST"])
@login_required
def close_consultation(pact_id: int):
    """End the consultation now, before its planned close."""
    pact = managed_pact(pact_id)
    ops.close_consultation(pact, actor=current_user)
    flash(
        _("Consultation closed. Answer the amendments, then prepare the next version."), "success"
    )
    return redirect(url_for("pacts.show", pact_id=pact.id), 303)


@bp.route("/<int:pact_id>/revision", methods=["POST"])
@login_required
def start_revision(pact_id: int):
    """Prepare the draft of the next version from the current one and the accepted amendments."""
    pact = managed_pact(pact_id)
    ops.start_revision(pact, actor=current_user)
    return redirect(url_for("pacts.draft", pact_id=pact.id), 303)


@bp.route("/<int:pact_id>/draft/discard", methods=["POST"])
@login_required
def discard_draft(pact_id: int):
    """Drop the revision draft, e.g. to send the current version to ratification unchanged."""
    pact = managed_pact(pact_id)
    ops.discard_draft(pact, actor=current_user)
    flash(_("The draft is discarded."), "success")
    return redirect(url_for("pacts.show", pact_id=pact.id), 303)


@bp.route("/<int:pact_id>/publish", methods=["POST"])
@login_required
def publish(pact_id: int):
    """Publish the revision draft as the next version, without a new consultation."""
    pact = managed_pact(pact_id)
    form = PublishForm()
    if not form.validate_on_submit():
        return render_error(400)
    version = ops.publish_version(pact, form.note.data or "", actor=current_user)
    flash(_("Version %(number)d is published.", number=version.number), "success")
    return redirect(url_for("pacts.show", pact_id=pact.id), 303)


@bp.route("/<int:pact_id>/repeal", methods=["POST"])
@login_required
def repeal(pact_id: int):
    """Repeal an adopted pact, with a public reason."""
    pact = managed_pact(pact_id)
    form = ReasonForm(prefix="repeal")
    if not form.validate_on_submit():
        raise InvalidInput(_l("Give the reason for repealing the pact."))
    ops.repeal_pact(pact, form.reason.data, actor=current_user)
    flash(_("The pact is repealed."), "success")
    return redirect(url_for("pacts.show", pact_id=pact.id), 303)
