"""Taking part: positions, comments and replies, +1s, reports, moderation, following."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_htmx import make_response as htmx_response
from flask_login import current_user, login_required

from app.core import once
from app.core.errors import InvalidInput, NotAllowed, NotFound, on_refusal
from app.core.fields import bounded_int
from app.extensions import db, htmx, limiter
from app.pacts import bp, permissions
from app.pacts import operations as ops
from app.pacts import queries as q
from app.pacts.forms import CommentForm, EditCommentForm, ReasonForm
from app.pacts.models import Comment
from app.pacts.routes.common import (
    back,
    clause_of,
    comment_limit,
    comment_of,
    comment_url,
    load_pact,
    user_key,
    viewer_context,
)
from app.pacts.routes.pages import clause_forms_shown, render_clause


@bp.route("/<int:pact_id>/clauses/<int:clause_id>/position", methods=["POST"])
@login_required
def position(pact_id: int, clause_id: int):
    """Take or change one's position on a clause."""
    pact = load_pact(pact_id)
    clause = clause_of(pact, clause_id)
    ops.set_position(pact, clause, current_user, request.form.get("stance", ""))
    flash(
        _("Your position is recorded. You can change it until the consultation closes."), "success"
    )
    return back(url_for("pacts.show", pact_id=pact.id) + f"#clause-{clause.id}")


@bp.route("/<int:pact_id>/comments", methods=["POST"])
@bp.route("/<int:pact_id>/clauses/<int:clause_id>/comments", methods=["POST"])
@login_required
@limiter.limit(comment_limit, key_func=user_key, methods=["POST"])
def post_comment(pact_id: int, clause_id: int | None = None):
    """Comment on the pact or a clause, or reply in a thread."""
    pact = load_pact(pact_id)
    clause = clause_of(pact, clause_id) if clause_id else None
    form = CommentForm()
    parent = None
    if form.parent_id.data:
        parent_id = bounded_int(form.parent_id.data, low=1)
        parent = db.session.get(Comment, parent_id) if parent_id else None
        if (
            parent is None
            or parent.pact_id != pact.id
            or parent.clause_id != (clause.id if clause else None)
        ):
            raise NotFound()

    def render() -> str:
        if clause is not None:
            return render_clause(pact, clause, comment_form=form)
        return render_template("pacts/comment_error.html", pact=pact, form=form)

    if not form.validate_on_submit():
        if not form.body.errors:
            form.body.errors = [_("Your comment could not be posted.")]
        return render(), 400
    if clause is None or clause_forms_shown(pact, clause):
        on_refusal(render, form, "body")
    url = once.submit(
        "pacts.comment",
        current_user,
        form.once.data,
        lambda: comment_url(
            ops.post_comment(pact, current_user, form.body.data, clause=clause, parent=parent)
        ),
    )
    flash(_("Your comment is posted."), "success")
    return redirect(url, 303)


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit_comment(comment_id: int):
    """The author corrects a comment within the edit window."""
    comment = comment_of(comment_id)
    if not comment.can_edit(current_user):
        raise NotAllowed(_l("This comment can no longer be edited."))
    form = EditCommentForm(obj=comment if request.method == "GET" else None)

    def render() -> str:
        return render_template("pacts/comment_edit.html", comment=comment, form=form)

    if not form.validate_on_submit():
        return render(), 400 if form.errors else 200
    on_refusal(render, form, "body")
    ops.edit_comment(comment, current_user, form.body.data)
    flash(_("Your comment is updated."), "success")
    return redirect(comment_url(comment), 303)


@bp.route("/comments/<int:comment_id>/withdraw", methods=["POST"])
@login_required
def withdraw_comment(comment_id: int):
    """The author withdraws a comment; a notice remains."""
    comment = comment_of(comment_id)
    ops.withdraw_comment(comment, current_user)
    flash(_("Your comment is withdrawn."), "success")
    return redirect(comment_url(comment), 303)


