"""Pact pages: thin views that load, check, call one operation, and render or redirect."""

from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup, escape

from app.accounts.permissions import can, communities_where, require
from app.core.errors import render_error
from app.core.home import HomeItem, HomeSection
from app.core.time import from_local, to_local, utcnow
from app.core.web import safe_next
from app.extensions import db, htmx, limiter
from app.org.models import Community
from app.pacts import bp
from app.pacts import operations as ops
from app.pacts import queries as q
from app.pacts.forms import (
    AmendmentForm,
    ClauseForm,
    CommentForm,
    ConsultationForm,
    DecisionForm,
    EditCommentForm,
    NewPactForm,
    PublishForm,
    ReasonForm,
)
from app.pacts.models import Amendment, Clause, Comment, Pact, PactVersion, Stance
from app.pacts.splitter import insert_after, merge, remove, split_clauses


def _comment_limit() -> str:
    return current_app.config.get("PACT_COMMENT_RATE_LIMIT", "10 per minute;60 per hour")


def _user_key() -> str:
    return str(current_user.get_id())


# -- loaders and checks --------------------------------------------------------------


def _load_pact(pact_id: int) -> Pact:
    """The pact, or 404; drafts exist only for the community's secretary."""
    pact = q.load_pact(pact_id)
    if not pact.is_public and not can("pact.manage", pact.community_id):
        abort(404)
    return pact


def _managed_pact(pact_id: int) -> Pact:
    pact = q.load_pact(pact_id)
    require("pact.manage", pact.community_id)
    return pact


def _clause_of(pact: Pact, clause_id: int) -> Clause:
    clause = db.get_or_404(Clause, clause_id)
    if clause.version.pact_id != pact.id:
        abort(404)
    if not clause.version.is_published and not can("pact.manage", pact.community_id):
        abort(404)
    return clause


def _comment_of(comment_id: int) -> Comment:
    comment = db.get_or_404(Comment, comment_id)
    if not comment.pact.is_public and not can("pact.manage", comment.pact.community_id):
        abort(404)
    return comment


def _refused(error: Exception, status: int = 400):
    """A refused action: the translated reason, 4xx, nothing changed."""
    db.session.rollback()
    return render_error(status, str(error))


def _back(default: str):
    """Redirect to the page the form came from (a site-relative `next`), or to `default`."""
    return redirect(safe_next(request.form.get("next") or "", default), 303)


def _viewer_context(pact: Pact) -> dict:
    can_manage = can("pact.manage", pact.community_id)
    return {
        "can_manage": can_manage,
        # The secretary replies in threads to answer them (during consultation and revision).
        "can_answer": can_manage and ops.secretary_may_answer(pact),
        "secretary_ids": q.secretary_ids(pact.community_id),
        "can_moderate": can("pact.moderate", pact.community_id),
        "is_resident": can("pact.participate", pact.community_id),
        "can_take_part": can("pact.participate", pact.community_id) and pact.consultation_is_open(),
        "following": q.is_following(pact, current_user),
    }


def _selected_version(pact: Pact) -> PactVersion | None:
    number = request.args.get("version", type=int)
    if number is not None:
        version = pact.version(number)
        if version is None or (
            not version.is_published and not can("pact.manage", pact.community_id)
        ):
            abort(404)
        return version
    return pact.latest_version or (
        pact.draft_version if can("pact.manage", pact.community_id) else None
    )


# -- home ----------------------------------------------------------------------------


