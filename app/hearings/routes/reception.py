"""Running a session at the door: attendance, walk-ins, the sign-in sheet, suggestions, held.

Every view here asks `session.can_run(current_user)`: a deputy runs only the receptions of the
station they are assigned to (issue 14), and the operations ask the same again.
"""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core import audit, once
from app.core.errors import NotAllowed, on_refusal
from app.extensions import db, htmx
from app.hearings import bp, permissions
from app.hearings import operations as ops
from app.hearings.forms import EmptyForm, RecordSuggestionForm, WalkInForm
from app.hearings.models import HearingSession, Registration
from app.hearings.queries import buildings_for
from app.hearings.routes.common import session_or_404, session_page_or_404
from app.org.models import Building
from app.suggestions.models import CATEGORY_GUIDE, Category


def _record_view(action: str, session: HearingSession) -> None:
    """Names of registrants and walk-ins are personal data: each look at them is audited."""
    audit.record(
        action,
        session,
        community=session.community_id,
        detail=str(len(session.registrations) + len(session.walk_ins)),
    )
    g.personal_data = True


def _require_run(session: HearingSession) -> None:
    if not session.can_run(current_user):
        raise NotAllowed()


@bp.route("/sessions/<int:session_id>/attendance", methods=["GET", "POST"])
@login_required
def attendance(session_id: int):
    """At the door: tick registrants and add walk-ins without accounts."""
    session = session_page_or_404(session_id)
    _require_run(session)
    form = WalkInForm(buildings=buildings_for(session))

    def render(status: int = 200):
        _record_view("personal_data.attendance", session)
        return render_template(
            "hearings/attendance.html",
            session=session,
            form=form,
            empty_form=EmptyForm(),
            editable=session.attendance_editable,
        ), status

    if request.method == "POST":
        session.check_attendance_editable()
        if form.validate_on_submit():
            on_refusal(lambda: render()[0], form)
            ops.add_walk_in(session, form.name.data or "", form.building.data, actor=current_user)
            flash(_("Walk-in added."), "success")
            return redirect(url_for("hearings.attendance", session_id=session.id), 303)
        return render(400)
    return render()


@bp.post("/sessions/<int:session_id>/attendance/<int:registration_id>")
@login_required
def set_attendance(session_id: int, registration_id: int):
    """Mark one registrant present or absent."""
    session = session_or_404(session_id)
    _require_run(session)
    registration = db.get_or_404(Registration, registration_id)
    if registration.session_id != session.id:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    ops.set_attendance(registration, request.form.get("present") == "1", actor=current_user)
    if htmx:
        db.session.refresh(session)
        return render_template(
            "hearings/_attendance_list.html", session=session, empty_form=EmptyForm(), editable=True
        )
    return redirect(url_for("hearings.attendance", session_id=session.id), 303)


@bp.route("/sessions/<int:session_id>/sign-in-sheet")
@login_required
def sign_in_sheet(session_id: int):
    """A printable sign-in sheet with every registrant and blank lines for walk-ins."""
    session = session_page_or_404(session_id)
    _require_run(session)
    _record_view("personal_data.sign_in_sheet", session)
    return render_template("hearings/sign_in_sheet.html", session=session, blank_lines=range(15))


@bp.post("/sessions/<int:session_id>/held")
@login_required
def mark_held(session_id: int):
    """Record that the session took place."""
    session = session_or_404(session_id)
    _require_run(session)
    if not EmptyForm().validate_on_submit():
        abort(400)
    ops.mark_session_held(session, actor=current_user)
    flash(_("The session is marked as held."), "success")
    return redirect(url_for("hearings.attendance", session_id=session.id), 303)


@bp.route("/sessions/<int:session_id>/suggestions/new", methods=["GET", "POST"])
@login_required
def record_suggestion(session_id: int):
    """A deputy or secretary records a resident's suggestion at a session or reception."""
    session = session_or_404(session_id)
    allowed = permissions.recordable_communities(current_user, session)
    if not allowed:
        raise NotAllowed()
    session.check_not_cancelled()
    form = RecordSuggestionForm(communities=allowed, buildings=buildings_for(session))

    def render(status: int = 200):
        return render_template(
            "hearings/record_suggestion.html", session=session, form=form, guide=CATEGORY_GUIDE
        ), status

    if form.validate_on_submit():
        community_id = form.community.data
        building = db.session.get(Building, form.building.data) if form.building.data else None
        if community_id not in {c.id for c in allowed}:
            form.community.errors.append(_("Choose one of the communities listed."))
        elif building is not None and building.community_id != community_id:
            form.building.errors.append(_("This building is in another community."))
        else:
            on_refusal(lambda: render()[0], form, "summary")

            def record() -> str:
                s = ops.record_suggestion(
                    session,
                    community_id=community_id,
                    category=Category(form.category.data),
                    summary=form.summary.data,
                    text=form.text.data or "",
                    building_id=building.id if building else None,
                    walk_in_name=form.walk_in_name.data or "",
                    from_minutes=bool(form.from_minutes.data),
                    actor=current_user,
                )
                return url_for(
                    "hearings.session", session_id=session.id, _anchor=f"suggestion-{s.number}"
                )

            # The form's one-time token (core/once.py): a double click records one suggestion,
            # and the repeat is told the same number (it ends the stored URL).
            url = once.submit("hearings.suggestion", current_user, form.once.data, record)
            number = url.rpartition("#suggestion-")[2]
            flash(
                _("Recorded as %(number)s. Give this number to the resident.", number=number),
                "success",
            )
            return redirect(url, 303)
    return render(400 if request.method == "POST" else 200)
