"""Amendments: residents propose replacement text, endorse it; the secretary answers publicly."""

from flask_babel import lazy_gettext as _
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from app.core import audit
from app.core.notifications import N_, notify
from app.core.time import utcnow
from app.extensions import db
from app.pacts.errors import PactConflict, PactInvalid, PactNotAllowed
from app.pacts.models import AMENDMENT_MAX, Amendment, AmendmentEndorsement, Clause, Pact
from app.pacts.operations.common import (
    add_follow,
    amendment_link,
    check_text,
    require_manage,
    require_participation,
)


def propose_amendment(pact: Pact, clause: Clause, user, text: str, reason: str) -> Amendment:
    """A resident proposes replacement text for a clause of the current version."""
    text = check_text(text, AMENDMENT_MAX, _("The proposed text"))
    reason = check_text(reason, AMENDMENT_MAX, _("The reason"))
    require_participation(pact, user, clause)
    if text == clause.text.strip():
        raise PactInvalid(_("The proposed text is the same as the clause."))
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
    add_follow(pact, user)
    return amendment


def endorse_amendment(amendment: Amendment, user) -> Amendment:
    """Another resident supports an open amendment; once each."""
    pact = amendment.pact
    require_participation(pact, user)
    if not amendment.is_open:
        raise PactConflict(_("This amendment has already been answered."))
    if amendment.author_id == user.id:
        raise PactConflict(_("You cannot endorse your own amendment."))
    try:
        with db.session.begin_nested():
            db.session.add(AmendmentEndorsement(amendment_id=amendment.id, user_id=user.id))
            db.session.flush()
    except IntegrityError as exc:
        raise PactConflict(_("You already endorsed this amendment.")) from exc
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
    pact = amendment.pact
    require_manage(pact, actor)
    response = check_text(response, AMENDMENT_MAX, _("The reason"))
    if not amendment.is_open:
        raise PactConflict(_("This amendment has already been answered."))
    if not pact.takes_answers:
        raise PactConflict(_("Amendments are answered during consultation or revision."))
    amendment.decide(accept, response, actor.id, utcnow())
    db.session.flush()
    # An accepted amendment also changes a revision draft already under way.
    draft = pact.draft_version
    if accept and draft is not None and pact.in_revision:
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
        message = N_("Your amendment to “%(title)s” was accepted: %(reason)s")
    else:
        message = N_("Your amendment to “%(title)s” was rejected: %(reason)s")
    notify(
        amendment.author,
        message,
        link=amendment_link(amendment),
        title=pact.title,
        reason=response,
    )
    return amendment


def withdraw_amendment(amendment: Amendment, user) -> Amendment:
    """The author withdraws an amendment that has not been answered."""
    if amendment.author_id != getattr(user, "id", None):
        raise PactNotAllowed(_("Only the author can withdraw this amendment."))
    amendment.withdraw()
    db.session.flush()
    audit.record(
        "pact.amendment_withdraw", amendment, community=amendment.pact.community_id, actor=user
    )
    return amendment