def _home(user):
    from app.accounts.models import Role

    if not user.is_authenticated:
        return []
    sections = []
    items = []
    # Residents are asked for their views; the secretary gets the "waiting for your answer" list.
    for community in communities_where(user, [Role.RESIDENT]):
        for pact in q.pacts_of_community(community.id, include_drafts=False):
            if pact.consultation_is_open():
                days = pact.days_remaining()
                items.append(
                    HomeItem(
                        text=_(
                            "Consultation on “%(title)s” (%(community)s)",
                            title=pact.title,
                            community=community.name,
                        ),
                        link=url_for("pacts.show", pact_id=pact.id),
                        badge=_("%(days)d days left", days=days) if days is not None else "",
                        badge_kind="info",
                    )
                )
    if items:
        sections.append(HomeSection(title=_("Pacts open for your views"), items=items, priority=5))
    work = []
    for community in communities_where(user, [Role.SECRETARY]):
        secretaries = q.secretary_ids(community.id)
        reported = [r.comment.pact_id for r in q.open_reports(community.id)]
        for pact in q.pacts_of_community(community.id, include_drafts=False):
            if pact.status.value not in ("consultation", "revision"):
                continue
            amendments = len(q.open_amendments(pact))
            comments = sum(n for _clause, n in q.unanswered_threads(pact, secretaries))
            reports = reported.count(pact.id)
            if amendments or comments or reports:
                work.append(
                    HomeItem(
                        text=_(
                            "“%(title)s” — amendments to answer: %(amendments)d, comments to answer: "
                            "%(comments)d, reported comments: %(reports)d",
                            title=pact.title,
                            amendments=amendments,
                            comments=comments,
                            reports=reports,
                        ),
                        link=url_for("pacts.show", pact_id=pact.id) + "#to-answer",
                        badge=_("To answer"),
                        badge_kind="warn",
                    )
                )
    if work:
        sections.append(
            HomeSection(title=_("Pacts: waiting for your answer"), items=work, priority=8)
        )
    return sections


# -- community index and creation ---------------------------------------------------


@bp.route("/community/<int:community_id>")
def community_index(community_id: int):
    """The community's pacts, newest first; drafts only for its secretary."""
    community = db.get_or_404(Community, community_id)
    can_manage = can("pact.manage", community)
    pacts = q.pacts_of_community(community.id, include_drafts=can_manage)
    reports = q.open_reports(community.id) if can("pact.moderate", community) else []
    return render_template(
        "pacts/index.html", community=community, pacts=pacts, can_manage=can_manage, reports=reports
    )


@bp.route("/community/<int:community_id>/new", methods=["GET", "POST"])
@login_required
def new(community_id: int):
    """Start a pact: paste a document (then check the split) or begin empty."""
    community = db.get_or_404(Community, community_id)
    require("pact.manage", community)
    form = NewPactForm()
    if form.validate_on_submit():
        clauses = split_clauses(form.text.data or "")
        if clauses:
            return render_template(
                "pacts/preview.html",
                community=community,
                title=form.title.data,
                summary=form.summary.data or "",
                clauses=clauses,
            )
        pact = ops.create_pact(
            community, form.title.data, [], summary=form.summary.data, actor=current_user
        )
        db.session.commit()
        flash(_("The pact is created. Now write its clauses."), "success")
        return redirect(url_for("pacts.draft", pact_id=pact.id), 303)
    return render_template(
        "pacts/new.html", community=community, form=form
    ), 400 if form.errors else 200


@bp.route("/community/<int:community_id>/preview", methods=["POST"])
@login_required
def preview(community_id: int):
    """Fix the detected split (edit, merge, remove, add) and save; works without JavaScript."""
    community = db.get_or_404(Community, community_id)
    require("pact.manage", community)
    title = (request.form.get("title") or "").strip()
    summary = request.form.get("summary") or ""
    clauses = [c.replace("\r\n", "\n") for c in request.form.getlist("clause")]
    op = request.form.get("op", "save")
    action, _sep, arg = op.partition(":")
    index = int(arg) if arg.isdigit() else -1
    if action == "merge":
        clauses = merge(clauses, index)
    elif action == "remove":
        clauses = remove(clauses, index)
    elif action == "add":
        clauses = insert_after(clauses, index, "")
    elif action == "save":
        kept = [c for c in clauses if c.strip()]
        error = None
        if not title:
            error = _("The title cannot be empty.")
        elif not kept:
            error = _("A pact needs at least one clause before it is published.")
        if error is None:
            try:
                pact = ops.create_pact(community, title, kept, summary=summary, actor=current_user)
            except ops.PactError as exc:
                error = str(exc)
            else:
                db.session.commit()
                flash(_("The pact is saved as a draft with %(n)d clauses.", n=len(kept)), "success")
                return redirect(url_for("pacts.draft", pact_id=pact.id), 303)
        return render_template(
            "pacts/preview.html",
            community=community,
            title=title,
            summary=summary,
            clauses=clauses,
            error=error,
        ), 400
    return render_template(
        "pacts/preview.html", community=community, title=title, summary=summary, clauses=clauses
    )


