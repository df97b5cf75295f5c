"""The suggestions part of the ledger: each one, counts by category, body and source, and per
body the median and 90th-percentile response time in working days, on-time rate and satisfaction."""

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import g, url_for
from flask_babel import lazy_gettext as _l

from app.core.time import to_local
from app.extensions import db
from app.org.models import Community
from app.reports import figures, queries
from app.reports.models import Period
from app.reports.tables import BOOL, DATE, INT, NUMBER, PERCENT, Column, Table
from app.suggestions.models import Suggestion
from app.suggestions.stats import SATISFIED_RATINGS


def _d(value) -> date | None:
    return to_local(value).date() if value else None


def label(value) -> str:
    """An enum's label in the request's language, translated once per value and request."""
    cache = g.setdefault("_report_labels", {})
    key = (type(value).__name__, value.value)
    if key not in cache:
        cache[key] = str(value.label)
    return cache[key]


def suggestion_row(s: Suggestion, today: date, days_of: figures.WorkingDays | None = None) -> dict:
    accepted, answered = _d(s.accepted_at), _d(s.first_answered_at)
    count = days_of.between if days_of else figures.response_working_days
    days = count(accepted, answered) if accepted and answered else None
    on_time = figures.on_time(s.due_date, answered, today) if accepted else None
    overdue = s.awaiting_answer and s.due_date is not None and s.due_date < today
    return {
        "number": s.number,
        "category": label(s.category),
        "summary": s.summary,
        "body": s.body.name if s.body else "",
        "source": label(s.source),
        "status": label(s.status),
        "submitted": _d(s.submitted_at),
        "accepted": accepted,
        "due": s.due_date,
        "first_answered": answered,
        "working_days": days,
        "on_time": on_time,
        "rating": label(s.rating) if s.rating else "",
        "reopened": s.reopen_count,
        "overdue": overdue,
        "_category": s.category.value,
        "_body": str(s.body_id or ""),
        "_source": s.source.value,
        "_answered": "1" if answered else "0",
        "_on_time": "" if on_time is None else ("1" if on_time else "0"),
        "_reopened": "1" if s.reopen_count else "0",
        "_overdue": "1" if overdue else "0",
        "_rated": "1" if s.rating else "0",
        "_satisfied": "1" if s.rating and s.rating.value in SATISFIED_RATINGS else "0",
        "_links": {
            "number": url_for("suggestions.suggestion", number=s.number),
            "working_days": url_for("suggestions.suggestion", number=s.number),
            "reopened": url_for("suggestions.suggestion", number=s.number),
        },
    }


SUGGESTION_COLUMNS = [
    Column("number", _l("Tracking number")),
    Column("category", _l("Category")),
    Column("summary", _l("Summary")),
    Column("body", _l("Responsible body")),
    Column("source", _l("Source")),
    Column("status", _l("Status")),
    Column("submitted", _l("Submitted"), DATE),
    Column("accepted", _l("Accepted"), DATE),
    Column("due", _l("Due"), DATE),
    Column("first_answered", _l("First answered"), DATE),
    Column("working_days", _l("Response time (working days)"), INT),
    Column("on_time", _l("Answered on time"), BOOL),
    Column("rating", _l("Rating")),
    Column("reopened", _l("Times reopened"), INT),
    Column("overdue", _l("Overdue now"), BOOL),
]


#: Rows of the detail table the ledger page shows; the downloads and the list page have all.
PAGE_ROWS = 100


@dataclass
class Figures:
    """Running figures of a group of suggestions, in memory bounded by the number of distinct
    response times (a histogram), not by the number of suggestions."""

    received: int = 0
    answered: int = 0
    known: int = 0
    on_time: int = 0
    rated: int = 0
    satisfied: int = 0
    reopened: int = 0
    overdue: int = 0
    days: Counter = field(default_factory=Counter)

    def add(self, r: dict) -> None:
        self.received += 1
        self.answered += r["_answered"] == "1"
        if r["on_time"] is not None:
            self.known += 1
            self.on_time += bool(r["on_time"])
        self.rated += r["_rated"] == "1"
        self.satisfied += r["_satisfied"] == "1"
        self.reopened += bool(r["reopened"])
        self.overdue += bool(r["overdue"])
        if r["working_days"] is not None:
            self.days[r["working_days"]] += 1

    def as_row(self) -> dict:
        return {
            "received": self.received,
            "answered": self.answered,
            "median_days": figures.median_of_counts(self.days),
            "p90_days": figures.percentile_of_counts(self.days, 0.9),
            "on_time_rate": figures.rate(self.on_time, self.known),
            "satisfaction": figures.rate(self.satisfied, self.rated),
            "reopened": self.reopened,
            "overdue": self.overdue,
        }


