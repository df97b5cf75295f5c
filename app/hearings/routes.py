"""Hearing, liaison and suggestion pages: thin views that load, check, call one operation and render."""

from datetime import timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_htmx import make_response as htmx_response
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.accounts.models import Membership, Role, RoleAssignment, User
from app.accounts.permissions import (
    body_ids_handled_by,
    can,
    require,
    roles_in,
    station_ids_of_deputy,
)
from app.accounts.queries import deputies_of_station
from app.core.errors import render_error
from app.core.time import from_local, to_local, utcnow
from app.extensions import db, htmx, limiter
from app.hearings import bp
from app.hearings import operations as ops
from app.hearings.forms import (
    AcceptForm,
    AnswerForm,
    CandidateForm,
    EmptyForm,
    MinutesForm,
    RateForm,
    ReasonForm,
    RecordSuggestionForm,
    RegisterForm,
    RerouteForm,
    RescheduleForm,
    SessionForm,
    SuggestionForm,
    WalkInForm,
)
from app.hearings.ical import calendar
from app.hearings.models import (
    CATEGORY_GUIDE,
    SUBJECT_TYPE_LABELS,
    SUBJECT_TYPES,
    Category,
    FollowUpAction,
    HearingSession,
    Minutes,
    Rating,
    Registration,
    RegistrationStatus,
    SessionKind,
    SessionStatus,
    Suggestion,
    SuggestionSource,
    SuggestionStatus,
    TransitionError,
    WalkIn,
)
from app.hearings.queries import (
    SUGGESTION_ROW,
    board_query,
    bodies_serving,
    normalise_number,
    receptions_of_deputy,
    sessions_of_community,
    sessions_of_station,
    stats_by_body,
    suggestion_by_number,
)
from app.org.models import Body, Building, Community, Household, Station

# --- helpers -----------------------------------------------------------------


def _local_input(value):
    """A stored naive-UTC datetime as the naive Shanghai wall time a datetime-local input shows."""
    return to_local(value).replace(tzinfo=None)


def subject_link(session: HearingSession) -> tuple[str, str] | None:
    """(label, url) of the session's linked subject, or None for a free-text subject."""
    if not session.subject_type or not session.subject_id:
        return None
    label = f"{SUBJECT_TYPE_LABELS[session.subject_type]} #{session.subject_id}"
    if session.subject_type == "pact":
        return label, f"/pacts/{session.subject_id}"
    if session.subject_type == "vote":
        return label, f"/votes/{session.subject_id}"
    if session.subject_type == "project":
        return label, f"/votes/projects/{session.subject_id}"
    return label, url_for("hearings.suggestion_by_id", suggestion_id=session.subject_id)


def _station_staff(station: Station, user=None) -> bool:
    """A deputy of the station, or the secretary of a community it serves."""
    user = user or current_user
    if not user.is_authenticated:
        return False
    if station.id in station_ids_of_deputy(user):
        return True
    return any(Role.SECRETARY in roles_in(user, c) for c in station.communities)


def can_manage(session: HearingSession) -> bool:
    """Schedule, reschedule, cancel, write minutes."""
    if session.community_id is not None:
        if can("session.manage", session.community_id):
            return True
        if session.kind == SessionKind.RECEPTION and session.station is not None:
            return _station_staff(session.station)
        return False
    return session.station is not None and _station_staff(session.station)


def can_run(session: HearingSession) -> bool:
    """Take attendance and record suggestions at the session."""
    if can_manage(session):
        return True
    return any(can("session.run", cid) for cid in session.community_ids)


def can_register(session: HearingSession) -> bool:
    return any(can("session.register", cid) for cid in session.community_ids)


def _session_or_404(session_id: int) -> HearingSession:
    return db.get_or_404(HearingSession, session_id)


#: What the session, attendance and sign-in pages show of each registrant (name and building),
#: each walk-in and the minutes, loaded up front instead of once per person.
SESSION_PAGE = (
    selectinload(HearingSession.registrations)
    .selectinload(Registration.user)
    .selectinload(User.memberships)
    .selectinload(Membership.household)
    .selectinload(Household.building),
    selectinload(HearingSession.walk_ins).selectinload(WalkIn.building),
    selectinload(HearingSession.minutes)
    .selectinload(Minutes.actions)
    .selectinload(FollowUpAction.body),
    selectinload(HearingSession.minutes).selectinload(Minutes.speakers),
    selectinload(HearingSession.agenda),
)


def _session_page_or_404(session_id: int) -> HearingSession:
    session = db.session.scalar(
        select(HearingSession).where(HearingSession.id == session_id).options(*SESSION_PAGE)
    )
    if session is None:
        abort(404)
    return session