# -- drafting ------------------------------------------------------------------------


@bp.route("/<int:pact_id>/draft")
@login_required
def draft(pact_id: int):
    """The secretary's editor for the unpublished version."""
    pact = _managed_pact(pact_id)
    version = pact.draft_version
    if version is None:
        flash(_("There is no draft to edit."), "info")
        return redirect(url_for("pacts.show", pact_id=pact.id))
    return _render_draft(pact)


def _render_draft(
    pact: Pact,
    status: int = 200,
    add_form=None,
    consultation_form=None,
    clause_error: tuple[int, str, str] | None = None,
):
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
    ), status


def _consultation_form(formdata=None) -> ConsultationForm:
    form = ConsultationForm(formdata=formdata)
    if formdata is None:
        now = to_local(utcnow()).replace(second=0, microsecond=0, tzinfo=None)
        form.opens_at.data = now
        form.closes_at.data = now + timedelta(days=14)
    return form


@bp.route("/<int:pact_id>/clauses", methods=["POST"])
@login_required
def add_clause(pact_id: int):
    """Add a clause to the draft."""
    pact = _managed_pact(pact_id)
    form = ClauseForm(prefix="new")
    if not form.validate_on_submit():
        return _render_draft(pact, 400, add_form=form) if pact.draft_version else render_error(400)
    try:
        ops.add_clause(
            pact, form.text.data, after=request.form.get("after", type=int), actor=current_user
        )
    except ops.PactError as exc:
        return _refused(exc)
    db.session.commit()
    flash(_("Clause added."), "success")
    return redirect(url_for("pacts.draft", pact_id=pact.id) + "#clauses", 303)


@bp.route("/<int:pact_id>/clauses/<int:clause_id>/edit", methods=["POST"])
@login_required
def edit_clause(pact_id: int, clause_id: int):
    pact = _managed_pact(pact_id)
    clause = _clause_of(pact, clause_id)
    form = ClauseForm(prefix=f"c{clause.id}")
    if not form.validate_on_submit():
        if pact.draft_version is None or clause.version_id != pact.draft_version.id:
            return render_error(400, _("A clause cannot be empty."))
        message = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        return _render_draft(pact, 400, clause_error=(clause.id, message, form.text.data or ""))
    try:
        ops.edit_clause(pact, clause, form.text.data, actor=current_user)
    except ops.PactError as exc:
        return _refused(exc)
    db.session.commit()
    flash(_("Clause saved."), "success")
    return redirect(url_for("pacts.draft", pact_id=pact.id) + f"#clause-{clause.id}", 303)


@bp.route("/<int:pact_id>/clauses/<int:clause_id>/move", methods=["POST"])
@login_required
def move_clause(pact_id: int, clause_id: int):
    pact = _managed_pact(pact_id)
    clause = _clause_of(pact, clause_id)
    try:
        ops.move_clause(
            pact, clause, -1 if request.form.get("direction") == "up" else 1, actor=current_user
        )
    except ops.PactError as exc:
        return _refused(exc)
    db.session.commit()
    return redirect(url_for("pacts.draft", pact_id=pact.id) + f"#clause-{clause.id}", 303)


@bp.route("/<int:pact_id>/clauses/<int:clause_id>/remove", methods=["POST"])
@login_required
def remove_clause(pact_id: int, clause_id: int):
    pact = _managed_pact(pact_id)
    clause = _clause_of(pact, clause_id)
    try:
        ops.remove_clause(pact, clause, actor=current_user)
    except ops.PactError as exc:
        return _refused(exc)
    db.session.commit()
    flash(_("Clause removed."), "success")
    return redirect(url_for("pacts.draft", pact_id=pact.id) + "#clauses", 303)


# -- lifecycle -----------------------------------------------------------------------