def group_figures(rows: Iterable[dict]) -> dict:
    """Counts, response times in working days, on-time rate and satisfaction of some suggestions."""
    acc = Figures()
    for r in rows:
        acc.add(r)
    return acc.as_row()


BODY_COLUMNS = [
    Column("body", _l("Responsible body")),
    Column("received", _l("Received"), INT),
    Column("answered", _l("Answered"), INT),
    Column("median_days", _l("Median response (working days)"), NUMBER),
    Column("p90_days", _l("90th percentile (working days)"), NUMBER),
    Column("on_time_rate", _l("On-time rate"), PERCENT),
    Column("satisfaction", _l("Satisfaction"), PERCENT),
    Column("reopened", _l("Reopened"), INT),
    Column("overdue", _l("Overdue now"), INT),
]


def _body_table(groups: dict[str, tuple[str, Figures]], everything: Figures, link) -> Table:
    table = Table("bodies", _l("Response per body"), BODY_COLUMNS, section="suggestions")
    ordered = sorted(groups.items(), key=lambda item: item[1][0])
    ordered.append(("", (str(_l("All suggestions")), everything)))
    for body_id, (name, acc) in ordered:
        f = {"body": body_id} if body_id else {}
        table.rows.append(
            {
                "body": name,
                **acc.as_row(),
                "_body": body_id,
                "_links": {
                    "received": link(**f),
                    "answered": link(**f, answered="1"),
                    "median_days": link(**f, answered="1"),
                    "p90_days": link(**f, answered="1"),
                    "on_time_rate": link(**f, on_time="1"),
                    "satisfaction": link(**f, satisfied="1"),
                    "reopened": link(**f, reopened="1"),
                    "overdue": link(**f, overdue="1"),
                },
            }
        )
    return table


def _count_table(key: str, title, label, counts: dict[str, list], field: str, link) -> Table:
    table = Table(
        key,
        title,
        [Column("group", label), Column("count", _l("Count"), INT)],
        section="suggestions",
    )
    for value, (name, n) in sorted(counts.items(), key=lambda item: item[1][0]):
        table.rows.append({"group": name, "count": n, "_links": {"count": link(**{field: value})}})
    return table


def suggestion_tables(community: Community, period: Period, today: date) -> list[Table]:
    """The suggestions tables: one pass over the period's suggestions for the figures; the detail
    rows are read again, streamed, by whoever writes them out."""
    days_of = figures.WorkingDays()

    def stream() -> Iterator[dict]:
        for s in queries.suggestions_stream(community.id, period):
            yield suggestion_row(s, today, days_of)
            db.session.expunge(s)

    def link(**filters) -> str:
        args: dict[str, Any] = {**period.args, **filters}
        return url_for("reports.items", community_id=community.id, table="suggestions", **args)

    everything = Figures()
    bodies: dict[str, tuple[str, Figures]] = {}
    categories: dict[str, list] = {}
    sources: dict[str, list] = {}
    first: list[dict] = []
    for r in stream():
        everything.add(r)
        if r["_body"]:
            bodies.setdefault(r["_body"], (r["body"], Figures()))[1].add(r)
        categories.setdefault(r["_category"], [r["category"], 0])[1] += 1
        sources.setdefault(r["_source"], [r["source"], 0])[1] += 1
        if len(first) < PAGE_ROWS:
            first.append(r)
    detail = Table(
        "suggestions",
        _l("Suggestions"),
        SUGGESTION_COLUMNS,
        first,
        section="suggestions",
        stream=stream,
        total=everything.received,
    )
    return [
        _count_table(
            "by_category", _l("By category"), _l("Category"), categories, "category", link
        ),
        _count_table("by_source", _l("By source"), _l("Source"), sources, "source", link),
        _body_table(bodies, everything, link),
        detail,
    ]
