"""Statutory working days: China's official holidays and make-up working days (调休).

Every due date, rating window and overdue flag counts working days through this module:
- first the admin's own table (`calendar_days`): days the library does not know yet (a new
  year's schedule is announced each November) and local closures;
- then the maintained `chinesecalendar` package, which knows each published year's holidays
  and make-up days and raises for a year it has no data for;
- for a day neither can answer, Monday to Friday count as working days, the day is logged as a
  warning, and `years_without_data()` tells the admin which years need entering.
"""

import functools
import logging
from datetime import date, datetime, timedelta

import chinese_calendar
from flask import g, has_app_context, has_request_context
from sqlalchemy import ForeignKey, String, event, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.core.time import local_today, utcnow
from app.extensions import Model, db

log = logging.getLogger(__name__)


class CalendarDay(Model):
    """A day whose status the admin set: a working day or a day off, overriding the library."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(primary_key=True)
    is_working_day: Mapped[bool]
    #: Why, e.g. "2027 春节调休" or "台风停工".
    note: Mapped[str] = mapped_column(String(200), default="")
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)


def library_knows(day: date) -> bool:
    """Whether `chinesecalendar` has the official schedule of `day`'s year."""
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


@functools.lru_cache(maxsize=4096)
def _library_workday(day: date) -> bool | None:
    """The library's answer for `day`, None for a year it has no data for. Kept per process:
    the library checks each date against its whole table (a secretary's home page asks some
    14,000 times)."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


def _official(day: date) -> bool:
    answer = _library_workday(day)
    if answer is None:
        log.warning("no official calendar for %s: counted Monday to Friday", day.year)
        return day.weekday() < 5
    return answer


def _overrides(start: date, end: date) -> dict[date, bool]:
    if not has_app_context():
        return {}
    if has_request_context():
        # The admin's table is a few dozen days: a request reads it once, whatever the number
        # of due dates it works out (a secretary's home page has dozens). A flush that changes
        # it forgets it (`forget_calendar`).
        if "_calendar_days" not in g:
            rows = db.session.execute(select(CalendarDay.day, CalendarDay.is_working_day))
            g._calendar_days = {day: working for day, working in rows}
        return {day: working for day, working in g._calendar_days.items() if start <= day <= end}
    rows = db.session.execute(
        select(CalendarDay.day, CalendarDay.is_working_day).where(
            CalendarDay.day >= start, CalendarDay.day <= end
        )
    )
    return {day: working for day, working in rows}


def forget_calendar(session, _flush_context=None) -> None:
    """A flush that changed the admin's table: the request reads it again."""
    changed = list(session.new) + list(session.dirty) + list(session.deleted)
    if has_app_context() and any(isinstance(o, CalendarDay) for o in changed):
        g.pop("_calendar_days", None)
        g.pop("_overdue_cutoff", None)


def connect() -> None:
    """Install `forget_calendar` once per process (every app shares SQLAlchemy's Session)."""
    if not event.contains(Session, "after_flush", forget_calendar):
        event.listen(Session, "after_flush", forget_calendar)


def is_working_day(day: date) -> bool:
    """Whether `day` is a statutory working day (the admin's table first, then the library)."""
    override = _overrides(day, day).get(day)
    return _official(day) if override is None else override


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (`start` itself does not count)."""
    # The admin's table is read in one query for a generous window, again only past it.
    span = timedelta(days=days * 2 + 30)
    window_end = start + span
    overrides = _overrides(start, window_end)
    current, remaining = start, days
    while remaining > 0:
        current += timedelta(days=1)
        if current > window_end:
            window_end = current + span
            overrides.update(_overrides(current, window_end))
        working = overrides.get(current)
        if working if working is not None else _official(current):
            remaining -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """How many working days come after `start` up to and including `end` (0 if end <= start)."""
    if end <= start:
        return 0
    overrides = _overrides(start, end)
    count, current = 0, start
    while current < end:
        current += timedelta(days=1)
        working = overrides.get(current)
        if working if working is not None else _official(current):
            count += 1
    return count


def years_without_data(years: range) -> list[int]:
    """The years in `years` the library cannot answer and the admin has not entered any day of."""
    missing = []
    for year in years:
        if library_knows(date(year, 1, 1)):
            continue
        entered = (
            bool(_overrides(date(year, 1, 1), date(year, 12, 31))) if has_app_context() else False
        )
        if not entered:
            missing.append(year)
    return missing


def latest_working_day(day: date) -> date:
    """`day` if it is a working day, else the last working day before it."""
    overrides = _overrides(day - timedelta(days=40), day)
    current = day
    for _ in range(40):
        working = overrides.get(current)
        if working if working is not None else _official(current):
            return current
        current -= timedelta(days=1)
    return day


def overdue_cutoff(today: date | None = None) -> date:
    """A due date before this day is overdue: a working day has passed since it.

    A body due on Friday is not late on Saturday, nor during the Spring Festival: it is late on
    the first working day after its due date. Cached per request (boards flag many rows).
    """
    today = today or local_today()
    if not has_request_context():
        return latest_working_day(today)
    cache = g.setdefault("_overdue_cutoff", {})
    if today not in cache:
        cache[today] = latest_working_day(today)
    return cache[today]


def is_overdue(due: date | None, today: date | None = None) -> bool:
    """Whether a working day has passed since `due` (see `overdue_cutoff`)."""
    return due is not None and due < overdue_cutoff(today)