@bp.route("/<int:pact_id>/consultation", methods=["POST"])
@login_required
def open_consultation(pact_id: int):
    """Publish the draft and open the comment window."""
    pact = _managed_pact(pact_id)
    form = _consultation_form(request.form)
    if form.validate_on_submit():
        try:
            ops.open_consultation(
                pact,
                from_local(form.opens_at.data),
                from_local(form.closes_at.data),
                actor=current_user,
            )
        except ops.PactError as exc:
            form.closes_at.errors = [*form.closes_at.errors, str(exc)]
        else:
            db.session.commit()
            flash(
                _("Consultation is open. Residents can now take positions and comment."), "success"
            )
            return redirect(url_for("pacts.show", pact_id=pact.id), 303)
    db.session.rollback()
    pact = q.load_pact(pact_id)
    if pact.draft_version is None:
        return render_error(400, "; ".join(str(e) for errs in form.errors.values() for e in errs))
    return _render_draft(pact, 400, consultation_form=form)


@bp.route("/<int:pact_id>/consultation/close", methods=["POST"])
@login_required
def close_consultation(pact_id: int):
    pact = _managed_pact(pact_id)
    try:
        ops.close_consultation(pact, actor=current_user)
    except ops.PactError as exc:
        return _refused(exc, 409)
    db.session.commit()
    flash(
        _("Consultation closed. Answer the amendments, then prepare the next version."), "success"
    )
    return redirect(url_for("pacts.show", pact_id=pact.id), 303)


@bp.route("/<int:pact_id>/revision", methods=["POST"])
@login_required
def start_revision(pact_id: int):
    """Prepare the draft of the next version from the current one and the accepted amendments."""
    pact = _managed_pact(pact_id)
    try:
        ops.start_revision(pact, actor=current_user)
    except ops.PactError as exc:
        return _refused(exc, 409)
    db.session.commit()
    return redirect(url_for("pacts.draft", pact_id=pact.id), 303)


@bp.route("/<int:pact_id>/draft/discard", methods=["POST"])
@login_required
def discard_draft(pact_id: int):
    """Drop the revision draft, e.g. to send the current version to ratification unchanged."""
    pact = _managed_pact(pact_id)
    try:
        ops.discard_draft(pact, actor=current_user)
    except ops.PactError as exc:
        return _refused(exc, 409)
    db.session.commit()
    flash(_("The draft is discarded."), "success")
    return redirect(url_for("pacts.show", pact_id=pact.id), 303)


@bp.cli.command("close-due")
def close_due_command():
    """Close the consultations whose closing time has passed (run it from cron every few minutes)."""
    import click

    from app.core.db import begin_write

    begin_write()
    closed = ops.close_due_consultations()
    db.session.commit()
    click.echo(f"{len(closed)} consultation(s) closed")


@bp.route("/<int:pact_id>/publish", methods=["POST"])
@login_required
def publish(pact_id: int):
    pact = _managed_pact(pact_id)
    form = PublishForm()
    if not form.validate_on_submit():
        return render_error(400)
    try:
        version = ops.publish_version(pact, form.note.data or "", actor=current_user)
    except ops.PactError as exc:
        return _refused(exc, 409)
    db.session.commit()
    flash(_("Version %(number)d is published.", number=version.number), "success")
    return redirect(url_for("pacts.show", pact_id=pact.id), 303)


@bp.route("/<int:pact_id>/repeal", methods=["POST"])
@login_required
def repeal(pact_id: int):
    pact = _managed_pact(pact_id)
    form = ReasonForm(prefix="repeal")
    if not form.validate_on_submit():
        return render_error(400, _("Give the reason for repealing the pact."))
    try:
        ops.repeal_pact(pact, form.reason.data, actor=current_user)
    except ops.PactError as exc:
        return _refused(exc, 409)
    db.session.commit()
    flash(_("The pact is repealed."), "success")
    return redirect(url_for("pacts.show", pact_id=pact.id), 303)


# -- reading -------------------------------------------------------------------------


