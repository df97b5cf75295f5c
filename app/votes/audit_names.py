"""The vote actions and objects as the audit log names them (core/audit_names.py)."""

from flask_babel import lazy_gettext as _l

from app.core.audit_names import AuditKind, ObjectNamer, link_to
from app.votes.models import Vote


def audit_kind() -> AuditKind:
    """Votes: definition, opening, ballots, closing, publication, witnesses."""
    return AuditKind(
        "votes",
        _l("Votes"),
        ("vote.",),
        {
            "vote.create": _l("Created a vote"),
            "vote.edit": _l("Edited a vote"),
            "vote.open": _l("Opened a vote"),
            "vote.cast": _l("A ballot was cast"),
            "vote.paper_ballot": _l("Entered a paper ballot"),
            "vote.present_count": _l("Recorded how many voters are present"),
            "vote.close": _l("Closed a vote"),
            "vote.publish": _l("Published and certified a result"),
            "vote.cancel": _l("Cancelled a vote"),
            "vote.witness_add": _l("Added a witness"),
            "vote.witness_remove": _l("Removed a witness"),
        },
        {
            "votes": ObjectNamer(
                Vote,
                _l("Vote"),
                lambda v: v.title,
                lambda v: link_to("votes.vote_page", vote_id=v.id),
            ),
        },
    )
