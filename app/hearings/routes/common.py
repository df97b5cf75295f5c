"""What several hearings views share: loading a session, its page context, the subject link."""

from flask import abort, url_for
from flask_login import current_user

from app.extensions import db
from app.hearings.forms import EmptyForm, RegisterForm, action_done_form
from app.hearings.models import HearingSession
from app.hearings.queries import session_page
from app.hearings.subjects import label as subject_label
from app.hearings.subjects import title_of
from app.suggestions.queries import suggestions_of_session

#: Where each kind of linked subject lives (other domains' pages, reached through url_for only).
SUBJECT_ENDPOINTS = {
    "pact": ("pacts.show", "pact_id"),
    "vote": ("votes.vote_page", "vote_id"),
    "project": ("projects.project_page", "project_id"),
    "suggestion": ("suggestions.suggestion_by_id", "suggestion_id"),
}


def subject_link(session: HearingSession) -> tuple[str, str] | None:
    """(label, url) of the session's linked subject, or None for a free-text subject."""
    if not session.subject_type or not session.subject_id:
        return None
    title = title_of(session.subject_type, session.subject_id)
    if title is None:
        return None
    label = subject_label(session.subject_type, title)
    endpoint, arg = SUBJECT_ENDPOINTS[session.subject_type]
    values: dict = {arg: session.subject_id}
    return label, url_for(endpoint, **values)


def session_or_404(session_id: int) -> HearingSession:
    return db.get_or_404(HearingSession, session_id)


def session_page_or_404(session_id: int) -> HearingSession:
    """The session with everything its pages show (registrants, walk-ins, minutes), or 404."""
    session = session_page(session_id)
    if session is None:
        abort(404)
    return session


def done_forms(session: HearingSession, posted: dict | None = None) -> dict:
    """A "mark done" form per action of the latest minutes the current user may mark done."""
    minutes = session.current_minutes
    forms = {
        a.id: action_done_form(a.id, formdata=None)
        for a in (minutes.actions if minutes else [])
        if not a.is_done and a.can_mark_done(current_user)
    }
    return {**forms, **(posted or {})}


def session_context(session: HearingSession, **extra) -> dict:
    """What the session page shows the current user."""
    return {
        "done_forms": done_forms(session, extra.pop("done_forms", None)),
        "session": session,
        "registration": session.registration_of(current_user),
        "subject": subject_link(session),
        "can_manage": session.can_manage(current_user),
        "can_run": session.can_run(current_user),
        "can_register": session.can_register(current_user) and session.registration_open,
        "register_form": extra.pop("register_form", None) or RegisterForm(),
        "empty_form": EmptyForm(),
        "suggestions": suggestions_of_session(session.id),
        **extra,
    }
