"""The session page's cached parts, and what each viewer adds to them.

What every reader sees alike (breadcrumbs, the head with its seat counts, the minutes with public
names, the suggestions recorded at the session) is rendered once per change of the session and
kept under its `cache_rev` (app/core/fragments.py, app/hearings/freshness.py), with the figures
the viewer's own parts need: the seats taken, each registrant's place (so a resident's own
registration and waiting position are read from there) and the open actions of the latest
minutes (so whether the viewer may mark one done is answered without loading them).

Per request remain the session row, the viewer's permissions, their registration box and, for
staff, the running panel with the registrants' names (the whole session is loaded for them).
The minutes are rendered per request for a viewer who may mark an action done or who would see a
full name in them (a secretary of the community, or the person who completed an action).
"""

from typing import Any, NamedTuple

from flask import render_template
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from app.core.fragments import compact, remember_until
from app.core.time import next_local_midnight
from app.hearings import permissions
from app.hearings.models import HearingSession, RegistrationStatus
from app.hearings.queries import session_public
from app.suggestions.queries import suggestions_of_session

SUBJECT_SLOT = "<!--subject-->"


class Seat(NamedTuple):
    """A registrant's place, as the registration box shows it to them."""

    is_registered: bool
    speak_topic: str
    waiting_position: int | None


def _facts(session: HearingSession) -> dict[str, Any]:
    registrations = [r for r in session.registrations if r.status != RegistrationStatus.CANCELLED]
    queue = sorted(session.waiting, key=lambda r: (r.queued_at, r.id))
    positions = {r.id: i + 1 for i, r in enumerate(queue)}
    current = session.current_minutes
    return {
        "registered": len(session.registered),
        "waiting": len(queue),
        "seats_left": session.seats_left,
        "seats": {
            r.user_id: Seat(r.is_registered, r.speak_topic, positions.get(r.id))
            for r in registrations
        },
        "open_actions": [
            (a.id, a.body_id) for a in (current.actions if current else []) if not a.is_done
        ],
        "done_by": {
            a.completion.done_by_id for m in session.minutes for a in m.actions if a.completion
        },
    }


def minutes_html(session: HearingSession, done_forms: dict, public_names: bool) -> str:
    return render_template(
        "hearings/_session_minutes.html",
        session=session,
        done_forms=done_forms,
        public_names=public_names,
    )


def parts(session: HearingSession) -> dict[str, Any]:
    """The parts of the session page every reader sees alike, and the figures beside them."""

    def compute() -> tuple[dict[str, Any], Any]:
        session_public(session.id)  # loads the registrations, agenda and minutes onto `session`
        suggestions = suggestions_of_session(session.id)
        facts = _facts(session)
        out = {
            "facts": facts,
            "crumbs": compact(render_template("hearings/_session_crumbs.html", session=session)),
            "head": compact(
                render_template("hearings/_session_head.html", session=session, facts=facts)
            ),
            "minutes": compact(minutes_html(session, {}, public_names=True)),
            "suggestions": compact(
                render_template("hearings/_session_suggestions.html", suggestions=suggestions)
            ),
        }
        # Time alone changes the overdue flags (at midnight) and the suggestions' day counts.
        return out, min([next_local_midnight(), *(s.age_ticks_at for s in suggestions)])

    return remember_until(
        "session-page",
        (session.id, session.cache_rev, session.registration_open, session.is_past),
        compute,
    )


def subject_html(subject: tuple[str, str] | None) -> Markup:
    if subject is None:
        return Markup("")
    return Markup('<dt>{}</dt><dd><a href="{}">{}</a></dd>').format(
        _("Subject"), subject[1], subject[0]
    )


def sees_full_names(session: HearingSession, facts: dict[str, Any]) -> bool:
    """Whether the minutes would show this viewer a name the public copy masks."""
    user = current_user
    if not user.is_authenticated:
        return False
    return user.id in facts["done_by"] or permissions.is_secretary_for(user, session)