def _suggestion_or_404(number: str) -> Suggestion:
    canonical = normalise_number(number)
    s = suggestion_by_number(canonical) if canonical else None
    if s is None:
        abort(404)
    return s


def _refused(message: str, back: str, status: int = 409):
    """Refuse an action with its message: an htmx fragment, or a flash and a redirect."""
    if htmx:
        body = render_template("errors/_message.html", title=_("Not possible."), message=message)
        return htmx_response(body, status, retarget="#messages", reswap="innerHTML")
    flash(message, "error")
    return redirect(back, 303)


def _can_see_text(s: Suggestion) -> bool:
    if not current_user.is_authenticated:
        return False
    if s.submitter_id == current_user.id or s.recorded_by_id == current_user.id:
        return True
    if can("suggestion.triage", s.community_id):
        return True
    return s.body_id is not None and s.body_id in body_ids_handled_by(current_user)


def _can_answer(s: Suggestion) -> bool:
    return (
        current_user.is_authenticated
        and s.body_id is not None
        and s.body_id in body_ids_handled_by(current_user)
        and can("suggestion.answer", s.community_id)
    )


# --- sessions ----------------------------------------------------------------


@bp.route("/community/<int:community_id>")
def community_index(community_id: int):
    """The community's upcoming and past sessions, with its calendar feed."""
    community = db.get_or_404(Community, community_id)
    upcoming, past = sessions_of_community(community)
    return render_template(
        "hearings/community.html",
        community=community,
        upcoming=upcoming,
        past=past[:30],
        can_manage=can("session.manage", community),
        webcal=webcal_url("hearings.community_calendar", community_id=community.id),
    )


def _ics_response(name: str, sessions: list[HearingSession], filename: str) -> Response:
    host = request.host
    events = []
    for s in sessions:
        desc = s.subject_text or ""
        summary = f"{s.kind.label}: {s.title}"
        if s.status == SessionStatus.CANCELLED:
            desc = f"{_('Cancelled')}: {s.cancel_reason}\n{desc}"
            # Several calendar apps show a subscribed event whatever its STATUS: say it in the title too.
            summary = _("[Cancelled] %(title)s", title=summary)
        events.append(
            {
                "uid": f"session-{s.id}@{host}",
                "starts_at": s.starts_at,
                "ends_at": s.ends_at,
                "summary": summary,
                "description": desc.strip(),
                "location": s.place,
                "url": url_for("hearings.session", session_id=s.id, _external=True),
                "status": "CANCELLED" if s.status == SessionStatus.CANCELLED else "CONFIRMED",
                "sequence": s.sequence,
                "updated_at": s.updated_at,
            }
        )
    body = calendar(name, events)
    return Response(
        body,
        mimetype="text/calendar",
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            "Cache-Control": "public, max-age=600",
        },
    )


def webcal_url(endpoint: str, **values) -> str:
    """The feed's address with the webcal:// scheme, which makes phones offer to subscribe to it."""
    url = url_for(endpoint, _external=True, **values)
    return "webcal://" + url.split("://", 1)[1]


@bp.route("/community/<int:community_id>/calendar.ics")
def community_calendar(community_id: int):
    """The community's sessions as an iCalendar feed that calendar apps subscribe to."""
    community = db.get_or_404(Community, community_id)
    upcoming, past = sessions_of_community(community)
    recent = [s for s in past if s.starts_at > utcnow() - timedelta(days=180)]
    return _ics_response(
        f"{community.name} · {_('Hearings and meetings')}",
        upcoming + recent,
        f"community-{community.id}.ics",
    )


@bp.route("/station/<int:station_id>/calendar.ics")
def station_calendar(station_id: int):
    """The station's sessions and receptions as an iCalendar feed."""
    station = db.get_or_404(Station, station_id)
    upcoming, past = sessions_of_station(station.id)
    recent = [s for s in past if s.starts_at > utcnow() - timedelta(days=180)]
    return _ics_response(station.name, upcoming + recent, f"station-{station.id}.ics")


@bp.route("/sessions/<int:session_id>/calendar.ics")
def session_calendar(session_id: int):
    """One session as an iCalendar file, to add it to one's own calendar."""
    session = _session_or_404(session_id)
    return _ics_response(session.title, [session], f"session-{session.id}.ics")


