"""The suggestions part of the ledger: each one, counts by category, body and source, and per
body the median and 90th-percentile response time in working days, on-time rate and satisfaction."""

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import g, url_for
from flask_babel import lazy_gettext as _l

from app.core.time import to_local
from app.org.models import Community
from app.reports import figures
from app.reports.models import Period
from app.reports.tables import BOOL, DATE, INT, NUMBER, PERCENT, Column, Table
from app.suggestions.models import Suggestion
from app.suggestions.queries import ledger_suggestions
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


def group_figures(rows: list[dict]) -> dict:
    """Counts, response times in working days, on-time rate and satisfaction of some suggestions."""
    days = [r["working_days"] for r in rows if r["working_days"] is not None]
    known = [r for r in rows if r["on_time"] is not None]
    rated = [r for r in rows if r["_rated"] == "1"]
    return {
        "received": len(rows),
        "answered": sum(1 for r in rows if r["_answered"] == "1"),
        "median_days": figures.median(days),
        "p90_days": figures.percentile(days, 0.9),
        "on_time_rate": figures.rate(sum(1 for r in known if r["on_time"]), len(known)),
        "satisfaction": figures.rate(sum(1 for r in rated if r["_satisfied"] == "1"), len(rated)),
        "reopened": sum(1 for r in rows if r["reopened"]),
        "overdue": sum(1 for r in rows if r["overdue"]),
    }


def _body_table(rows: list[dict], link: Callable[..., str]) -> Table:
    table = Table(
        "bodies",
        _l("Response per body"),
        [
            Column("body", _l("Responsible body")),
            Column("received", _l("Received"), INT),
            Column("answered", _l("Answered"), INT),
            Column("median_days", _l("Median response (working days)"), NUMBER),
            Column("p90_days", _l("90th percentile (working days)"), NUMBER),
            Column("on_time_rate", _l("On-time rate"), PERCENT),
            Column("satisfaction", _l("Satisfaction"), PERCENT),
            Column("reopened", _l("Reopened"), INT),
            Column("overdue", _l("Overdue now"), INT),
        ],
        section="suggestions",
    )
    bodies: dict[str, tuple[str, list[dict]]] = {}
    for r in rows:
        if r["_body"]:
            bodies.setdefault(r["_body"], (r["body"], []))[1].append(r)
    groups = sorted(bodies.items(), key=lambda item: item[1][0])
    groups.append(("", (str(_l("All suggestions")), rows)))
    for body_id, (name, items) in groups:
        f = {"body": body_id} if body_id else {}
        table.rows.append(
            {
                "body": name,
                **group_figures(items),
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


def _count_table(key: str, title, label, rows: list[dict], field: str, link) -> Table:
    table = Table(
        key,
        title,
        [Column("group", label), Column("count", _l("Count"), INT)],
        section="suggestions",
    )
    counts: dict[str, tuple[str, int]] = {}
    for r in rows:
        name, n = counts.get(r[f"_{field}"], (r[field], 0))
        counts[r[f"_{field}"]] = (name, n + 1)
    for value, (name, n) in sorted(counts.items(), key=lambda item: item[1][0]):
        table.rows.append({"group": name, "count": n, "_links": {"count": link(**{field: value})}})
    return table


def suggestion_tables(community: Community, period: Period, today: date) -> list[Table]:
    days_of = figures.WorkingDays()
    rows = [
        suggestion_row(s, today, days_of)
        for s in ledger_suggestions(community.id, period.since, period.until)
    ]

    def link(**filters) -> str:
        args: dict[str, Any] = {**period.args, **filters}
        return url_for("reports.items", community_id=community.id, table="suggestions", **args)

    detail = Table(
        "suggestions", _l("Suggestions"), SUGGESTION_COLUMNS, rows, section="suggestions"
    )
    return [
        _count_table("by_category", _l("By category"), _l("Category"), rows, "category", link),
        _count_table("by_source", _l("By source"), _l("Source"), rows, "source", link),
        _body_table(rows, link),
        detail,
    ]
