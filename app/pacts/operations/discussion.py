"""Taking part in a consultation: positions, comments and replies, +1s, reports, moderation.

Comment text is stored as typed: the one sanitiser (core/sanitize.py, nh3) makes it safe when
it is rendered, so ordinary text is never refused for looking like markup.
"""

from flask_babel import lazy_gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.core import audit
from app.core.notifications import N_, notify
from app.core.time import utcnow
from app.extensions import db
from app.pacts import permissions
from app.pacts.errors import PactConflict, PactInvalid, PactNotAllowed
from app.pacts.models import (
    COMMENT_MAX,
    Clause,
    Comment,
    CommentAgree,
    CommentReport,
    Pact,
    Position,
    Stance,
)
from app.pacts.operations.common import (
    REASON_MAX,
    add_follow,
    check_text,
    comment_link,
    display_name,
    require_own_clause,
    require_participation,
)


def set_position(pact: Pact, clause: Clause, user, stance: Stance | str) -> Position:
    """Take or change the resident's one position on a clause."""
    try:
        stance = Stance(stance)
    except ValueError as exc:
        raise PactInvalid(_("Choose support, oppose or suggest a change.")) from exc
    require_participation(pact, user, clause)
    household = user.household
    position = db.session.scalar(
        select(Position).where(Position.user_id == user.id, Position.clause_id == clause.id)
    )
    if position is None:
        position = Position(
            clause_id=clause.id,
            user_id=user.id,
            stance=stance,
            household_id=household.id if household else None,
        )
        try:
            with db.session.begin_nested():
                db.session.add(position)
                db.session.flush()
        except IntegrityError:
            # A concurrent request took the position first; change that one instead.
            position = db.session.scalars(
                select(Position).where(Position.user_id == user.id, Position.clause_id == clause.id)
            ).one()
    position.stance = stance
    position.updated_at = utcnow()
    db.session.flush()
    audit.record(
        "pact.position",
        position,
        community=pact.community_id,
        detail=f"clause {clause.id}: {stance}",
        actor=user,
    )
    return position


def post_comment(
    pact: Pact, user, body: str, clause: Clause | None = None, parent: Comment | None = None
) -> Comment:
    """Post a comment on the pact or one of its clauses, or a reply in a thread."""
    body = check_text(body, COMMENT_MAX, _("A comment"))
    if parent is not None:
        if parent.pact_id != pact.id:
            raise PactInvalid(_("This comment belongs to another pact."))
        clause = parent.clause
        if not parent.is_visible:
            raise PactConflict(_("You cannot reply to a comment that was withdrawn or hidden."))
    answers = permissions.can_answer(user, pact, reply=parent is not None)
    if not answers:
        require_participation(pact, user, clause)
    elif clause is not None:
        require_own_clause(pact, clause)
    is_secretary = permissions.can_manage(user, pact.community_id)
    root = None
    if parent is not None:
        root = db.session.get(Comment, parent.root_id) if parent.root_id else parent
    comment = Comment(
        pact_id=pact.id,
        clause_id=clause.id if clause else None,
        author_id=user.id,
        body=body,
        parent_id=parent.id if parent else None,
        root_id=root.id if root else None,
    )
    db.session.add(comment)
    db.session.flush()
    if parent is not None and root is not None:
        _count_reply(pact, user, comment, parent, root, is_secretary)
    audit.record("pact.comment", comment, community=pact.community_id, actor=user)
    add_follow(pact, user)
    return comment


def _count_reply(pact: Pact, user, comment: Comment, parent: Comment, root: Comment, is_secretary):
    db.session.execute(
        update(Comment).where(Comment.id == root.id).values(reply_count=Comment.reply_count + 1)
    )
    db.session.refresh(root)
    if is_secretary and root.answered_at is None:
        root.answered_at = utcnow()
        db.session.flush()
    if parent.author_id != user.id:
        notify(
            parent.author,
            N_("%(name)s replied to your comment on “%(title)s”."),
            link=comment_link(comment),
            title=pact.title,
            name=display_name(user),
        )
    if is_secretary and root.author_id not in (user.id, parent.author_id):
        # The secretary's answer anywhere in a thread answers the comment that opened it.
        notify(
            root.author,
            N_("The secretary answered your comment on “%(title)s”."),
            link=comment_link(comment),
            title=pact.title,
        )


