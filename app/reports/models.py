"""Reports keep no tables of their own: a ledger is computed from the other domains' records.

What is here is the period a report covers, as a value object.
"""

from dataclasses import dataclass
from datetime import date, datetime, time

from app.core.time import from_local


@dataclass(frozen=True)
class Period:
    """The days [start, end] in Asia/Shanghai, both included."""

    start: date
    end: date

    @property
    def since(self) -> datetime:
        """The period's first instant as naive UTC, the form the database stores."""
        return from_local(datetime.combine(self.start, time.min))

    @property
    def until(self) -> datetime:
        """The period's last instant as naive UTC."""
        return from_local(datetime.combine(self.end, time.max))

    def holds(self, moment: datetime | None) -> bool:
        """Whether a stored naive-UTC moment falls in the period."""
        return moment is not None and self.since <= moment <= self.until

    def holds_day(self, day: date | None) -> bool:
        return day is not None and self.start <= day <= self.end

    @property
    def args(self) -> dict[str, str]:
        """The period as query-string arguments, for links that keep it."""
        return {"kind": "range", "start": self.start.isoformat(), "end": self.end.isoformat()}

    @property
    def slug(self) -> str:
        return f"{self.start.isoformat()}_{self.end.isoformat()}"