@bp.route("/station/<int:station_id>")
def station(station_id: int):
    """A liaison station: its deputies, reception schedule and the suggestions it received."""
    station = db.get_or_404(Station, station_id)
    assignments = db.session.scalars(
        select(RoleAssignment)
        .where(RoleAssignment.role == Role.DEPUTY, RoleAssignment.station_id == station.id)
        .order_by(RoleAssignment.id)
    ).all()
    upcoming, past = sessions_of_station(station.id)
    suggestions = db.session.scalars(
        select(Suggestion)
        .where(Suggestion.station_id == station.id)
        .options(*SUGGESTION_ROW)
        .order_by(Suggestion.submitted_at.desc())
        .limit(50)
    ).all()
    return render_template(
        "hearings/station.html",
        station=station,
        assignments=assignments,
        upcoming=upcoming,
        past=past[:20],
        suggestions=suggestions,
        is_staff=_station_staff(station),
        webcal=webcal_url("hearings.station_calendar", station_id=station.id),
    )


@bp.route("/deputy/<int:user_id>")
def deputy(user_id: int):
    """A deputy's receptions and the suggestions they recorded, with how each was answered."""
    user = db.get_or_404(User, user_id)
    assignments = [a for a in user.roles if a.role == Role.DEPUTY]
    if not assignments:
        abort(404)
    receptions = receptions_of_deputy(user.id)
    suggestions = db.session.scalars(
        select(Suggestion)
        .where(Suggestion.recorded_by_id == user.id)
        .options(*SUGGESTION_ROW)
        .order_by(Suggestion.submitted_at.desc())
    ).all()
    answered = sum(1 for s in suggestions if s.first_answered_at is not None)
    return render_template(
        "hearings/deputy.html",
        deputy=user,
        assignments=assignments,
        receptions=receptions,
        suggestions=suggestions,
        answered=answered,
        now=utcnow(),
    )


@bp.route("/sessions/new", methods=["GET", "POST"])
@login_required
def new_session():
    """Schedule a session; query args (community_id, station_id, subject_type, subject_id, kind) prefill it."""
    args = request.args
    community = (
        db.get_or_404(Community, args.get("community_id", type=int))
        if args.get("community_id")
        else None
    )
    station_obj = (
        db.get_or_404(Station, args.get("station_id", type=int)) if args.get("station_id") else None
    )
    if community is None and station_obj is None:
        abort(404)
    if station_obj is not None:
        if not _station_staff(station_obj):
            abort(403)
        communities, deputies = station_obj.communities, deputies_of_station(station_obj.id)
    else:
        require("session.manage", community)
        communities, deputies = [], []
    form = SessionForm(communities=communities, deputies=deputies)
    if request.method == "GET":
        kind = args.get("kind", "")
        form.kind.data = (
            kind
            if kind in {k.value for k in SessionKind}
            else (SessionKind.RECEPTION.value if station_obj else SessionKind.HEARING.value)
        )
        if args.get("subject_type") in SUBJECT_TYPES and args.get("subject_id", type=int):
            form.subject_type.data = args["subject_type"]
            form.subject_id.data = args.get("subject_id", type=int)
        if station_obj is not None and current_user.id in {d.id for d in deputies}:
            form.host.data = current_user.id
    if form.validate_on_submit():
        starts, ends = from_local(form.starts_at.data), from_local(form.ends_at.data)
        if starts < utcnow():
            form.starts_at.errors.append(_("A new session must start in the future."))
        else:
            cid = community.id if community is not None else form.community.data
            try:
                session = ops.create_session(
                    kind=SessionKind(form.kind.data),
                    title=form.title.data,
                    starts_at=starts,
                    ends_at=ends,
                    place=form.place.data,
                    community_id=cid,
                    station_id=station_obj.id if station_obj else None,
                    capacity=form.capacity.data,
                    subject_text=form.subject_text.data or "",
                    subject_type=form.subject_type.data or None,
                    subject_id=form.subject_id.data,
                    agenda=(form.agenda.data or "").splitlines(),
                    host_id=form.host.data if station_obj else None,
                    actor=current_user,
                )
            except TransitionError as e:
                form.title.errors.append(str(e))
            else:
                db.session.commit()
                flash(_("The session is scheduled."), "success")
                return redirect(url_for("hearings.session", session_id=session.id), 303)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "hearings/session_form.html", form=form, community=community, station=station_obj
    ), status


def _session_context(session: HearingSession, **extra) -> dict:
    registration = session.registration_of(current_user)
    suggestions = db.session.scalars(
        select(Suggestion)
        .where(Suggestion.session_id == session.id)
        .options(*SUGGESTION_ROW)
        .order_by(Suggestion.id)
    ).all()
    return {
        "session": session,
        "registration": registration,
        "subject": subject_link(session),
        "can_manage": can_manage(session),
        "can_run": can_run(session),
        "can_register": can_register(session) and session.registration_open,
        "register_form": extra.pop("register_form", None) or RegisterForm(),
        "empty_form": EmptyForm(),
        "suggestions": suggestions,
        **extra,
    }


