"""Residents sign up for a session, join its waiting list, or give their place up."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.core import once
from app.core.errors import Conflict, NotAllowed
from app.extensions import db
from app.hearings import bp
from app.hearings import operations as ops
from app.hearings.forms import EmptyForm, RegisterForm
from app.hearings.routes.common import session_context, session_or_404

KIND = "hearings.registration"


@bp.post("/sessions/<int:session_id>/register")
@login_required
def register(session_id: int):
    """Register for a session, or join its waiting list when it is full."""
    session = session_or_404(session_id)
    form = RegisterForm()
    # A repeat of this form (same one-time token) answers as the first did, though the user
    # is registered by now and could not register again (core/once.py).
    url = once.replay(KIND, current_user, form.once.data)
    if url is None:
        if not session.can_register(current_user):
            raise NotAllowed()
        if not form.validate_on_submit():
            return render_template(
                "hearings/session.html", **session_context(session, register_form=form)
            ), 400

        def act() -> str:
            ops.register_for_session(
                session, current_user, form.speak_topic.data or "", actor=current_user
            )
            return url_for("hearings.session", session_id=session.id)

        url = once.submit(KIND, current_user, form.once.data, act)
    db.session.refresh(session, ["registrations"])
    registration = session.registration_of(current_user)
    if registration is not None and registration.waiting_position is not None:
        flash(
            _(
                "The session is full: you are number %(num)d on the waiting list. You will be told if a seat "
                "comes free.",
                num=registration.waiting_position,
            ),
            "warning",
        )
    elif registration is not None:
        flash(_("You are registered."), "success")
    return redirect(url, 303)


@bp.post("/sessions/<int:session_id>/unregister")
@login_required
def unregister(session_id: int):
    """Cancel one's own registration; the waiting list moves up."""
    session = session_or_404(session_id)
    registration = session.registration_of(current_user)
    if registration is None:
        raise Conflict(_l("You are not registered for this session."))
    if not EmptyForm().validate_on_submit():
        abort(400)
    ops.cancel_registration(registration, actor=current_user)
    flash(_("Your registration is cancelled."), "success")
    return redirect(url_for("hearings.session", session_id=session.id), 303)
