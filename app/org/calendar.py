"""The admin's page of the working-day calendar: days the official calendar does not know yet
(a new year's schedule is announced each November) and local closures."""

from datetime import date

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.core.errors import NotAllowed, on_refusal
from app.core.time import local_today
from app.core.workdays import CalendarDay, years_without_data
from app.extensions import db
from app.org import bp
from app.org.forms import CalendarDayForm
from app.org.operations import remove_calendar_day, set_calendar_day
from app.org.permissions import can_manage_org


def _check_manager() -> None:
    if not can_manage_org(current_user):
        raise NotAllowed()


@bp.route("/admin/calendar", methods=["GET", "POST"])
@login_required
def calendar():
    """The admin's own working days and days off, and the years the calendar cannot answer."""
    _check_manager()
    form = CalendarDayForm()
    year = local_today().year

    def render():
        days = db.session.scalars(select(CalendarDay).order_by(CalendarDay.day.desc())).all()
        return render_template(
            "org/calendar.html",
            form=form,
            days=days,
            missing=years_without_data(range(year, year + 2)),
        )

    if form.validate_on_submit():
        on_refusal(render, form, "day")
        set_calendar_day(
            form.day.data, form.working.data == "working", form.note.data or "", actor=current_user
        )
        flash(_("Saved."), "success")
        return redirect(url_for("org.calendar"), 303)
    return render(), 400 if form.errors else 200


@bp.post("/admin/calendar/<day>/remove")
@login_required
def remove_day(day: str):
    """Remove an entry; the official calendar answers for that day again."""
    _check_manager()
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        abort(404)
    remove_calendar_day(parsed, actor=current_user)
    flash(_("Removed."), "success")
    return redirect(url_for("org.calendar"), 303)