@bp.route("/sessions/<int:session_id>")
def session(session_id: int):
    """A session: subject, time and place, agenda, registration, minutes and its suggestions."""
    session = _session_page_or_404(session_id)
    return render_template("hearings/session.html", **_session_context(session))


@bp.post("/sessions/<int:session_id>/register")
@login_required
def register(session_id: int):
    """Register for a session, or join its waiting list when it is full."""
    session = _session_or_404(session_id)
    if not can_register(session):
        abort(403)
    form = RegisterForm()
    back = url_for("hearings.session", session_id=session.id)
    if not form.validate_on_submit():
        return render_template(
            "hearings/session.html", **_session_context(session, register_form=form)
        ), 400
    try:
        registration = ops.register_for_session(
            session, current_user, form.speak_topic.data or "", actor=current_user
        )
    except TransitionError as e:
        db.session.rollback()
        return _refused(str(e), back)
    db.session.commit()
    if registration.status == RegistrationStatus.WAITING:
        flash(
            _(
                "The session is full: you are number %(num)d on the waiting list. You will be told if a seat "
                "comes free.",
                num=registration.waiting_position,
            ),
            "warning",
        )
    else:
        flash(_("You are registered."), "success")
    return redirect(back, 303)


@bp.post("/sessions/<int:session_id>/unregister")
@login_required
def unregister(session_id: int):
    """Cancel one's own registration; the waiting list moves up."""
    session = _session_or_404(session_id)
    back = url_for("hearings.session", session_id=session.id)
    registration = session.registration_of(current_user)
    if registration is None:
        return _refused(_("You are not registered for this session."), back)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        ops.cancel_registration(registration, actor=current_user)
    except TransitionError as e:
        db.session.rollback()
        return _refused(str(e), back)
    db.session.commit()
    flash(_("Your registration is cancelled."), "success")
    return redirect(back, 303)


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def edit_session(session_id: int):
    """Reschedule a session (time, place, seats); registrants are told."""
    session = _session_or_404(session_id)
    if not can_manage(session):
        abort(403)
    if session.status != SessionStatus.SCHEDULED:
        return _refused(
            _("Only a scheduled session can be changed."),
            url_for("hearings.session", session_id=session.id),
        )
    form = RescheduleForm()
    if request.method == "GET":
        form.starts_at.data, form.ends_at.data = (
            _local_input(session.starts_at),
            _local_input(session.ends_at),
        )
        form.place.data, form.capacity.data = session.place, session.capacity
    if form.validate_on_submit():
        try:
            ops.reschedule_session(
                session,
                starts_at=from_local(form.starts_at.data),
                ends_at=from_local(form.ends_at.data),
                place=form.place.data,
                capacity=form.capacity.data,
                actor=current_user,
            )
        except TransitionError as e:
            db.session.rollback()
            form.capacity.errors.append(str(e))
        else:
            db.session.commit()
            flash(_("Saved. Registered residents were told."), "success")
            return redirect(url_for("hearings.session", session_id=session.id), 303)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "hearings/session_edit.html",
        form=form,
        session=session,
        cancel_form=ReasonForm(prefix="cancel"),
    ), status


@bp.post("/sessions/<int:session_id>/cancel")
@login_required
def cancel_session(session_id: int):
    """Cancel a scheduled session with a public reason."""
    session = _session_or_404(session_id)
    if not can_manage(session):
        abort(403)
    form = ReasonForm(prefix="cancel")
    if not form.validate_on_submit():
        return render_template(
            "hearings/session_edit.html",
            form=RescheduleForm(formdata=None, obj=None),
            session=session,
            cancel_form=form,
        ), 400
    try:
        ops.cancel_session(session, form.reason.data, actor=current_user)
    except TransitionError as e:
        db.session.rollback()
        return _refused(str(e), url_for("hearings.session", session_id=session.id))
    db.session.commit()
    flash(_("The session is cancelled. Registered residents were told."), "success")
    return redirect(url_for("hearings.session", session_id=session.id), 303)


