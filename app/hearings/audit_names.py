"""The session actions and objects as the audit log names them (core/audit_names.py)."""

from flask_babel import lazy_gettext as _l

from app.core.audit_names import AuditKind, ObjectNamer, link_to
from app.hearings.models import FollowUpAction, HearingSession, Minutes, Registration


def _session_link(session_id: int, anchor: str = "") -> str:
    return link_to("hearings.session", session_id=session_id) + anchor


def audit_kind() -> AuditKind:
    """Sessions: scheduled, registered for, attended, minuted, followed up."""
    return AuditKind(
        "sessions",
        _l("Sessions and minutes"),
        ("session.", "minutes.", "minutes_action.", "hearing."),
        {
            "session.create": _l("Scheduled a session"),
            "session.reschedule": _l("Rescheduled a session"),
            "session.cancel": _l("Cancelled a session"),
            "session.held": _l("Marked a session as held"),
            "session.register": _l("Registered for a session"),
            "session.unregister": _l("Cancelled a registration"),
            "session.promote": _l("Moved up from the waiting list"),
            "session.attendance": _l("Recorded attendance"),
            "session.walk_in": _l("Added a walk-in"),
            "minutes.publish": _l("Published the minutes"),
            "minutes.correct": _l("Corrected the minutes"),
            "minutes_action.remind": _l("Reminded a body of a follow-up action"),
            "hearing.action_done": _l("Marked a follow-up action done"),
        },
        {
            "hearing_sessions": ObjectNamer(
                HearingSession, _l("Session"), lambda s: s.title, lambda s: _session_link(s.id)
            ),
            "session_registrations": ObjectNamer(
                Registration,
                _l("Registration"),
                lambda r: str(_l("A registration for %(title)s", title=r.session.title)),
                lambda r: _session_link(r.session_id),
            ),
            "session_minutes": ObjectNamer(
                Minutes,
                _l("Minutes"),
                lambda m: str(_l("The minutes of %(title)s", title=m.session.title)),
                lambda m: _session_link(m.session_id, "#minutes"),
            ),
            "minutes_actions": ObjectNamer(
                FollowUpAction,
                _l("Follow-up action"),
                lambda a: a.text,
                lambda a: _session_link(a.minutes.session_id, f"#action-{a.id}"),
            ),
        },
    )
