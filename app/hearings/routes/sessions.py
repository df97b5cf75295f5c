"""Community, station and deputy pages; scheduling, rescheduling, cancelling; minutes; my page."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.accounts.models import Role, RoleAssignment, User
from app.accounts.queries import deputies_of_station
from app.core.errors import NotAllowed, on_refusal
from app.core.time import from_local, to_local, utcnow
from app.extensions import db
from app.hearings import bp, follow_up, permissions
from app.hearings import operations as ops
from app.hearings.forms import (
    MinutesForm,
    ReasonForm,
    RescheduleForm,
    SessionForm,
    action_done_form,
)
from app.hearings.models import SUBJECT_TYPES, FollowUpAction, SessionKind
from app.hearings.queries import (
    receptions_of_deputy,
    registrations_of,
    sessions_of_community,
    sessions_of_station,
    speaker_members,
)
from app.hearings.routes.calendars import webcal_url
from app.hearings.routes.common import (
    session_context,
    session_or_404,
)
from app.hearings.subjects import options as subject_options
from app.org.models import Community, Station
from app.suggestions.queries import (
    bodies_serving,
    suggestions_of_station,
    suggestions_recorded_by,
    suggestions_submitted_by,
)


def _local_input(value):
    """A stored naive-UTC datetime as the naive Shanghai wall time a datetime-local input shows."""
    return to_local(value).replace(tzinfo=None)


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
        can_manage=permissions.can_schedule_in(current_user, community),
        webcal=webcal_url("hearings.community_calendar", community_id=community.id),
    )


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
    return render_template(
        "hearings/station.html",
        station=station,
        assignments=assignments,
        upcoming=upcoming,
        past=past[:20],
        suggestions=suggestions_of_station(station.id),
        is_staff=permissions.is_station_staff(current_user, station),
        webcal=webcal_url("hearings.station_calendar", station_id=station.id),
    )


@bp.route("/deputy/<int:user_id>")
def deputy(user_id: int):
    """A deputy's receptions and the suggestions they recorded, with how each was answered."""
    user = db.get_or_404(User, user_id)
    assignments = [a for a in user.roles if a.role == Role.DEPUTY]
    if not assignments:
        abort(404)
    suggestions = suggestions_recorded_by(user.id)
    return render_template(
        "hearings/deputy.html",
        deputy=user,
        assignments=assignments,
        receptions=receptions_of_deputy(user.id),
        suggestions=suggestions,
        answered=sum(1 for s in suggestions if s.first_answered_at is not None),
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
    if station_obj is not None:
        if not permissions.is_station_staff(current_user, station_obj):
            raise NotAllowed()
        communities, deputies = station_obj.communities, deputies_of_station(station_obj.id)
    elif community is not None:
        if not permissions.can_schedule_in(current_user, community):
            raise NotAllowed()
        communities, deputies = [], []
    else:
        abort(404)
    community_ids = [c.id for c in communities] if station_obj is not None else [community.id]
    form = SessionForm(
        communities=communities, deputies=deputies, subjects=subject_options(community_ids)
    )
    if request.method == "GET":
        kind = args.get("kind", "")
        form.kind.data = (
            kind
            if kind in {k.value for k in SessionKind}
            else (SessionKind.RECEPTION.value if station_obj else SessionKind.HEARING.value)
        )
        if args.get("subject_type") in SUBJECT_TYPES and args.get("subject_id", type=int):
            form.choose_subject(args["subject_type"], args.get("subject_id", type=int))
        if station_obj is not None and current_user.id in {d.id for d in deputies}:
            form.host.data = current_user.id

    def render(status: int = 200):
        return render_template(
            "hearings/session_form.html", form=form, community=community, station=station_obj
        ), status

    if form.validate_on_submit():
        starts, ends = from_local(form.starts_at.data), from_local(form.ends_at.data)
        if starts < utcnow():
            form.starts_at.errors.append(_("A new session must start in the future."))
        else:
            on_refusal(lambda: render()[0], form, "title")
            subject = form.chosen_subject()
            session = ops.create_session(
                kind=SessionKind(form.kind.data),
                title=form.title.data,
                starts_at=starts,
                ends_at=ends,
                place=form.place.data,
                community_id=community.id if community is not None else form.community.data,
                station_id=station_obj.id if station_obj else None,
                capacity=form.capacity.data,
                subject_text=form.subject_text.data or "",
                subject_type=subject[0] if subject else None,
                subject_id=subject[1] if subject else None,
                agenda=(form.agenda.data or "").splitlines(),
                host_id=form.host.data if station_obj else None,
                actor=current_user,
            )
            flash(_("The session is scheduled."), "success")
            return redirect(url_for("hearings.session", session_id=session.id), 303)
    return render(400 if request.method == "POST" else 200)


@bp.route("/sessions/<int:session_id>")
def session(session_id: int):
    """A session: subject, time and place, agenda, registration, minutes and its suggestions."""
    session = session_or_404(session_id)
    return render_template("hearings/session.html", **session_context(session))


def _require_manage(session) -> None:
    if not session.can_manage(current_user):
        raise NotAllowed()


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def edit_session(session_id: int):
    """Reschedule a session (time, place, seats); registrants are told."""
    session = session_or_404(session_id)
    _require_manage(session)
    session.check_changeable()
    form = RescheduleForm()
    if request.method == "GET":
        form.starts_at.data = _local_input(session.starts_at)
        form.ends_at.data = _local_input(session.ends_at)
        form.place.data, form.capacity.data = session.place, session.capacity

    def render(status: int = 200):
        return render_template(
            "hearings/session_edit.html",
            form=form,
            session=session,
            cancel_form=ReasonForm(prefix="cancel"),
        ), status

    if form.validate_on_submit():
        on_refusal(lambda: render()[0], form, "capacity")
        ops.reschedule_session(
            session,
            starts_at=from_local(form.starts_at.data),
            ends_at=from_local(form.ends_at.data),
            place=form.place.data,
            capacity=form.capacity.data,
            actor=current_user,
        )
        flash(_("Saved. Registered residents were told."), "success")
        return redirect(url_for("hearings.session", session_id=session.id), 303)
    return render(400 if request.method == "POST" else 200)


@bp.post("/sessions/<int:session_id>/cancel")
@login_required
def cancel_session(session_id: int):
    """Cancel a scheduled session with a public reason."""
    session = session_or_404(session_id)
    _require_manage(session)
    session.check_cancellable()
    form = ReasonForm(prefix="cancel")

    def render():
        return render_template(
            "hearings/session_edit.html",
            form=RescheduleForm(formdata=None, obj=None),
            session=session,
            cancel_form=form,
        )

    if not form.validate_on_submit():
        return render(), 400
    on_refusal(render, form, "reason")
    ops.cancel_session(session, form.reason.data, actor=current_user)
    flash(_("The session is cancelled. Registered residents were told."), "success")
    return redirect(url_for("hearings.session", session_id=session.id), 303)


@bp.route("/sessions/<int:session_id>/minutes", methods=["GET", "POST"])
@login_required
def minutes(session_id: int):
    """Publish the minutes, or a dated correction as a new revision."""
    session = session_or_404(session_id)
    _require_manage(session)
    session.check_minutes_allowed()
    community = session.community or (session.station.communities[0] if session.station else None)
    bodies = bodies_serving(community) if community else []
    members = speaker_members(session)
    form = MinutesForm(bodies=bodies, members=members)
    if request.method == "GET" and session.current_minutes is not None:
        form.prefill(session.current_minutes)

    def render(status: int = 200):
        return render_template("hearings/minutes_form.html", session=session, form=form), status

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
        member_ids = {u.id for u in members}
        speakers = [
            (
                s.form.name.data or "",
                s.form.consent.data,
                s.form.points.data or "",
                s.form.user.data if s.form.user.data in member_ids else None,
            )
            for s in form.speakers
        ]
        on_refusal(lambda: render()[0], form, "correction_note")
        ops.publish_minutes(
            session,
            summary=form.summary.data,
            decisions=form.decisions.data or "",
            actions=actions,
            speakers=speakers,
            correction_note=form.correction_note.data or "",
            actor=current_user,
        )
        flash(_("The minutes are published."), "success")
        return redirect(url_for("hearings.session", session_id=session.id), 303)
    return render(400 if request.method == "POST" else 200)


@bp.route("/mine")
@login_required
def mine():
    """The user's own suggestions and registrations."""
    return render_template(
        "hearings/mine.html",
        suggestions=suggestions_submitted_by(current_user.id),
        registrations=registrations_of(current_user),
    )


@bp.post("/actions/<int:action_id>/done")
@login_required
def mark_action_done(action_id: int):
    """Record a follow-up action of the minutes as done, with an optional note."""
    action = db.get_or_404(FollowUpAction, action_id)
    if not action.can_mark_done(current_user):
        raise NotAllowed()
    form = action_done_form(action.id)
    session_id = action.minutes.session_id

    def render():
        session = session_or_404(session_id)
        return render_template(
            "hearings/session.html", **session_context(session, done_forms={action_id: form})
        )

    if not form.validate_on_submit():
        return render(), 400
    on_refusal(render, form)
    follow_up.mark_action_done(action, actor=current_user, note=form.note.data or "")
    flash(_("The follow-up action is marked done."), "success")
    return redirect(url_for("hearings.session", session_id=session_id, _anchor="minutes"), 303)