@bp.post("/sessions/<int:session_id>/held")
@login_required
def mark_held(session_id: int):
    """Record that the session took place."""
    session = _session_or_404(session_id)
    if not can_run(session):
        abort(403)
    back = url_for("hearings.attendance", session_id=session.id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        ops.mark_session_held(session, actor=current_user)
    except TransitionError as e:
        db.session.rollback()
        return _refused(str(e), back)
    db.session.commit()
    flash(_("The session is marked as held."), "success")
    return redirect(back, 303)


def _buildings_for(session: HearingSession) -> list[Building]:
    return list(
        db.session.scalars(
            select(Building)
            .where(Building.community_id.in_(session.community_ids))
            .order_by(Building.community_id, Building.sort_key)
        )
    )


@bp.route("/sessions/<int:session_id>/attendance", methods=["GET", "POST"])
@login_required
def attendance(session_id: int):
    """At the door: tick registrants and add walk-ins without accounts."""
    session = _session_page_or_404(session_id)
    if not can_run(session):
        abort(403)
    form = WalkInForm(buildings=_buildings_for(session))
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                ops.add_walk_in(
                    session, form.name.data or "", form.building.data, actor=current_user
                )
            except TransitionError as e:
                db.session.rollback()
                return _refused(str(e), url_for("hearings.attendance", session_id=session.id))
            db.session.commit()
            flash(_("Walk-in added."), "success")
            return redirect(url_for("hearings.attendance", session_id=session.id), 303)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "hearings/attendance.html",
        session=session,
        form=form,
        empty_form=EmptyForm(),
        editable=session.status in (SessionStatus.SCHEDULED, SessionStatus.HELD),
    ), status


@bp.post("/sessions/<int:session_id>/attendance/<int:registration_id>")
@login_required
def set_attendance(session_id: int, registration_id: int):
    """Mark one registrant present or absent."""
    session = _session_or_404(session_id)
    if not can_run(session):
        abort(403)
    registration = db.get_or_404(Registration, registration_id)
    if registration.session_id != session.id:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    back = url_for("hearings.attendance", session_id=session.id)
    try:
        ops.set_attendance(registration, request.form.get("present") == "1", actor=current_user)
    except TransitionError as e:
        db.session.rollback()
        return _refused(str(e), back)
    db.session.commit()
    if htmx:
        db.session.refresh(session)
        return render_template(
            "hearings/_attendance_list.html", session=session, empty_form=EmptyForm(), editable=True
        )
    return redirect(back, 303)


@bp.route("/sessions/<int:session_id>/sign-in-sheet")
@login_required
def sign_in_sheet(session_id: int):
    """A printable sign-in sheet with every registrant and blank lines for walk-ins."""
    session = _session_page_or_404(session_id)
    if not can_run(session):
        abort(403)
    return render_template("hearings/sign_in_sheet.html", session=session, blank_lines=range(15))


@bp.route("/sessions/<int:session_id>/minutes", methods=["GET", "POST"])
@login_required
def minutes(session_id: int):
    """Publish the minutes, or a dated correction as a new revision."""
    session = _session_or_404(session_id)
    if not can_manage(session):
        abort(403)
    community = session.community or (session.station.communities[0] if session.station else None)
    bodies = bodies_serving(community) if community else []
    form = MinutesForm(bodies=bodies)
    back = url_for("hearings.session", session_id=session.id)
    if session.status == SessionStatus.CANCELLED:
        return _refused(_("A cancelled session has no minutes."), back)
    if request.method == "GET" and session.current_minutes is not None:
        form.prefill(session.current_minutes)
    if form.validate_on_submit():
        body_ids = {b.id for b in bodies}
        actions = [
            (
                a.form.text.data or "",
                a.form.body.data if a.form.body.data in body_ids else None,
                a.form.due_date.data,
            )
            for a in form.actions
        ]
        speakers = [
            (s.form.name.data or "", s.form.consent.data, s.form.points.data or "")
            for s in form.speakers
        ]
        try:
            ops.publish_minutes(
                session,
                summary=form.summary.data,
                decisions=form.decisions.data or "",
                actions=actions,
                speakers=speakers,
                correction_note=form.correction_note.data or "",
                actor=current_user,
            )
        except TransitionError as e:
            db.session.rollback()
            form.correction_note.errors.append(str(e))
        else:
            db.session.commit()
            flash(_("The minutes are published."), "success")
            return redirect(back, 303)
    status = 400 if request.method == "POST" else 200
    return render_template("hearings/minutes_form.html", session=session, form=form), status


