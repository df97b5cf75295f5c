"""The sessions part of the ledger: every kind, with attendance, agenda, minutes and actions."""

from flask import url_for
from flask_babel import lazy_gettext as _l

from app.core.dates import show_date
from app.core.time import to_local
from app.hearings.models import HearingSession
from app.reports.models import Period
from app.reports.tables import DATE, DATETIME, INT, Column, Table


def attended(session: HearingSession) -> int:
    """Who came: the published minutes' count, else registered residents marked present plus walk-ins."""
    minutes = session.current_minutes
    return minutes.attendance_total if minutes else session.attendance_count


def session_table(sessions: list[HearingSession], period: Period) -> Table:
    table = Table(
        "sessions",
        _l("Sessions"),
        [
            Column("starts_at", _l("Date"), DATETIME),
            Column("kind", _l("Kind")),
            Column("title", _l("Title")),
            Column("place", _l("Place")),
            Column("status", _l("Status")),
            Column("registered", _l("Registered"), INT),
            Column("attended", _l("Attended (walk-ins included)"), INT),
            Column("walk_ins", _l("Walk-ins"), INT),
            Column("agenda", _l("Agenda")),
            Column("minutes", _l("Minutes")),
            Column("decisions", _l("Decisions")),
            Column("actions", _l("Follow-up actions"), INT),
            Column("actions_done", _l("Actions done"), INT),
        ],
        section="sessions",
    )
    for s in sessions:
        minutes = s.current_minutes
        link = url_for("hearings.session", session_id=s.id)
        table.rows.append(
            {
                "starts_at": to_local(s.starts_at).replace(tzinfo=None),
                "kind": str(s.kind.label),
                "title": s.title,
                "place": s.place,
                "status": str(s.status.label),
                "registered": len(s.registered),
                "attended": attended(s),
                "walk_ins": minutes.attendance_walk_ins if minutes else len(s.walk_ins),
                "agenda": "；".join(item.text for item in s.agenda),
                "minutes": minutes.summary if minutes else "",
                "decisions": minutes.decisions if minutes else "",
                "actions": len(minutes.actions) if minutes else 0,
                "actions_done": sum(1 for a in minutes.actions if a.is_done) if minutes else 0,
                "_kind": s.kind.value,
                "_links": {
                    "title": link,
                    "registered": url_for("hearings.attendance", session_id=s.id),
                    "attended": url_for("hearings.attendance", session_id=s.id),
                    "walk_ins": url_for("hearings.attendance", session_id=s.id),
                    "actions": link,
                    "actions_done": link,
                },
            }
        )
    return table


def action_table(sessions: list[HearingSession]) -> Table:
    """Each follow-up action of the latest minutes: its body, due date, whether and when it was done."""
    table = Table(
        "actions",
        _l("Follow-up actions"),
        [
            Column("session", _l("Session")),
            Column("action", _l("Action")),
            Column("body", _l("Responsible body")),
            Column("due", _l("Due"), DATE),
            Column("done", _l("Done")),
            Column("done_on", _l("Date done"), DATE),
        ],
        section="sessions",
    )
    for s in sessions:
        minutes = s.current_minutes
        for a in minutes.actions if minutes else []:
            done_on = to_local(a.completion.done_at).date() if a.completion else None
            table.rows.append(
                {
                    "session": s.title,
                    "action": a.text,
                    "body": a.body.name if a.body else "",
                    "due": a.due_date,
                    "done": str(_l("Done on %(date)s", date=show_date(done_on)))
                    if done_on
                    else str(_l("Not done")),
                    "done_on": done_on,
                    "_links": {"session": url_for("hearings.session", session_id=s.id)},
                }
            )
    return table
