"""The one way a date or a time is written on a page, per language (issue 11 item 5).

Every template goes through the filters `date`, `time`, `datetime` and `timerange`, and Python
code that builds page text (home sections, reports) calls the functions below, so a page never
mixes "2026年12月11日" with "2026/12/11" or an ISO string. Stored values are naive UTC
(core/time.py); Flask-Babel shows them in Asia/Shanghai (BABEL_DEFAULT_TIMEZONE) in the
reader's locale:

    zh_Hans_CN  2026年12月11日 · 19:00 · 2026年12月11日 19:00 · 2026年12月11日 19:00–21:00
    en          Dec 11, 2026 · 7:00 PM · Dec 11, 2026, 7:00 PM · Dec 11, 2026, 7:00 PM–9:00 PM

The filters keep an optional, ignored format argument so that a template written before this
(`|datetime('short')`) still writes the one format.
"""

import re
from datetime import date, datetime

from babel.lists import format_list
from flask_babel import format_date, format_time, get_locale

from app.core.time import to_local

#: The separator between the two ends of a range; an en dash with no spaces inside a day.
RANGE_DASH = "–"


def _pattern() -> str:
    """How the locale joins a date and a time: "{1} {0}" (Chinese), "{1}, {0}" (English)."""
    locale = get_locale()
    if locale is None:
        return "{1} {0}"
    return str(locale.datetime_formats.get("medium", "{1} {0}"))


def show_date(
    value: date | datetime | None, _fmt: str | None = None, *, local: bool = False
) -> str:
    """A day: 2026年12月11日 / Dec 11, 2026 (a datetime is shown on its Shanghai day).

    `local=True`: a naive datetime already on Shanghai's clock (the reports' tables), not UTC.
    """
    if value is None:
        return ""
    return format_date(value, "medium", rebase=not local)


def show_time(value: datetime | None, _fmt: str | None = None, *, local: bool = False) -> str:
    """A time of day in Shanghai: 19:00 / 7:00 PM."""
    if value is None:
        return ""
    return format_time(value, "short", rebase=not local)


def show_datetime(
    value: datetime | date | None, _fmt: str | None = None, *, local: bool = False
) -> str:
    """A moment: 2026年12月11日 19:00 / Dec 11, 2026, 7:00 PM (no seconds: nobody needs them)."""
    if value is None:
        return ""
    if not isinstance(value, datetime):
        return show_date(value)
    return (
        _pattern()
        .replace("{1}", show_date(value, local=local))
        .replace("{0}", show_time(value, local=local))
    )


def show_range(start: datetime | None, end: datetime | None) -> str:
    """A span written once: 2026年12月11日 19:00–21:00, or both moments when the day changes."""
    if start is None:
        return show_datetime(end)
    if end is None:
        return show_datetime(start)
    if to_local(start).date() == to_local(end).date():
        times = f"{show_time(start)}{RANGE_DASH}{show_time(end)}"
        return _pattern().replace("{1}", show_date(start)).replace("{0}", times)
    return f"{show_datetime(start)} {RANGE_DASH} {show_datetime(end)}"


def show_date_range(start: date | None, end: date | None) -> str:
    """A span of days: 2026年1月1日 – 2026年3月31日 / Jan 1, 2026 – Mar 31, 2026."""
    if start is None or end is None:
        return show_date(start or end)
    if start == end:
        return show_date(start)
    return f"{show_date(start)} {RANGE_DASH} {show_date(end)}"


def iso_local(value: datetime | None) -> str:
    """The machine-readable form for `<time datetime=...>`: never shown as text."""
    return to_local(value).isoformat() if value else ""


def show_list(items) -> str:
    """Names joined the locale's way: A、B和C / A, B, and C (no stray "; ." separators)."""
    names = [str(item) for item in items]
    if not names:
        return ""
    return format_list(names, locale=get_locale() or "zh_Hans_CN")


_ISO_IN_TEXT = re.compile(
    r"\b(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?Z?)?\b"
)


def show_dates_in(text: str | None) -> str:
    """Free text recorded by the system (an audit detail) with its ISO dates written the one way.

    A bare day is a Shanghai day; a time beside it was recorded in UTC (`utcnow`).
    """
    if not text:
        return ""

    def _one(match: re.Match) -> str:
        year, month, day, hour, minute = match.groups()
        try:
            if hour is None:
                return show_date(date(int(year), int(month), int(day)))
            return show_datetime(datetime(int(year), int(month), int(day), int(hour), int(minute)))
        except ValueError:
            return match.group(0)

    return _ISO_IN_TEXT.sub(_one, text)
