"""A pact's lifecycle: consultation, revision, new versions, ratification, adoption, repeal.

Every status change is a `Pact` method (models.py) that refuses an illegal move with a
`Conflict`; these operations check who acts, then audit the move and tell the followers.
"""

import logging
from datetime import datetime

from flask_babel import lazy_gettext as _
from sqlalchemy import select

from app.core import audit
from app.core.notifications import N_, notify
from app.core.time import utcnow
from app.extensions import db
from app.pacts.errors import PactConflict, PactInvalid
from app.pacts.models import Amendment, AmendmentStatus, Clause, Pact, PactStatus, PactVersion
from app.pacts.operations.common import (
    REASON_MAX,
    check_text,
    followers,
    pact_link,
    require_manage,
)

log = logging.getLogger("yishiting.pacts")


def _publish_draft(pact: Pact, note: str = "") -> PactVersion:
    draft = pact.draft_version
    if draft is None:
        raise PactConflict(_("There is no draft to publish."))
    if not draft.clauses:
        raise PactConflict(_("A pact needs at least one clause before it is published."))
    draft.published_at = utcnow()
    draft.note = (note or "").strip()
    db.session.flush()
    return draft


def _unapplied_accepted(pact: Pact):
    return db.session.scalars(
        select(Amendment)
        .where(
            Amendment.pact_id == pact.id,
            Amendment.status == AmendmentStatus.ACCEPTED,
            Amendment.applied_version_id.is_(None),
        )
        .order_by(Amendment.decided_at)
    )


def _mark_applied(pact: Pact, version: PactVersion, previous: PactVersion | None) -> None:
    """Link the accepted amendments that the newly published `version` carries to it, so that
    the comparison of versions shows which amendment caused each change."""
    if previous is None:
        return
    new_lineages = {c.lineage for c in version.clauses}
    for a in _unapplied_accepted(pact):
        if a.clause.lineage in new_lineages:
            a.applied_version_id = version.id
    db.session.flush()


def open_consultation(pact: Pact, opens_at: datetime, closes_at: datetime, actor=None) -> Pact:
    """Publish the draft (if any) and open the public comment window."""
    require_manage(pact, actor)
    if closes_at <= opens_at:
        raise PactInvalid(_("The consultation must close after it opens."))
    if closes_at <= utcnow():
        raise PactInvalid(_("The closing date must be in the future."))
    if not pact.can_move_to(PactStatus.CONSULTATION):
        pact.move_to(PactStatus.CONSULTATION)  # refuses, with the reason
    if pact.draft_version is not None:
        previous = pact.latest_version
        _mark_applied(pact, _publish_draft(pact), previous)
    latest = pact.latest_version
    if latest is None:
        raise PactConflict(_("There is no published version to consult on."))
    pact.open_consultation(opens_at, closes_at)
    db.session.flush()
    audit.record(
        "pact.consultation_open",
        pact,
        community=pact.community_id,
        detail=f"version {latest.number}, until {closes_at:%Y-%m-%d %H:%M} UTC",
        actor=actor,
    )
    notify(
        followers(pact, exclude=actor),
        N_("Consultation on “%(title)s” is open: version %(number)s is ready for your views."),
        link=pact_link(pact),
        title=pact.title,
        number=latest.number,
    )
    return pact


def _close(pact: Pact, actor=None) -> Pact:
    pact.close_consultation(utcnow())
    db.session.flush()
    audit.record("pact.consultation_close", pact, community=pact.community_id, actor=actor)
    notify(
        followers(pact, exclude=actor),
        N_("Consultation on “%(title)s” has ended; the secretary is revising the text."),
        link=pact_link(pact),
        title=pact.title,
    )
    return pact


def close_consultation(pact: Pact, actor=None) -> Pact:
    """End the comment window; the secretary now revises the text."""
    require_manage(pact, actor)
    return _close(pact, actor)


