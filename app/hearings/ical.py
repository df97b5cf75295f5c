"""iCalendar feeds (RFC 5545), written by hand: CRLF lines folded at 75 octets, escaped text, UTC times."""

from collections.abc import Iterable
from datetime import datetime

from app.core.time import utcnow

PRODID = "-//Yishiting//Hearings//ZH"
#: How often subscribed calendar apps should fetch the feed again (RFC 7986; Outlook and Apple read X-PUBLISHED-TTL).
REFRESH = "PT1H"


def escape(text: str) -> str:
    """Escape a TEXT value: backslash, semicolon, comma and newlines (RFC 5545 §3.3.11)."""
    return (
        (text or "")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line into chunks of at most 75 octets, never splitting a UTF-8 character."""
    out: list[str] = []
    current = ""
    size = 0
    limit = 75
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            out.append(current)
            current, size = " ", 1  # continuation lines start with one space, which counts
        current += ch
        size += n
    out.append(current)
    return "\r\n".join(out)


def utc(value: datetime) -> str:
    """A naive-UTC datetime as an iCalendar UTC date-time."""
    return value.strftime("%Y%m%dT%H%M%SZ")


def calendar(name: str, events: Iterable[dict], now: datetime | None = None) -> str:
    """A VCALENDAR with one VEVENT per dict (uid, starts_at, ends_at, summary, description, location,
    url, status, sequence, updated_at)."""
    now = now or utcnow()
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
        "X-WR-TIMEZONE:Asia/Shanghai",
        f"REFRESH-INTERVAL;VALUE=DURATION:{REFRESH}",
        f"X-PUBLISHED-TTL:{REFRESH}",
    ]
    for e in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{e['uid']}",
            f"DTSTAMP:{utc(e.get('updated_at') or now)}",
            f"DTSTART:{utc(e['starts_at'])}",
            f"DTEND:{utc(e['ends_at'])}",
            f"SEQUENCE:{int(e.get('sequence') or 0)}",
            f"SUMMARY:{escape(e['summary'])}",
        ]
        if e.get("description"):
            lines.append(f"DESCRIPTION:{escape(e['description'])}")
        if e.get("location"):
            lines.append(f"LOCATION:{escape(e['location'])}")
        if e.get("url"):
            lines.append(f"URL:{e['url']}")
        lines.append(f"STATUS:{e.get('status', 'CONFIRMED')}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
