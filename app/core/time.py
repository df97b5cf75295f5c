"""Time helpers: the database stores naive UTC; pages show Asia/Shanghai."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    """Current time as naive UTC, the form every DateTime column stores."""
    return datetime.now(UTC).replace(tzinfo=None)


def local_today() -> date:
    """Today's date in Asia/Shanghai."""
    return datetime.now(SHANGHAI).date()


def to_local(value: datetime) -> datetime:
    """A stored naive-UTC datetime as an aware Asia/Shanghai datetime."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(SHANGHAI)


def from_local(value: datetime) -> datetime:
    """A wall-clock time typed in Shanghai as naive UTC for storage."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=SHANGHAI)
    return value.astimezone(UTC).replace(tzinfo=None)


def next_local_midnight() -> datetime:
    """When the date in Asia/Shanghai next changes, as naive UTC (what date-bound flags await)."""
    return from_local(datetime.combine(local_today() + timedelta(days=1), time.min))