def edit_comment(comment: Comment, user, body: str) -> Comment:
    """The author corrects a comment within the edit window; it then shows as edited."""
    if not comment.can_edit(user):
        raise PactNotAllowed(_("This comment can no longer be edited."))
    comment.body = check_text(body, COMMENT_MAX, _("A comment"))
    comment.edited_at = utcnow()
    db.session.flush()
    audit.record("pact.comment_edit", comment, community=comment.pact.community_id, actor=user)
    return comment


def withdraw_comment(comment: Comment, user) -> Comment:
    """The author withdraws a comment; a notice stays in the thread."""
    if not comment.can_withdraw(user):
        raise PactNotAllowed(_("Only the author can withdraw this comment."))
    comment.withdraw(utcnow())
    db.session.flush()
    audit.record("pact.comment_withdraw", comment, community=comment.pact.community_id, actor=user)
    return comment


def agree_comment(comment: Comment, user) -> Comment:
    """A +1 from another resident; once each."""
    pact = comment.pact
    require_participation(pact, user)
    if comment.author_id == user.id:
        raise PactConflict(_("You cannot agree with your own comment."))
    if not comment.is_visible:
        raise PactConflict(_("This comment was withdrawn or hidden."))
    try:
        with db.session.begin_nested():
            db.session.add(CommentAgree(comment_id=comment.id, user_id=user.id))
            db.session.flush()
    except IntegrityError as exc:
        raise PactConflict(_("You already agreed with this comment.")) from exc
    db.session.execute(
        update(Comment).where(Comment.id == comment.id).values(agree_count=Comment.agree_count + 1)
    )
    db.session.refresh(comment)
    audit.record("pact.comment_agree", comment, community=pact.community_id, actor=user)
    return comment


def report_comment(comment: Comment, user, reason: str) -> CommentReport:
    """A resident reports a comment to the secretary, with a reason; once each."""
    reason = check_text(reason, REASON_MAX, _("The reason"))
    if not permissions.can_report(user, comment):
        raise PactNotAllowed(_("Only residents of this community can report its comments."))
    try:
        with db.session.begin_nested():
            report = CommentReport(comment_id=comment.id, user_id=user.id, reason=reason)
            db.session.add(report)
            db.session.flush()
    except IntegrityError as exc:
        raise PactConflict(_("You already reported this comment.")) from exc
    audit.record(
        "pact.comment_report",
        comment,
        community=comment.pact.community_id,
        detail=reason,
        actor=user,
    )
    return report


def _resolve_reports(comment: Comment) -> None:
    db.session.execute(
        update(CommentReport)
        .where(CommentReport.comment_id == comment.id, CommentReport.resolved_at.is_(None))
        .values(resolved_at=utcnow())
    )


def hide_comment(comment: Comment, reason: str, actor=None) -> Comment:
    """The secretary hides a comment; a public notice with the reason replaces it."""
    if not permissions.can_moderate(actor, comment.pact.community_id):
        raise PactNotAllowed()
    reason = check_text(reason, REASON_MAX, _("The reason"))
    comment.hide(reason, actor.id, utcnow())
    _resolve_reports(comment)
    db.session.flush()
    audit.record(
        "pact.comment_hide",
        comment,
        community=comment.pact.community_id,
        detail=reason,
        actor=actor,
    )
    notify(
        comment.author,
        N_("Your comment on “%(title)s” was hidden by the secretary: %(reason)s"),
        link=comment_link(comment),
        title=comment.pact.title,
        reason=reason,
    )
    return comment


def dismiss_reports(comment: Comment, actor=None) -> None:
    """The secretary dismisses the open reports of a comment; the comment stays."""
    if not permissions.can_moderate(actor, comment.pact.community_id):
        raise PactNotAllowed()
    _resolve_reports(comment)
    audit.record("pact.report_dismiss", comment, community=comment.pact.community_id, actor=actor)