@bp.route("/comments/<int:comment_id>/respond")
@login_required
def respond(comment_id: int):
    """A comment's reply, report and hide boxes: htmx puts them in place of the links to them
    on a cached thread page; without JS, the comment's own page with the boxes open."""
    comment = comment_of(comment_id)
    pact = comment.pact
    ctx = viewer_context(pact)
    if htmx:
        # In place of the paragraph of links that asked for them (the links do not say where).
        return htmx_response(
            render_template("pacts/_comment_boxes.html", pact=pact, comment=comment, **ctx),
            retarget="closest p",
            reswap="outerHTML",
        )
    return render_template(
        "pacts/respond.html",
        pact=pact,
        comment=comment,
        agreed=q.agreed_ids([comment], current_user),
        positions=q.author_positions([comment]),
        back=comment_url(comment),
        **ctx,
    )


@bp.route("/comments/<int:comment_id>/agree", methods=["POST"])
@login_required
def agree(comment_id: int):
    """+1 on another resident's comment; htmx swaps the comment in place."""
    comment = comment_of(comment_id)
    ops.agree_comment(comment, current_user)
    if htmx:
        pact = comment.pact
        html = render_template(
            "pacts/_comment.html",
            pact=pact,
            comment=comment,
            agreed={comment.id},
            positions=q.author_positions([comment]),
            reply_form=True,
            **viewer_context(pact),
        )
        # In place of the comment (its +1 form does not say where: a page has dozens of them).
        return htmx_response(html, retarget=f"#comment-{comment.id}", reswap="outerHTML")
    flash(_("You agreed with this comment."), "success")
    return redirect(comment_url(comment), 303)


@bp.route("/comments/<int:comment_id>/report", methods=["POST"])
@login_required
def report(comment_id: int):
    """Report a comment to the secretary, with a reason."""
    comment = comment_of(comment_id)
    form = ReasonForm(prefix=f"rep{comment.id}")
    if not form.validate_on_submit():
        raise InvalidInput(_l("Say why you report this comment."))
    ops.report_comment(comment, current_user, form.reason.data)
    flash(_("Thank you. The secretary will look at this comment."), "success")
    return redirect(comment_url(comment), 303)


@bp.route("/comments/<int:comment_id>/hide", methods=["POST"])
@login_required
def hide(comment_id: int):
    """The secretary hides a comment with a public reason."""
    comment = comment_of(comment_id)
    if not permissions.can_moderate(current_user, comment.pact.community_id):
        raise NotAllowed()
    form = ReasonForm(prefix=f"hide{comment.id}")
    if not form.validate_on_submit():
        raise InvalidInput(_l("Give the reason for hiding this comment."))
    ops.hide_comment(comment, form.reason.data, actor=current_user)
    flash(_("The comment is hidden; a notice with your reason replaces it."), "success")
    return back(comment_url(comment))


@bp.route("/comments/<int:comment_id>/dismiss", methods=["POST"])
@login_required
def dismiss(comment_id: int):
    """The secretary dismisses the reports of a comment, which stays."""
    comment = comment_of(comment_id)
    if not permissions.can_moderate(current_user, comment.pact.community_id):
        raise NotAllowed()
    ops.dismiss_reports(comment, actor=current_user)
    flash(_("The reports are dismissed; the comment stays."), "success")
    return redirect(url_for("pacts.community_index", community_id=comment.pact.community_id), 303)


@bp.route("/<int:pact_id>/follow", methods=["POST"])
@login_required
def follow(pact_id: int):
    """Follow or stop following a pact."""
    pact = load_pact(pact_id)
    if request.form.get("follow") == "0":
        ops.unfollow_pact(pact, current_user)
        flash(_("You no longer follow this pact."), "success")
    else:
        ops.follow_pact(pact, current_user)
        flash(_("You follow this pact: you will be told of new versions and answers."), "success")
    return redirect(url_for("pacts.show", pact_id=pact.id), 303)
