"""Every write in the pacts domain: verb_noun functions that check, change, audit and notify.

Operations flush; the request (or the CLI, or the demo loader) commits once. They raise
`PactError` with a translated message for anything a user can get wrong.
"""

import difflib
import html
import logging
import re
from datetime import datetime

from flask_babel import lazy_gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.accounts.permissions import can
from app.core import audit
from app.core.notifications import N_, notify
from app.core.time import utcnow
from app.extensions import db
from app.pacts.models import (
    AMENDMENT_MAX,
    CLAUSE_MAX,
    COMMENT_MAX,
    Amendment,
    AmendmentEndorsement,
    AmendmentStatus,
    Clause,
    Comment,
    CommentAgree,
    CommentReport,
    IllegalTransition,
    Pact,
    PactFollow,
    PactStatus,
    PactVersion,
    Position,
    Stance,
)

log = logging.getLogger("yishiting.pacts")

TITLE_MAX = 200
REASON_MAX = 300


class PactError(Exception):
    """Something the user asked for that the rules refuse; the message is translated."""


def pact_link(pact: Pact, anchor: str = "") -> str:
    return f"/pacts/{pact.id}" + (f"#{anchor}" if anchor else "")


def comment_link(comment: Comment) -> str:
    """Where the comment is shown: its clause's page, or the pact page for the whole pact."""
    if comment.clause_id:
        return f"/pacts/{comment.pact_id}/clauses/{comment.clause_id}#comment-{comment.id}"
    return f"/pacts/{comment.pact_id}#comment-{comment.id}"


def amendment_link(amendment: Amendment) -> str:
    """Amendments are shown on their clause's page."""
    return f"/pacts/{amendment.pact_id}/clauses/{amendment.clause_id}#amendment-{amendment.id}"


def _followers(pact: Pact, exclude=None) -> list:
    from app.accounts.models import User

    users = db.session.scalars(
        select(User)
        .join(PactFollow, PactFollow.user_id == User.id)
        .where(PactFollow.pact_id == pact.id)
    ).all()
    return [u for u in users if exclude is None or u.id != exclude.id]


def _move(pact: Pact, status: PactStatus) -> None:
    try:
        pact.move_to(status)
    except IllegalTransition as exc:
        raise PactError(
            _(
                "A pact in the status “%(status)s” cannot move to “%(target)s”.",
                status=pact.status.label,
                target=PactStatus(status).label,
            )
        ) from exc