def close_due_consultations(now: datetime | None = None) -> list[Pact]:
    """Close every consultation whose window has ended (the schedule acts, as `flask pacts close-due`)."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Pact).where(
            Pact.status == PactStatus.CONSULTATION, Pact.consultation_closes_at <= now
        )
    ).all()
    for pact in due:
        _close(pact)
        log.info("pact %s consultation closed by schedule", pact.id)
    return list(due)


def start_revision(pact: Pact, actor=None) -> PactVersion:
    """Create the draft of version N+1 from the latest version with accepted amendments applied."""
    require_manage(pact, actor)
    latest = pact.latest_version
    if not pact.in_revision or latest is None:
        raise PactConflict(_("A new version can only be prepared while the pact is in revision."))
    if pact.draft_version is not None:
        return pact.draft_version
    draft = PactVersion(pact_id=pact.id, number=latest.number + 1)
    db.session.add(draft)
    db.session.flush()
    # By lineage: an amendment accepted on an earlier version still changes the same clause.
    accepted = {a.clause.lineage: a for a in _unapplied_accepted(pact)}
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
    require_manage(pact, actor)
    draft = pact.draft_version
    if draft is None or not pact.in_revision:
        raise PactConflict(_("There is no draft to discard."))
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


def publish_version(pact: Pact, note: str = "", actor=None) -> PactVersion:
    """Publish the revision draft as version N+1; accepted amendments it carries are marked applied."""
    require_manage(pact, actor)
    if not pact.in_revision:
        raise PactConflict(_("A new version can only be published while the pact is in revision."))
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
        followers(pact, exclude=actor),
        N_("Version %(number)s of “%(title)s” is published."),
        link=f"/pacts/{pact.id}?version={version.number}",
        title=pact.title,
        number=version.number,
    )
    return version


def begin_ratification(pact: Pact, actor) -> Pact:
    """Revision → ratification, when the secretary puts the latest version to a vote."""
    require_manage(pact, actor)
    latest = pact.latest_version
    if latest is None:
        raise PactConflict(_("There is no published version to ratify."))
    if pact.draft_version is not None:
        raise PactConflict(
            _("Publish or discard the draft before sending the pact to ratification.")
        )
    pact.begin_ratification()
    db.session.flush()
    audit.record(
        "pact.ratification_begin",
        pact,
        community=pact.community_id,
        detail=f"version {latest.number}",
        actor=actor,
    )
    notify(
        followers(pact, exclude=actor),
        N_("Version %(number)s of “%(title)s” goes to a ratification vote."),
        link=pact_link(pact),
        title=pact.title,
        number=latest.number,
    )
    return pact


def conclude_ratification(pact: Pact, adopted: bool, actor=None) -> Pact:
    """Ratification → adopted (superseding the community's adopted pact) or back to revision.

    The certified result of the ratification vote decides, not a user's role: this runs when
    the vote is published or cancelled (signals.py), with the user who did that as `actor`.
    """
    now = utcnow()
    if not adopted:
        pact.return_to_revision()
        db.session.flush()
        audit.record("pact.ratification_reject", pact, community=pact.community_id, actor=actor)
        notify(
            followers(pact, exclude=actor),
            N_("“%(title)s” was not ratified and goes back to revision."),
            link=pact_link(pact),
            title=pact.title,
        )
        return pact
    pact.adopt(now)
    older = db.session.scalars(
        select(Pact).where(
            Pact.community_id == pact.community_id,
            Pact.status == PactStatus.ADOPTED,
            Pact.id != pact.id,
        )
    ).all()
    for old in older:
        old.supersede(pact, now)
        audit.record(
            "pact.supersede",
            old,
            community=old.community_id,
            detail=f"by pact {pact.id}",
            actor=actor,
        )
        notify(
            followers(old, exclude=actor),
            N_("“%(title)s” is superseded by a newer pact."),
            link=pact_link(old),
            title=old.title,
        )
    db.session.flush()
    latest = pact.latest_version
    audit.record(
        "pact.adopt",
        pact,
        community=pact.community_id,
        detail=f"version {latest.number if latest else '?'}",
        actor=actor,
    )
    notify(
        followers(pact, exclude=actor),
        N_("“%(title)s” was adopted and is now in force."),
        link=pact_link(pact),
        title=pact.title,
    )
    return pact


def repeal_pact(pact: Pact, reason: str, actor=None) -> Pact:
    """Adopted → repealed, with a public reason."""
    require_manage(pact, actor)
    reason = check_text(reason, REASON_MAX, _("The reason"))
    pact.repeal(utcnow())
    db.session.flush()
    audit.record("pact.repeal", pact, community=pact.community_id, detail=reason, actor=actor)
    notify(
        followers(pact, exclude=actor),
        N_("“%(title)s” was repealed."),
        link=pact_link(pact),
        title=pact.title,
    )
    return pact