@bp.route("/<int:pact_id>")
def show(pact_id: int):
    """The pact: its clauses with their consensus, the summary, and the pact-level discussion."""
    pact = _load_pact(pact_id)
    version = _selected_version(pact)
    ctx = _viewer_context(pact)
    page = request.args.get("page", 1, type=int)
    threads = q.thread_page(pact, None, page, current_user)
    if htmx and request.args.get("part") == "threads":
        return render_template("pacts/_threads.html", pact=pact, clause=None, t=threads, **ctx)
    consensus = (
        q.consensus_for_version(version, pact.community_id)
        if version and version.is_published
        else {}
    )
    return render_template(
        "pacts/pact.html",
        pact=pact,
        version=version,
        consensus=consensus,
        comment_counts=q.comment_counts(version) if version else {},
        amendment_counts=q.amendment_counts(version) if version else {},
        my_positions=q.positions_of_user(version, current_user) if version else {},
        t=threads,
        comment_form=CommentForm(),
        stances=list(Stance),
        broad=[
            c
            for c in (version.clauses if version else [])
            if consensus.get(c.id) and consensus[c.id].is_broad
        ],
        divided=[
            c
            for c in (version.clauses if version else [])
            if consensus.get(c.id) and consensus[c.id].is_divided
        ],
        ratify_link=(
            url_for("votes.new_ratification", pact_id=pact.id)
            if "votes.new_ratification" in current_app.view_functions
            else None
        ),
        repeal_form=ReasonForm(prefix="repeal"),
        now=utcnow(),
        to_answer=q.open_amendments(pact) if ctx["can_manage"] else [],
        unanswered=q.unanswered_threads(pact, ctx["secretary_ids"]) if ctx["can_manage"] else [],
        reported=(
            [r for r in q.open_reports(pact.community_id) if r.comment.pact_id == pact.id]
            if ctx["can_moderate"]
            else []
        ),
        **ctx,
    )


def _render_clause(
    pact: Pact,
    clause: Clause,
    status: int = 200,
    comment_form=None,
    amendment_form=None,
    decision_form=None,
    decision_for: int | None = None,
):
    ctx = _viewer_context(pact)
    page = request.args.get("page", 1, type=int)
    threads = q.thread_page(pact, clause, page, current_user)
    if htmx and request.args.get("part") == "threads":
        return render_template("pacts/_threads.html", pact=pact, clause=clause, t=threads, **ctx)
    consensus = q.consensus_for_version(clause.version, pact.community_id).get(clause.id)
    amendments = q.amendments_of_clause(clause)
    if amendment_form is None:
        amendment_form = AmendmentForm(prefix="am")
        amendment_form.text.data = clause.text  # residents start from the current wording
    return render_template(
        "pacts/clause.html",
        pact=pact,
        clause=clause,
        version=clause.version,
        c=consensus,
        buildings=q.building_labels(pact.community_id),
        t=threads,
        my_position=q.positions_of_user(clause.version, current_user).get(clause.id),
        amendments=amendments,
        endorsed=q.endorsed_ids(amendments, current_user),
        comment_form=comment_form or CommentForm(),
        amendment_form=amendment_form,
        stances=list(Stance),
        decision_form=decision_form,
        decision_for=decision_for,
        is_current=pact.latest_version is not None and clause.version_id == pact.latest_version.id,
        **ctx,
    ), status


@bp.route("/<int:pact_id>/clauses/<int:clause_id>")
def clause(pact_id: int, clause_id: int):
    """One clause: its consensus by building, amendments and discussion."""
    pact = _load_pact(pact_id)
    return _render_clause(pact, _clause_of(pact, clause_id))


@bp.route("/comments/<int:comment_id>/replies")
def replies(comment_id: int):
    """All replies of a thread, page by page (an htmx partial or a full page)."""
    root = _comment_of(comment_id)
    if root.root_id is not None:
        root = db.get_or_404(Comment, root.root_id)
    data = q.replies_page(root, request.args.get("page", 1, type=int), current_user)
    ctx = _viewer_context(root.pact)
    template = "pacts/_replies.html" if htmx else "pacts/replies.html"
    return render_template(template, pact=root.pact, root=root, r=data, clause=root.clause, **ctx)


