"""What several hearings views share: loading a session, its page context, the subject link."""

from flask import abort, url_for
from flask_login import current_user
from markupsafe import Markup

from app.extensions import db
from app.hearings import pages, permissions
from app.hearings.forms import RegisterForm, action_done_form
from app.hearings.models import HearingSession
from app.hearings.queries import session_page
from app.hearings.subjects import label as subject_label
from app.hearings.subjects import title_of

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


def done_forms(session: HearingSession, open_actions, posted: dict | None = None) -> dict:
    """A "mark done" form per open action of the latest minutes the current user may mark done
    (`open_actions`: their ids and bodies, from the page's cached figures)."""
    forms = {
        action_id: action_done_form(action_id, formdata=None)
        for action_id, body_id in open_actions
        if permissions.can_mark_action_done(current_user, session, body_id)
    }
    return {**forms, **(posted or {})}


def session_context(session: HearingSession, **extra) -> dict:
    """What the session page shows the current user: the parts every reader sees alike from the
    cache (hearings/pages.py), the viewer's own around them."""
    shared = pages.parts(session)
    facts = shared["facts"]
    can_manage, can_run = session.can_manage(current_user), session.can_run(current_user)
    forms = done_forms(session, facts["open_actions"], extra.pop("done_forms", None))
    if can_manage or can_run or forms or pages.sees_full_names(session, facts):
        # Staff see the registrants; a viewer with forms or full names, minutes of their own.
        session_page(session.id)
        minutes = pages.minutes_html(session, forms, public_names=False)
    else:
        minutes = shared["minutes"]
    seat = facts["seats"].get(current_user.id) if current_user.is_authenticated else None
    can_register = session.can_register(current_user) and session.registration_open
    head = shared["head"].replace(pages.SUBJECT_SLOT, pages.subject_html(subject_link(session)))
    return {
        "session": session,
        "parts": {k: Markup(v) for k, v in shared.items() if k != "facts"},  # noqa: S704 - ours
        "head": Markup(head),  # noqa: S704 - our own rendered template
        "minutes": Markup(minutes),  # noqa: S704 - our own rendered template
        "registration": seat,
        "seats_left": facts["seats_left"],
        "can_manage": can_manage,
        "can_run": can_run,
        "can_register": can_register,
        # Built only when the page shows it (a form costs its fields and a one-time token).
        "register_form": extra.pop("register_form", None)
        or (RegisterForm() if can_register and seat is None else None),
        **extra,
    }
