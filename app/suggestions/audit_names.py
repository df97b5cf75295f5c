"""The suggestion actions and objects as the audit log names them (core/audit_names.py)."""

from flask_babel import lazy_gettext as _l

from app.core.audit_names import AuditKind, ObjectNamer, link_to
from app.suggestions.models import Suggestion


def audit_kind() -> AuditKind:
    """Suggestions: submitted, routed, answered, rated, followed up."""
    return AuditKind(
        "suggestions",
        _l("Suggestions"),
        ("suggestion.",),
        {
            "suggestion.submit": _l("Submitted a suggestion"),
            "suggestion.accept": _l("Accepted a suggestion and sent it to a body"),
            "suggestion.reroute": _l("Sent a suggestion to another body"),
            "suggestion.decline": _l("Declined a suggestion"),
            "suggestion.answer": _l("Answered a suggestion"),
            "suggestion.rate": _l("Rated an answer"),
            "suggestion.reopen": _l("Reopened a suggestion"),
            "suggestion.close": _l("Closed a suggestion"),
            "suggestion.candidate": _l("Marked a suggestion as a candidate project"),
            "suggestion.uncandidate": _l("Withdrew a suggestion as a candidate project"),
            "suggestion.escalate": _l("Escalated a suggestion"),
            "suggestion.remind": _l("Reminded a body of a suggestion"),
            "suggestion.time_limit": _l("Set the time limit of a category"),
            "suggestion.return_visit": _l("Recorded a return visit"),
            "suggestion.return_visit_due": _l("A return visit fell due"),
        },
        {
            "suggestions": ObjectNamer(
                Suggestion,
                _l("Suggestion"),
                lambda s: f"{s.number} · {s.summary}",
                lambda s: link_to("suggestions.suggestion", number=s.number),
            ),
        },
    )