@bp.route("/<int:pact_id>/compare")
def compare(pact_id: int):
    """Two versions side by side, clause by clause, with changed words marked."""
    pact = _load_pact(pact_id)
    published = pact.published_versions
    if len(published) < 2:
        flash(_("There is only one version so far."), "info")
        return redirect(url_for("pacts.show", pact_id=pact.id))
    a = request.args.get("a", published[-2].number, type=int)
    b = request.args.get("b", published[-1].number, type=int)
    old, new = pact.version(a), pact.version(b)
    if old is None or new is None or not old.is_published or not new.is_published:
        abort(404)
    if old.number > new.number:
        old, new = new, old
    rows = ops.compare_versions(old, new)
    between = [v for v in published if old.number < v.number <= new.number]
    amendments, counts = q.change_sources(old, between)
    return render_template(
        "pacts/compare.html",
        pact=pact,
        old=old,
        new=new,
        rows=rows,
        published=published,
        amendments=amendments,
        comment_counts=counts,
        only_changes=request.args.get("only") == "changes",
    )


@bp.route("/<int:pact_id>/versions/<int:number>/print")
def print_version(pact_id: int, number: int):
    """A clean page of one version for the notice board."""
    pact = _load_pact(pact_id)
    version = pact.version(number)
    if version is None or not version.is_published:
        abort(404)
    return render_template("pacts/print.html", pact=pact, version=version)


# -- taking part ---------------------------------------------------------------------


@bp.route("/<int:pact_id>/clauses/<int:clause_id>/position", methods=["POST"])
@login_required
def position(pact_id: int, clause_id: int):
    """Take or change one's position on a clause."""
    pact = _load_pact(pact_id)
    clause = _clause_of(pact, clause_id)
    try:
        ops.set_position(pact, clause, current_user, request.form.get("stance", ""))
    except ops.PactError as exc:
        return _refused(exc)
    db.session.commit()
    flash(
        _("Your position is recorded. You can change it until the consultation closes."), "success"
    )
    return _back(url_for("pacts.show", pact_id=pact.id) + f"#clause-{clause.id}")


