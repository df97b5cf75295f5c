"""iCalendar feeds (RFC 5545) written with the icalendar library: UTC times, folded lines, escaping."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event

from app.core.time import utcnow

PRODID = "-//Yishiting//Hearings//ZH"
#: How often subscribed calendar apps should fetch the feed again (RFC 7986; Outlook and Apple read X-PUBLISHED-TTL).
REFRESH = timedelta(hours=1)


@dataclass(frozen=True)
class CalendarEvent:
    """One session as a calendar event; datetimes are naive UTC."""

    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    description: str = ""
    location: str = ""
    url: str = ""
    status: str = "CONFIRMED"
    sequence: int = 0
    updated_at: datetime | None = None


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC)


def calendar(name: str, events: Iterable[CalendarEvent], now: datetime | None = None) -> bytes:
    """A VCALENDAR with one VEVENT per event, ready to send as text/calendar."""
    now = now or utcnow()
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Shanghai")
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    for e in events:
        ev = Event()
        ev.add("uid", e.uid)
        ev.add("dtstamp", _utc(e.updated_at or now))
        ev.add("dtstart", _utc(e.starts_at))
        ev.add("dtend", _utc(e.ends_at))
        ev.add("sequence", int(e.sequence or 0))
        ev.add("summary", e.summary)
        if e.description:
            ev.add("description", e.description)
        if e.location:
            ev.add("location", e.location)
        if e.url:
            ev.add("url", e.url)
        ev.add("status", e.status)
        cal.add_component(ev)
    return cal.to_ical()