def _check_text(text: str, maximum: int, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise PactError(_("%(what)s cannot be empty.", what=what))
    if len(text) > maximum:
        raise PactError(
            _("%(what)s is too long (at most %(max)d characters).", what=what, max=maximum)
        )
    return text


_SCRIPTY = re.compile(
    r"<\s*/?\s*(script|iframe|object|embed|svg|math|style)\b"  # active elements
    r"|<[^>]*\son\w+\s*="  # event handler attributes
    r"|(java|vb)script\s*:|data\s*:\s*text/html",  # script URLs
    re.IGNORECASE,
)


def _check_markup(text: str) -> str:
    """Refuse text that tries to carry scripts; the renderer would strip them anyway, but the
    author deserves to know why their text would not show as typed."""
    # Undo the usual obfuscations (entities, whitespace or control characters inside "javascript:").
    probe = html.unescape(text)
    probe = re.sub(r"[\x00-\x20]+", "", probe) + "\n" + probe
    if _SCRIPTY.search(probe):
        raise PactError(
            _(
                "Scripts, event handlers and javascript: or data: links are not allowed. "
                "Please remove them; plain links (https://…) are fine."
            )
        )
    return text


# -- pacts and clauses ---------------------------------------------------------------


def create_pact(
    community, title: str, clause_texts: list[str], summary: str = "", actor=None
) -> Pact:
    """Start a pact in drafting, with its first (unpublished) version holding `clause_texts`."""
    title = _check_text(title, TITLE_MAX, _("The title"))
    texts = [t.strip() for t in clause_texts if t and t.strip()]
    for t in texts:
        _check_text(t, CLAUSE_MAX, _("A clause"))
    pact = Pact(
        community_id=community.id,
        title=title,
        summary=(summary or "").strip(),
        created_by_id=actor.id if actor is not None else None,
    )
    db.session.add(pact)
    db.session.flush()
    version = PactVersion(pact_id=pact.id, number=1)
    db.session.add(version)
    db.session.flush()
    for i, text in enumerate(texts, start=1):
        db.session.add(Clause(version_id=version.id, position=i, lineage=i, text=text))
    db.session.flush()
    db.session.refresh(pact)
    audit.record(
        "pact.create", pact, community=community, detail=f"{len(texts)} clauses", actor=actor
    )
    _add_follow(pact, actor)
    return pact


def _add_follow(pact: Pact, user) -> None:
    if user is None:
        return
    exists = db.session.scalar(
        select(PactFollow.id).where(PactFollow.pact_id == pact.id, PactFollow.user_id == user.id)
    )
    if not exists:
        db.session.add(PactFollow(pact_id=pact.id, user_id=user.id))
        db.session.flush()


def _editable_version(pact: Pact) -> PactVersion:
    draft = pact.draft_version
    if draft is None or pact.status not in (PactStatus.DRAFTING, PactStatus.REVISION):
        raise PactError(_("Clauses can only be changed in a draft, before it is published."))
    return draft


def _renumber(version: PactVersion) -> None:
    for i, clause in enumerate(sorted(version.clauses, key=lambda c: c.position), start=1):
        clause.position = i
    db.session.flush()
    # The relationship keeps its load order; reload it so it follows the new positions.
    db.session.expire(version, ["clauses"])


def add_clause(pact: Pact, text: str, after: int | None = None, actor=None) -> Clause:
    """Add a clause to the draft after position `after` (at the end by default)."""
    version = _editable_version(pact)
    text = _check_text(text, CLAUSE_MAX, _("A clause"))
    clauses = sorted(version.clauses, key=lambda c: c.position)
    if after is None or after >= len(clauses):
        after = len(clauses)
    # Positions above must shift; do it in two steps so no intermediate state clashes.
    for c in clauses:
        if c.position > after:
            c.position += 1
    lineage = _next_lineage(pact)
    clause = Clause(version_id=version.id, position=after + 1, lineage=lineage, text=text)
    db.session.add(clause)
    db.session.flush()
    db.session.refresh(version)
    _renumber(version)
    audit.record(
        "pact.clause_add",
        pact,
        community=pact.community_id,
        detail=f"clause {clause.position}",
        actor=actor,
    )
    return clause


def _next_lineage(pact: Pact) -> int:
    current = db.session.scalar(
        select(func.max(Clause.lineage)).join(PactVersion).where(PactVersion.pact_id == pact.id)
    )
    return (current or 0) + 1


def _own_clause(pact: Pact, clause: Clause) -> None:
    if clause.version.pact_id != pact.id:
        raise PactError(_("This clause belongs to another pact."))


def edit_clause(pact: Pact, clause: Clause, text: str, actor=None) -> Clause:
    version = _editable_version(pact)
    _own_clause(pact, clause)
    if clause.version_id != version.id:
        raise PactError(
            _("Only the draft's clauses can be changed; published versions never change.")
        )
    clause.text = _check_text(text, CLAUSE_MAX, _("A clause"))
    db.session.flush()
    audit.record(
        "pact.clause_edit",
        pact,
        community=pact.community_id,
        detail=f"clause {clause.position}",
        actor=actor,
    )
    return clause


def move_clause(pact: Pact, clause: Clause, delta: int, actor=None) -> None:
    """Move a draft clause up (delta -1) or down (+1)."""
    version = _editable_version(pact)
    _own_clause(pact, clause)
    if clause.version_id != version.id:
        raise PactError(
            _("Only the draft's clauses can be changed; published versions never change.")
        )
    clauses = sorted(version.clauses, key=lambda c: c.position)
    i = clauses.index(clause)
    j = i + (1 if delta > 0 else -1)
    if not 0 <= j < len(clauses):
        return
    clauses[i], clauses[j] = clauses[j], clauses[i]
    for n, c in enumerate(clauses, start=1):
        c.position = n
    db.session.flush()
    db.session.expire(version, ["clauses"])
    audit.record(
        "pact.clause_move",
        pact,
        community=pact.community_id,
        detail=f"clause {i + 1} -> {j + 1}",
        actor=actor,
    )


def remove_clause(pact: Pact, clause: Clause, actor=None) -> None:
    version = _editable_version(pact)
    _own_clause(pact, clause)
    if clause.version_id != version.id:
        raise PactError(
            _("Only the draft's clauses can be changed; published versions never change.")
        )
    position = clause.position
    version.clauses.remove(clause)
    db.session.flush()
    _renumber(version)
    audit.record(
        "pact.clause_remove",
        pact,
        community=pact.community_id,
        detail=f"clause {position}",
        actor=actor,
    )


# -- lifecycle ---------------------------------------------------------------------


def _publish_draft(pact: Pact, note: str = "") -> PactVersion:
    draft = pact.draft_version
    if draft is None:
        raise PactError(_("There is no draft to publish."))
    if not draft.clauses:
        raise PactError(_("A pact needs at least one clause before it is published."))
    draft.published_at = utcnow()
    draft.note = (note or "").strip()
    db.session.flush()
    return draft


def _mark_applied(pact: Pact, version: PactVersion, previous: PactVersion | None) -> None:
    """Link the accepted amendments that the newly published `version` carries to it, so that
    the comparison of versions shows which amendment caused each change."""
    if previous is None:
        return
    new_lineages = {c.lineage for c in version.clauses}
    for a in db.session.scalars(
        select(Amendment).where(
            Amendment.pact_id == pact.id,
            Amendment.status == AmendmentStatus.ACCEPTED,
            Amendment.applied_version_id.is_(None),
        )
    ):
        if a.clause.lineage in new_lineages:
            a.applied_version_id = version.id
    db.session.flush()


def open_consultation(pact: Pact, opens_at: datetime, closes_at: datetime, actor=None) -> Pact:
    """Publish the draft (if any) and open the public comment window."""
    if closes_at <= opens_at:
        raise PactError(_("The consultation must close after it opens."))
    if closes_at <= utcnow():
        raise PactError(_("The closing date must be in the future."))
    if not pact.can_move_to(PactStatus.CONSULTATION):
        _move(pact, PactStatus.CONSULTATION)
    if pact.draft_version is not None:
        previous = pact.latest_version
        _mark_applied(pact, _publish_draft(pact), previous)
    if pact.latest_version is None:
        raise PactError(_("There is no published version to consult on."))
    _move(pact, PactStatus.CONSULTATION)
    pact.consultation_opens_at = opens_at
    pact.consultation_closes_at = closes_at
    db.session.flush()
    audit.record(
        "pact.consultation_open",
        pact,
        community=pact.community_id,
        detail=f"version {pact.latest_version.number}, until {closes_at:%Y-%m-%d %H:%M} UTC",
        actor=actor,
    )
    notify(
        _followers(pact, exclude=actor),
        N_("Consultation on “%(title)s” is open: version %(number)s is ready for your views."),
        link=pact_link(pact),
        title=pact.title,
        number=pact.latest_version.number,
    )
    return pact


def close_consultation(pact: Pact, actor=None) -> Pact:
    """End the comment window; the secretary now revises the text."""
    _move(pact, PactStatus.REVISION)
    now = utcnow()
    if pact.consultation_closes_at is None or pact.consultation_closes_at > now:
        pact.consultation_closes_at = now
    db.session.flush()
    audit.record("pact.consultation_close", pact, community=pact.community_id, actor=actor)
    notify(
        _followers(pact, exclude=actor),
        N_("Consultation on “%(title)s” has ended; the secretary is revising the text."),
        link=pact_link(pact),
        title=pact.title,
    )
    return pact


def start_revision(pact: Pact, actor=None) -> PactVersion:
    """Create the draft of version N+1 from the latest version with accepted amendments applied."""
    if pact.status != PactStatus.REVISION:
        raise PactError(_("A new version can only be prepared while the pact is in revision."))
    if pact.draft_version is not None:
        return pact.draft_version
    latest = pact.latest_version
    draft = PactVersion(pact_id=pact.id, number=latest.number + 1)
    db.session.add(draft)
    db.session.flush()
    # By lineage: an amendment accepted on an earlier version still changes the same clause.
    accepted = {
        a.clause.lineage: a
        for a in db.session.scalars(
            select(Amendment)
            .where(
                Amendment.pact_id == pact.id,
                Amendment.status == AmendmentStatus.ACCEPTED,
                Amendment.applied_version_id.is_(None),
            )
            .order_by(Amendment.decided_at)
        )
    }
    for clause in latest.clauses:
        text = clause.text
        if clause.lineage in accepted:
            text = accepted[clause.lineage].text
        db.session.add(
            Clause(version_id=draft.id, position=clause.position, lineage=clause.lineage, text=text)
        )
    db.session.flush()
    db.session.refresh(pact)
    audit.record(
        "pact.revision_start",
        pact,
        community=pact.community_id,
        detail=f"draft version {draft.number}",
        actor=actor,
    )
    return draft


def discard_draft(pact: Pact, actor=None) -> None:
    """Drop the unpublished revision draft (accepted amendments stay accepted, for a later draft)."""
    draft = pact.draft_version
    if draft is None or pact.status != PactStatus.REVISION:
        raise PactError(_("There is no draft to discard."))
    number = draft.number
    pact.versions.remove(draft)
    db.session.flush()
    audit.record(
        "pact.draft_discard",
        pact,
        community=pact.community_id,
        detail=f"draft version {number}",
        actor=actor,
    )


def close_due_consultations(now: datetime | None = None) -> list[Pact]:
    """Close every consultation whose window has ended (run by `flask pacts close-due`)."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Pact).where(
            Pact.status == PactStatus.CONSULTATION, Pact.consultation_closes_at <= now
        )
    ).all()
    for pact in due:
        close_consultation(pact)
        log.info("pact %s consultation closed by schedule", pact.id)
    return list(due)


def publish_version(pact: Pact, note: str = "", actor=None) -> PactVersion:
    """Publish the revision draft as version N+1; accepted amendments it carries are marked applied."""
    if pact.status != PactStatus.REVISION:
        raise PactError(_("A new version can only be published while the pact is in revision."))
    previous = pact.latest_version
    version = _publish_draft(pact, note)
    _mark_applied(pact, version, previous)
    audit.record(
        "pact.version_publish",
        version,
        community=pact.community_id,
        detail=f"pact {pact.id} version {version.number}",
        actor=actor,
    )
    notify(
        _followers(pact, exclude=actor),
        N_("Version %(number)s of “%(title)s” is published."),
        link=f"/pacts/{pact.id}?version={version.number}",
        title=pact.title,
        number=version.number,
    )
    return version


def begin_ratification(pact: Pact, actor) -> Pact:
    """Revision → ratification: the votes domain calls this when it creates the ratification vote."""
    if pact.latest_version is None:
        raise PactError(_("There is no published version to ratify."))
    if pact.draft_version is not None:
        raise PactError(_("Publish or discard the draft before sending the pact to ratification."))
    _move(pact, PactStatus.RATIFICATION)
    db.session.flush()
    audit.record(
        "pact.ratification_begin",
        pact,
        community=pact.community_id,
        detail=f"version {pact.latest_version.number}",
        actor=actor,
    )
    notify(
        _followers(pact, exclude=actor),
        N_("Version %(number)s of “%(title)s” goes to a ratification vote."),
        link=pact_link(pact),
        title=pact.title,
        number=pact.latest_version.number,
    )
    return pact


def conclude_ratification(pact: Pact, adopted: bool, actor=None) -> Pact:
    """Ratification → adopted (superseding the community's adopted pact) or back to revision."""
    if adopted:
        _move(pact, PactStatus.ADOPTED)
        pact.adopted_at = utcnow()
        older = db.session.scalars(
            select(Pact).where(
                Pact.community_id == pact.community_id,
                Pact.status == PactStatus.ADOPTED,
                Pact.id != pact.id,
            )
        ).all()
        for old in older:
            old.move_to(PactStatus.SUPERSEDED)
            old.ended_at = utcnow()
            old.superseded_by_id = pact.id
            audit.record(
                "pact.supersede",
                old,
                community=old.community_id,
                detail=f"by pact {pact.id}",
                actor=actor,
            )
            notify(
                _followers(old, exclude=actor),
                N_("“%(title)s” is superseded by a newer pact."),
                link=pact_link(old),
                title=old.title,
            )
        db.session.flush()
        audit.record(
            "pact.adopt",
            pact,
            community=pact.community_id,
            detail=f"version {pact.latest_version.number if pact.latest_version else '?'}",
            actor=actor,
        )
        notify(
            _followers(pact, exclude=actor),
            N_("“%(title)s” was adopted and is now in force."),
            link=pact_link(pact),
            title=pact.title,
        )
    else:
        _move(pact, PactStatus.REVISION)
        db.session.flush()
        audit.record("pact.ratification_reject", pact, community=pact.community_id, actor=actor)
        notify(
            _followers(pact, exclude=actor),
            N_("“%(title)s” was not ratified and goes back to revision."),
            link=pact_link(pact),
            title=pact.title,
        )
    return pact


def repeal_pact(pact: Pact, reason: str, actor=None) -> Pact:
    """Adopted → repealed, with a public reason."""
    reason = _check_text(reason, REASON_MAX, _("The reason"))
    _move(pact, PactStatus.REPEALED)
    pact.ended_at = utcnow()
    db.session.flush()
    audit.record("pact.repeal", pact, community=pact.community_id, detail=reason, actor=actor)
    notify(
        _followers(pact, exclude=actor),
        N_("“%(title)s” was repealed."),
        link=pact_link(pact),
        title=pact.title,
    )
    return pact


# -- participation -------------------------------------------------------------------


def _require_participation(pact: Pact, user, clause: Clause | None = None) -> None:
    if not can("pact.participate", pact.community_id, user):
        raise PactError(_("Only residents of this community can take part in its pact."))
    if not pact.consultation_is_open():
        raise PactError(
            _("The consultation is closed; positions, comments and amendments are no longer taken.")
        )
    if clause is not None:
        latest = pact.latest_version
        if clause.version.pact_id != pact.id:
            raise PactError(_("This clause belongs to another pact."))
        if latest is None or clause.version_id != latest.id:
            raise PactError(
                _("This clause is from an older version; take part on the current version.")
            )


def set_position(pact: Pact, clause: Clause, user, stance: Stance | str) -> Position:
    """Take or change the resident's one position on a clause."""
    try:
        stance = Stance(stance)
    except ValueError as exc:
        raise PactError(_("Choose support, oppose or suggest a change.")) from exc
    _require_participation(pact, user, clause)
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
            position = db.session.scalar(
                select(Position).where(Position.user_id == user.id, Position.clause_id == clause.id)
            )
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


def secretary_may_answer(pact: Pact, reply: bool = True) -> bool:
    """The secretary answers comments while the consultation is open and during the revision
    that follows it (so late comments still get their answer); new threads only while open."""
    if pact.consultation_is_open():
        return True
    return reply and pact.status in (PactStatus.CONSULTATION, PactStatus.REVISION)


def post_comment(
    pact: Pact, user, body: str, clause: Clause | None = None, parent: Comment | None = None
) -> Comment:
    """Post a comment on the pact or one of its clauses, or a reply in a thread."""
    body = _check_markup(_check_text(body, COMMENT_MAX, _("A comment")))
    if parent is not None:
        if parent.pact_id != pact.id:
            raise PactError(_("This comment belongs to another pact."))
        clause = parent.clause
        if not parent.is_visible:
            raise PactError(_("You cannot reply to a comment that was withdrawn or hidden."))
    is_secretary = can("pact.manage", pact.community_id, user)
    if not (is_secretary and secretary_may_answer(pact, reply=parent is not None)):
        _require_participation(pact, user, clause)
    elif clause is not None and clause.version.pact_id != pact.id:
        raise PactError(_("This clause belongs to another pact."))
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
    if root is not None:
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
                name=_display(user, pact),
            )
        if is_secretary and root.author_id not in (user.id, parent.author_id):
            # The secretary's answer anywhere in a thread answers the comment that opened it.
            notify(
                root.author,
                N_("The secretary answered your comment on “%(title)s”."),
                link=comment_link(comment),
                title=pact.title,
            )
    audit.record("pact.comment", comment, community=pact.community_id, actor=user)
    _add_follow(pact, user)
    return comment


def _display(user, pact) -> str:
    from app.accounts.names import mask

    return mask(user.display_name)


def edit_comment(comment: Comment, user, body: str) -> Comment:
    """The author corrects a comment within the edit window; it then shows as edited."""
    if not comment.can_edit(user):
        raise PactError(_("This comment can no longer be edited."))
    comment.body = _check_markup(_check_text(body, COMMENT_MAX, _("A comment")))
    comment.edited_at = utcnow()
    db.session.flush()
    audit.record("pact.comment_edit", comment, community=comment.pact.community_id, actor=user)
    return comment


def withdraw_comment(comment: Comment, user) -> Comment:
    if not comment.can_withdraw(user):
        raise PactError(_("Only the author can withdraw this comment."))
    comment.withdrawn_at = utcnow()
    db.session.flush()
    audit.record("pact.comment_withdraw", comment, community=comment.pact.community_id, actor=user)
    return comment


def agree_comment(comment: Comment, user) -> Comment:
    """A +1 from another resident; once each."""
    pact = comment.pact
    _require_participation(pact, user)
    if comment.author_id == user.id:
        raise PactError(_("You cannot agree with your own comment."))
    if not comment.is_visible:
        raise PactError(_("This comment was withdrawn or hidden."))
    try:
        with db.session.begin_nested():
            db.session.add(CommentAgree(comment_id=comment.id, user_id=user.id))
            db.session.flush()
    except IntegrityError as exc:
        raise PactError(_("You already agreed with this comment.")) from exc
    db.session.execute(
        update(Comment).where(Comment.id == comment.id).values(agree_count=Comment.agree_count + 1)
    )
    db.session.refresh(comment)
    audit.record("pact.comment_agree", comment, community=pact.community_id, actor=user)
    return comment


def report_comment(comment: Comment, user, reason: str) -> CommentReport:
    reason = _check_text(reason, REASON_MAX, _("The reason"))
    if not can("pact.participate", comment.pact.community_id, user) and not can(
        "pact.manage", comment.pact.community_id, user
    ):
        raise PactError(_("Only residents of this community can report its comments."))
    try:
        with db.session.begin_nested():
            report = CommentReport(comment_id=comment.id, user_id=user.id, reason=reason)
            db.session.add(report)
            db.session.flush()
    except IntegrityError as exc:
        raise PactError(_("You already reported this comment.")) from exc
    audit.record(
        "pact.comment_report",
        comment,
        community=comment.pact.community_id,
        detail=reason,
        actor=user,
    )
    return report


def hide_comment(comment: Comment, reason: str, actor=None) -> Comment:
    """The secretary hides a comment; a public notice with the reason replaces it."""
    reason = _check_text(reason, REASON_MAX, _("The reason"))
    if comment.hidden_at is not None:
        raise PactError(_("This comment is already hidden."))
    comment.hidden_at = utcnow()
    comment.hidden_reason = reason
    comment.hidden_by_id = actor.id if actor is not None else None
    db.session.execute(
        update(CommentReport)
        .where(CommentReport.comment_id == comment.id, CommentReport.resolved_at.is_(None))
        .values(resolved_at=utcnow())
    )
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
    db.session.execute(
        update(CommentReport)
        .where(CommentReport.comment_id == comment.id, CommentReport.resolved_at.is_(None))
        .values(resolved_at=utcnow())
    )
    audit.record("pact.report_dismiss", comment, community=comment.pact.community_id, actor=actor)


# -- amendments ----------------------------------------------------------------------


def propose_amendment(pact: Pact, clause: Clause, user, text: str, reason: str) -> Amendment:
    """A resident proposes replacement text for a clause of the current version."""
    text = _check_markup(_check_text(text, AMENDMENT_MAX, _("The proposed text")))
    reason = _check_markup(_check_text(reason, AMENDMENT_MAX, _("The reason")))
    _require_participation(pact, user, clause)
    if text == clause.text.strip():
        raise PactError(_("The proposed text is the same as the clause."))
    amendment = Amendment(
        pact_id=pact.id, clause_id=clause.id, author_id=user.id, text=text, reason=reason
    )
    db.session.add(amendment)
    db.session.flush()
    audit.record(
        "pact.amendment_propose",
        amendment,
        community=pact.community_id,
        detail=f"clause {clause.id}",
        actor=user,
    )
    _add_follow(pact, user)
    return amendment


def endorse_amendment(amendment: Amendment, user) -> Amendment:
    pact = amendment.pact
    _require_participation(pact, user)
    if amendment.status != AmendmentStatus.OPEN:
        raise PactError(_("This amendment has already been answered."))
    if amendment.author_id == user.id:
        raise PactError(_("You cannot endorse your own amendment."))
    try:
        with db.session.begin_nested():
            db.session.add(AmendmentEndorsement(amendment_id=amendment.id, user_id=user.id))
            db.session.flush()
    except IntegrityError as exc:
        raise PactError(_("You already endorsed this amendment.")) from exc
    db.session.execute(
        update(Amendment)
        .where(Amendment.id == amendment.id)
        .values(endorse_count=Amendment.endorse_count + 1)
    )
    db.session.refresh(amendment)
    audit.record("pact.amendment_endorse", amendment, community=pact.community_id, actor=user)
    return amendment


def decide_amendment(amendment: Amendment, accept: bool, response: str, actor=None) -> Amendment:
    """The secretary accepts or rejects an amendment with a public reason."""
    response = _check_text(response, AMENDMENT_MAX, _("The reason"))
    if amendment.status != AmendmentStatus.OPEN:
        raise PactError(_("This amendment has already been answered."))
    pact = amendment.pact
    if pact.status not in (PactStatus.CONSULTATION, PactStatus.REVISION):
        raise PactError(_("Amendments are answered during consultation or revision."))
    amendment.status = AmendmentStatus.ACCEPTED if accept else AmendmentStatus.REJECTED
    amendment.response = response
    amendment.decided_at = utcnow()
    amendment.decided_by_id = actor.id if actor is not None else None
    db.session.flush()
    # An accepted amendment also changes a revision draft already under way.
    draft = pact.draft_version
    if accept and draft is not None and pact.status == PactStatus.REVISION:
        for c in draft.clauses:
            if c.lineage == amendment.clause.lineage:
                c.text = amendment.text
        db.session.flush()
    audit.record(
        "pact.amendment_" + ("accept" if accept else "reject"),
        amendment,
        community=pact.community_id,
        detail=response,
        actor=actor,
    )
    if accept:
        notify(
            amendment.author,
            N_("Your amendment to “%(title)s” was accepted: %(reason)s"),
            link=amendment_link(amendment),
            title=pact.title,
            reason=response,
        )
    else:
        notify(
            amendment.author,
            N_("Your amendment to “%(title)s” was rejected: %(reason)s"),
            link=amendment_link(amendment),
            title=pact.title,
            reason=response,
        )
    return amendment


def withdraw_amendment(amendment: Amendment, user) -> Amendment:
    if amendment.author_id != user.id:
        raise PactError(_("Only the author can withdraw this amendment."))
    if amendment.status != AmendmentStatus.OPEN:
        raise PactError(_("This amendment has already been answered."))
    amendment.status = AmendmentStatus.WITHDRAWN
    db.session.flush()
    audit.record(
        "pact.amendment_withdraw", amendment, community=amendment.pact.community_id, actor=user
    )
    return amendment


# -- following -----------------------------------------------------------------------


def follow_pact(pact: Pact, user) -> None:
    _add_follow(pact, user)
    audit.record("pact.follow", pact, community=pact.community_id, actor=user)


def unfollow_pact(pact: Pact, user) -> None:
    follow = db.session.scalar(
        select(PactFollow).where(PactFollow.pact_id == pact.id, PactFollow.user_id == user.id)
    )
    if follow is not None:
        db.session.delete(follow)
        db.session.flush()
    audit.record("pact.unfollow", pact, community=pact.community_id, actor=user)


# -- comparing versions --------------------------------------------------------------


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Segments ("same"|"del"|"ins", text) marking the changed words (characters for Chinese)."""
    import re

    def tokens(s: str) -> list[str]:
        # Latin words stay whole; each CJK character is its own token.
        return re.findall(r"[A-Za-z0-9_]+|\s+|.", s, flags=re.S)

    a, b = tokens(old), tokens(new)
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("same", "".join(a[i1:i2])))
        else:
            if i2 > i1:
                out.append(("del", "".join(a[i1:i2])))
            if j2 > j1:
                out.append(("ins", "".join(b[j1:j2])))
    return out


def compare_versions(old: PactVersion, new: PactVersion) -> list[dict]:
    """Clause-by-clause comparison, matching clauses by lineage, in the new version's order."""
    old_by = {c.lineage: c for c in old.clauses}
    new_by = {c.lineage: c for c in new.clauses}
    rows: list[dict] = []
    for c in new.clauses:
        before = old_by.get(c.lineage)
        if before is None:
            rows.append({"kind": "added", "old": None, "new": c, "diff": [("ins", c.text)]})
        elif before.text != c.text:
            rows.append(
                {"kind": "changed", "old": before, "new": c, "diff": word_diff(before.text, c.text)}
            )
        else:
            rows.append(
                {
                    "kind": "same",
                    "old": before,
                    "new": c,
                    "diff": [("same", c.text)],
                    "moved": before.position != c.position,
                }
            )
    for c in old.clauses:
        if c.lineage not in new_by:
            rows.append({"kind": "removed", "old": c, "new": None, "diff": [("del", c.text)]})
    return rows