@bp.route("/sessions/<int:session_id>/suggestions/new", methods=["GET", "POST"])
@login_required
def record_suggestion(session_id: int):
    """A deputy or secretary records a resident's suggestion at a session or reception."""
    session = _session_or_404(session_id)
    communities = [db.session.get(Community, cid) for cid in session.community_ids]
    station_staff = session.station is not None and _station_staff(session.station)
    allowed = [c for c in communities if station_staff or can("suggestion.record", c)]
    if not allowed:
        abort(403)
    if session.status == SessionStatus.CANCELLED:
        return _refused(
            _("This session was cancelled."), url_for("hearings.session", session_id=session.id)
        )
    form = RecordSuggestionForm(communities=allowed, buildings=_buildings_for(session))
    if form.validate_on_submit():
        community_id = form.community.data
        building = db.session.get(Building, form.building.data) if form.building.data else None
        if community_id not in {c.id for c in allowed}:
            form.community.errors.append(_("Choose one of the communities listed."))
        elif building is not None and building.community_id != community_id:
            form.building.errors.append(_("This building is in another community."))
        else:
            source = (
                SuggestionSource.MINUTES
                if form.from_minutes.data
                else SuggestionSource.RECEPTION
                if session.kind == SessionKind.RECEPTION
                else SuggestionSource.SESSION
            )
            try:
                s = ops.submit_suggestion(
                    community_id=community_id,
                    category=Category(form.category.data),
                    summary=form.summary.data,
                    text=form.text.data or "",
                    building_id=building.id if building else None,
                    walk_in_name=form.walk_in_name.data or "",
                    source=source,
                    session_id=session.id,
                    station_id=session.station_id,
                    recorded_by=current_user,
                    actor=current_user,
                )
            except TransitionError as e:
                db.session.rollback()
                form.summary.errors.append(str(e))
            else:
                db.session.commit()
                flash(
                    _("Recorded as %(number)s. Give this number to the resident.", number=s.number),
                    "success",
                )
                return redirect(url_for("hearings.session", session_id=session.id), 303)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "hearings/record_suggestion.html", session=session, form=form, guide=CATEGORY_GUIDE
    ), status


# --- suggestions ---------------------------------------------------------------


@bp.route("/community/<int:community_id>/suggestions")
def board(community_id: int):
    """The community's public suggestion board, filterable, with per-body statistics."""
    community = db.get_or_404(Community, community_id)
    status = request.args.get("status", "")
    status = status if status in {s.value for s in SuggestionStatus} else ""
    category = request.args.get("category", "")
    category = category if category in {c.value for c in Category} else ""
    body_id = request.args.get("body", type=int)
    overdue = request.args.get("overdue") == "1"
    page = db.paginate(
        board_query(
            community.id, status=status, body_id=body_id, category=category, overdue=overdue
        ),
        per_page=25,
        error_out=False,
    )
    filters = {
        "status": status,
        "category": category,
        "body": body_id or "",
        "overdue": "1" if overdue else "",
    }
    return render_template(
        "hearings/board.html",
        community=community,
        page=page,
        stats=stats_by_body(community),
        bodies=bodies_serving(community),
        statuses=list(SuggestionStatus),
        categories=list(Category),
        filters=filters,
        active_filters={k: v for k, v in filters.items() if v},
        can_submit=can("suggestion.submit", community),
    )


def _submission_key() -> str:
    return f"suggest:{current_user.get_id()}"


@bp.route("/community/<int:community_id>/suggestions/new", methods=["GET", "POST"])
@login_required
@limiter.limit("5 per minute;30 per day", key_func=_submission_key, methods=["POST"])
def new_suggestion(community_id: int):
    """A resident submits a suggestion; the guide says which body usually answers it and why."""
    community = db.get_or_404(Community, community_id)
    require("suggestion.submit", community)
    form = SuggestionForm(buildings=community.buildings)
    if request.method == "GET":
        household = current_user.household
        if household is not None and household.building.community_id == community.id:
            form.building.data = household.building_id
        chosen = request.args.get("category", "")
        if chosen in {c.value for c in Category}:
            form.category.data = chosen
    if form.validate_on_submit():
        building = db.session.get(Building, form.building.data) if form.building.data else None
        if building is not None and building.community_id != community.id:
            form.building.errors.append(_("This building is in another community."))
        else:
            try:
                s = ops.submit_suggestion(
                    community_id=community.id,
                    category=Category(form.category.data),
                    summary=form.summary.data,
                    text=form.text.data or "",
                    building_id=building.id if building else None,
                    submitter=current_user,
                )
            except TransitionError as e:
                db.session.rollback()
                form.summary.errors.append(str(e))
            else:
                db.session.commit()
                flash(
                    _("Thank you. Your tracking number is %(number)s.", number=s.number), "success"
                )
                return redirect(url_for("hearings.suggestion", number=s.number), 303)
    bodies = {b.kind: b for b in bodies_serving(community)}
    chosen = (
        Category(form.category.data) if form.category.data in {c.value for c in Category} else None
    )
    status = 400 if request.method == "POST" else 200
    return render_template(
        "hearings/suggestion_form.html",
        community=community,
        form=form,
        guide=CATEGORY_GUIDE,
        bodies=bodies,
        chosen=chosen,
    ), status