@bp.route("/<int:pact_id>/comments", methods=["POST"])
@bp.route("/<int:pact_id>/clauses/<int:clause_id>/comments", methods=["POST"])
@login_required
@limiter.limit(_comment_limit, key_func=_user_key, methods=["POST"])
def post_comment(pact_id: int, clause_id: int | None = None):
    """Comment on the pact or a clause, or reply in a thread."""
    pact = _load_pact(pact_id)
    clause = _clause_of(pact, clause_id) if clause_id else None
    form = CommentForm()
    parent = None
    if form.parent_id.data:
        parent = (
            db.session.get(Comment, int(form.parent_id.data))
            if form.parent_id.data.isdigit()
            else None
        )
        if (
            parent is None
            or parent.pact_id != pact.id
            or parent.clause_id != (clause.id if clause else None)
        ):
            abort(404)
    error = None
    if form.validate_on_submit():
        try:
            comment = ops.post_comment(
                pact, current_user, form.body.data, clause=clause, parent=parent
            )
        except ops.PactError as exc:
            error = str(exc)
        else:
            db.session.commit()
            flash(_("Your comment is posted."), "success")
            anchor = f"#comment-{comment.id}"
            if clause is not None:
                return redirect(
                    url_for("pacts.clause", pact_id=pact.id, clause_id=clause.id) + anchor, 303
                )
            return redirect(url_for("pacts.show", pact_id=pact.id) + anchor, 303)
    db.session.rollback()
    if error:
        form.body.errors = [*form.body.errors, error]
    if not form.body.errors and not form.errors:
        form.body.errors = [_("Your comment could not be posted.")]
    pact = q.load_pact(pact_id)
    if clause is not None:
        return _render_clause(pact, db.session.get(Clause, clause_id), 400, comment_form=form)
    return render_template("pacts/comment_error.html", pact=pact, form=form), 400


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit_comment(comment_id: int):
    """The author corrects a comment within the edit window."""
    comment = _comment_of(comment_id)
    if not comment.can_edit(current_user):
        return render_error(403, _("This comment can no longer be edited."))
    form = EditCommentForm(obj=comment if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            ops.edit_comment(comment, current_user, form.body.data)
        except ops.PactError as exc:
            form.body.errors = [str(exc)]
        else:
            db.session.commit()
            flash(_("Your comment is updated."), "success")
            return redirect(_comment_url(comment), 303)
    return render_template(
        "pacts/comment_edit.html", comment=comment, form=form
    ), 400 if form.errors else 200


def _comment_url(comment: Comment) -> str:
    anchor = f"#comment-{comment.id}"
    if comment.clause_id:
        return (
            url_for("pacts.clause", pact_id=comment.pact_id, clause_id=comment.clause_id) + anchor
        )
    return url_for("pacts.show", pact_id=comment.pact_id) + anchor


@bp.route("/comments/<int:comment_id>/withdraw", methods=["POST"])
@login_required
def withdraw_comment(comment_id: int):
    comment = _comment_of(comment_id)
    try:
        ops.withdraw_comment(comment, current_user)
    except ops.PactError as exc:
        return _refused(exc, 403)
    db.session.commit()
    flash(_("Your comment is withdrawn."), "success")
    return redirect(_comment_url(comment), 303)


@bp.route("/comments/<int:comment_id>/agree", methods=["POST"])
@login_required
def agree(comment_id: int):
    """+1 on another resident's comment; htmx swaps the comment in place."""
    comment = _comment_of(comment_id)
    try:
        ops.agree_comment(comment, current_user)
    except ops.PactError as exc:
        return _refused(exc, 409)
    db.session.commit()
    if htmx:
        pact = comment.pact
        return render_template(
            "pacts/_comment.html",
            pact=pact,
            comment=comment,
            agreed={comment.id},
            positions=q.author_positions([comment]),
            reply_form=True,
            **_viewer_context(pact),
        )
    flash(_("You agreed with this comment."), "success")
    return redirect(_comment_url(comment), 303)


@bp.route("/comments/<int:comment_id>/report", methods=["POST"])
@login_required
def report(comment_id: int):
    comment = _comment_of(comment_id)
    form = ReasonForm(prefix=f"rep{comment.id}")
    if not form.validate_on_submit():
        return render_error(400, _("Say why you report this comment."))
    try:
        ops.report_comment(comment, current_user, form.reason.data)
    except ops.PactError as exc:
        return _refused(exc, 409)
    db.session.commit()
    flash(_("Thank you. The secretary will look at this comment."), "success")
    return redirect(_comment_url(comment), 303)


@bp.route("/comments/<int:comment_id>/hide", methods=["POST"])
@login_required
def hide(comment_id: int):
    """The secretary hides a comment with a public reason."""
    comment = _comment_of(comment_id)
    require("pact.moderate", comment.pact.community_id)
    form = ReasonForm(prefix=f"hide{comment.id}")
    if not form.validate_on_submit():
        return render_error(400, _("Give the reason for hiding this comment."))
    try:
        ops.hide_comment(comment, form.reason.data, actor=current_user)
    except ops.PactError as exc:
        return _refused(exc, 409)
    db.session.commit()
    flash(_("The comment is hidden; a notice with your reason replaces it."), "success")
    return _back(_comment_url(comment))


@bp.route("/comments/<int:comment_id>/dismiss", methods=["POST"])
@login_required
def dismiss(comment_id: int):
    comment = _comment_of(comment_id)
    require("pact.moderate", comment.pact.community_id)
    ops.dismiss_reports(comment, actor=current_user)
    db.session.commit()
    flash(_("The reports are dismissed; the comment stays."), "success")
    return redirect(url_for("pacts.community_index", community_id=comment.pact.community_id), 303)


@bp.route("/<int:pact_id>/clauses/<int:clause_id>/amendments", methods=["POST"])
@login_required
@limiter.limit(_comment_limit, key_func=_user_key, methods=["POST"])
def propose(pact_id: int, clause_id: int):
    """Propose replacement text for a clause."""
    pact = _load_pact(pact_id)
    clause = _clause_of(pact, clause_id)
    form = AmendmentForm(prefix="am")
    if form.validate_on_submit():
        try:
            amendment = ops.propose_amendment(
                pact, clause, current_user, form.text.data, form.reason.data
            )
        except ops.PactError as exc:
            form.text.errors = [*form.text.errors, str(exc)]
        else:
            db.session.commit()
            flash(
                _("Your amendment is proposed. The secretary will answer it publicly."), "success"
            )
            return redirect(
                url_for("pacts.clause", pact_id=pact.id, clause_id=clause.id)
                + f"#amendment-{amendment.id}",
                303,
            )
    db.session.rollback()
    pact = q.load_pact(pact_id)
    return _render_clause(pact, db.session.get(Clause, clause_id), 400, amendment_form=form)


def _amendment_of(amendment_id: int) -> Amendment:
    amendment = db.get_or_404(Amendment, amendment_id)
    if not amendment.pact.is_public and not can("pact.manage", amendment.pact.community_id):
        abort(404)
    return amendment


def _amendment_url(amendment: Amendment) -> str:
    return (
        url_for("pacts.clause", pact_id=amendment.pact_id, clause_id=amendment.clause_id)
        + f"#amendment-{amendment.id}"
    )


@bp.route("/amendments/<int:amendment_id>/endorse", methods=["POST"])
@login_required
def endorse(amendment_id: int):
    amendment = _amendment_of(amendment_id)
    try:
        ops.endorse_amendment(amendment, current_user)
    except ops.PactError as exc:
        return _refused(exc, 409)
    db.session.commit()
    flash(_("You endorsed this amendment."), "success")
    return redirect(_amendment_url(amendment), 303)


@bp.route("/amendments/<int:amendment_id>/withdraw", methods=["POST"])
@login_required
def withdraw_amendment(amendment_id: int):
    amendment = _amendment_of(amendment_id)
    try:
        ops.withdraw_amendment(amendment, current_user)
    except ops.PactError as exc:
        return _refused(exc, 403)
    db.session.commit()
    flash(_("Your amendment is withdrawn."), "success")
    return redirect(_amendment_url(amendment), 303)


@bp.route("/amendments/<int:amendment_id>/decide", methods=["POST"])
@login_required
def decide(amendment_id: int):
    """The secretary accepts or rejects an amendment with a public reason."""
    amendment = _amendment_of(amendment_id)
    require("pact.manage", amendment.pact.community_id)
    form = DecisionForm(prefix=f"d{amendment.id}")
    if not form.validate_on_submit():
        # Show the clause page again with the reason as typed, so nothing written is lost.
        if form.decision.errors or not (form.response.data or "").strip():
            form.decision.errors = [_("Choose accept or reject and give a public reason.")]
            form.response.errors = []
        pact = _load_pact(amendment.pact_id)
        return _render_clause(
            pact, amendment.clause, 400, decision_form=form, decision_for=amendment.id
        )
    try:
        ops.decide_amendment(
            amendment, form.decision.data == "accept", form.response.data, actor=current_user
        )
    except ops.PactError as exc:
        return _refused(exc, 409)
    db.session.commit()
    flash(_("Your answer is published."), "success")
    return redirect(_amendment_url(amendment), 303)


@bp.route("/<int:pact_id>/follow", methods=["POST"])
@login_required
def follow(pact_id: int):
    pact = _load_pact(pact_id)
    if request.form.get("follow") == "0":
        ops.unfollow_pact(pact, current_user)
        flash(_("You no longer follow this pact."), "success")
    else:
        ops.follow_pact(pact, current_user)
        flash(_("You follow this pact: you will be told of new versions and answers."), "success")
    db.session.commit()
    return redirect(url_for("pacts.show", pact_id=pact.id), 303)


@bp.context_processor
def _pact_template_globals():
    return {"now": utcnow()}


@bp.app_template_filter("pact_lines")
def _pact_lines(text: str | None) -> Markup:
    """Clause text with its line breaks kept: escaped, then joined with <br>."""
    return Markup("<br>\n").join(escape(line) for line in (text or "").split("\n"))