@bp.route("/suggestions/lookup")
def lookup():
    """Look a suggestion up by its tracking number; anyone may, without an account."""
    raw = request.args.get("number", "")
    error = None
    if raw:
        number = normalise_number(raw)
        if number is None:
            error = _(
                "“%(number)s” is not a tracking number. It looks like S-2026-000123.",
                number=raw[:30],
            )
        else:
            s = suggestion_by_number(number)
            if s is not None:
                return redirect(url_for("hearings.suggestion", number=s.number), 303)
            error = _("No suggestion has the number %(number)s.", number=number)
    status = 404 if error and normalise_number(raw) else (400 if error else 200)
    return render_template("hearings/lookup.html", number=raw, error=error), status


@bp.route("/suggestions/id/<int:suggestion_id>")
def suggestion_by_id(suggestion_id: int):
    s = db.get_or_404(Suggestion, suggestion_id)
    return redirect(url_for("hearings.suggestion", number=s.number))


def _suggestion_page(s: Suggestion, status: int = 200, **forms):
    community = s.community
    bodies = bodies_serving(community)
    triage = can("suggestion.triage", community)
    context = {
        "s": s,
        "community": community,
        "show_text": _can_see_text(s),
        "triage": triage,
        "can_answer": _can_answer(s) and s.awaiting_answer,
        "can_rate": s.can_rate(current_user),
        "is_submitter": s.is_submitter(current_user),
        "accept_form": forms.get("accept_form") or AcceptForm(bodies=bodies, prefix="accept"),
        "reroute_form": forms.get("reroute_form") or RerouteForm(bodies=bodies, prefix="reroute"),
        "decline_form": forms.get("decline_form") or ReasonForm(prefix="decline"),
        "answer_form": forms.get("answer_form") or AnswerForm(prefix="answer"),
        "rate_form": forms.get("rate_form") or RateForm(prefix="rate"),
        "candidate_form": forms.get("candidate_form")
        or CandidateForm(prefix="candidate", obj=None),
        "empty_form": EmptyForm(),
        "suggested_kind": s.category.suggested_body_kind,
    }
    if triage and s.status == SuggestionStatus.SUBMITTED and not forms.get("accept_form"):
        match = [b for b in bodies if b.kind == s.category.suggested_body_kind]
        if match:
            context["accept_form"].body.data = match[0].id
    if triage and not forms.get("candidate_form") and s.is_candidate_project:
        cf = context["candidate_form"]
        cf.title.data, cf.description.data, cf.cost.data = (
            s.candidate_title,
            s.candidate_description,
            s.candidate_cost,
        )
    return render_template("hearings/suggestion.html", **context), status


@bp.route("/suggestions/<number>")
def suggestion(number: str):
    """A suggestion's public page: status, body, deadline, history; details for those entitled."""
    s = _suggestion_or_404(number)
    if s.number != number:
        return redirect(url_for("hearings.suggestion", number=s.number), 301)
    return _suggestion_page(s)


def _act(number: str, action: str):
    """Load the suggestion for a state change and check the permission for `action`."""
    s = _suggestion_or_404(number)
    if action == "triage":
        require("suggestion.triage", s.community)
    elif action == "answer":
        require("suggestion.answer", s.community)
    return s


def _done(s: Suggestion, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("hearings.suggestion", number=s.number), 303)


@bp.post("/suggestions/<number>/accept")
@login_required
def accept(number: str):
    """Accept and route the suggestion to a responsible body."""
    s = _act(number, "triage")
    form = AcceptForm(bodies=bodies_serving(s.community), prefix="accept")
    if not form.validate_on_submit():
        return _suggestion_page(s, 400, accept_form=form)
    try:
        ops.accept_suggestion(
            s,
            db.session.get(Body, form.body.data),
            due_date=form.due_date.data,
            note=form.note.data or "",
            actor=current_user,
        )
    except TransitionError as e:
        db.session.rollback()
        return _refused(str(e), url_for("hearings.suggestion", number=s.number))
    return _done(
        s,
        _(
            "Accepted and sent to %(body)s, due %(due)s.",
            body=s.body.name,
            due=s.due_date.isoformat(),
        ),
    )


@bp.post("/suggestions/<number>/reroute")
@login_required
def reroute(number: str):
    """Send the suggestion to another body."""
    s = _act(number, "triage")
    form = RerouteForm(bodies=bodies_serving(s.community), prefix="reroute")
    if not form.validate_on_submit():
        return _suggestion_page(s, 400, reroute_form=form)
    try:
        ops.reroute_suggestion(
            s, db.session.get(Body, form.body.data), note=form.note.data or "", actor=current_user
        )
    except TransitionError as e:
        db.session.rollback()
        return _refused(str(e), url_for("hearings.suggestion", number=s.number))
    return _done(s, _("Re-routed to %(body)s.", body=s.body.name))


@bp.post("/suggestions/<number>/decline")
@login_required
def decline(number: str):
    """Decline with a public reason."""
    s = _act(number, "triage")
    form = ReasonForm(prefix="decline")
    if not form.validate_on_submit():
        return _suggestion_page(s, 400, decline_form=form)
    try:
        ops.decline_suggestion(s, form.reason.data, actor=current_user)
    except TransitionError as e:
        db.session.rollback()
        return _refused(str(e), url_for("hearings.suggestion", number=s.number))
    return _done(s, _("The suggestion is declined."))


@bp.post("/suggestions/<number>/answer")
@login_required
def answer(number: str):
    """The responsible body's handler answers."""
    s = _act(number, "answer")
    form = AnswerForm(prefix="answer")
    if not form.validate_on_submit():
        return _suggestion_page(s, 400, answer_form=form)
    try:
        ops.answer_suggestion(
            s, form.answer.data, actor=current_user, body_ids=body_ids_handled_by(current_user)
        )
    except TransitionError as e:
        db.session.rollback()
        if s.body_id not in body_ids_handled_by(current_user):
            return render_error(403, str(e))
        return _refused(str(e), url_for("hearings.suggestion", number=s.number))
    return _done(s, _("Your answer is published; the resident was asked to rate it."))


@bp.post("/suggestions/<number>/rate")
@login_required
def rate(number: str):
    """The submitter rates the answer; 不满意 reopens it once."""
    s = _suggestion_or_404(number)
    if s.submitter_id != current_user.id:
        abort(403)
    form = RateForm(prefix="rate")
    if not form.validate_on_submit():
        return _suggestion_page(s, 400, rate_form=form)
    try:
        ops.rate_suggestion(
            s, Rating(form.rating.data), current_user, comment=form.comment.data or ""
        )
    except TransitionError as e:
        db.session.rollback()
        return _refused(str(e), url_for("hearings.suggestion", number=s.number))
    if s.status == SuggestionStatus.REOPENED:
        return _done(s, _("Thank you. The suggestion is reopened for a second answer."))
    return _done(s, _("Thank you for your rating. The suggestion is closed."))


@bp.post("/suggestions/<number>/close")
@login_required
def close(number: str):
    """Close an answered suggestion that was not rated."""
    s = _act(number, "triage")
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        ops.close_suggestion(s, actor=current_user)
    except TransitionError as e:
        db.session.rollback()
        return _refused(str(e), url_for("hearings.suggestion", number=s.number))
    return _done(s, _("The suggestion is closed."))


@bp.post("/suggestions/<number>/candidate")
@login_required
def candidate(number: str):
    """Propose the suggestion as a candidate livelihood project for a vote."""
    s = _act(number, "triage")
    form = CandidateForm(prefix="candidate")
    if not form.validate_on_submit():
        return _suggestion_page(s, 400, candidate_form=form)
    try:
        ops.mark_candidate_project(
            s, form.title.data, form.description.data or "", form.cost.data, actor=current_user
        )
    except TransitionError as e:
        db.session.rollback()
        return _refused(str(e), url_for("hearings.suggestion", number=s.number))
    return _done(s, _("Marked as a candidate project; it can now be put to a vote."))


@bp.route("/mine")
@login_required
def mine():
    """The user's own suggestions and registrations."""
    suggestions = db.session.scalars(
        select(Suggestion)
        .where(Suggestion.submitter_id == current_user.id)
        .options(*SUGGESTION_ROW)
        .order_by(Suggestion.submitted_at.desc())
    ).all()
    registrations = db.session.scalars(
        select(Registration)
        .join(HearingSession)
        .where(
            Registration.user_id == current_user.id,
            Registration.status != RegistrationStatus.CANCELLED,
        )
        .order_by(HearingSession.starts_at.desc())
    ).all()
    return render_template(
        "hearings/mine.html", suggestions=suggestions, registrations=registrations
    )
