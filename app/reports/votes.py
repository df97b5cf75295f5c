"""The votes and projects parts of the ledger: turnout, winners, the Merkle root and the verdict
of the project's verifier on the published log; then the status and dated progress of each winner."""

from flask import url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from app.core.dates import show_date
from app.core.time import to_local
from app.reports import figures, queries
from app.reports.tables import BOOL, DATE, DATETIME, INT, PERCENT, Column, Table
from app.reports.verify import verify_document
from app.votes.models import Vote
from app.votes.queries import export_document, turnout


def _update_separator() -> str:
    """Between dated progress notes: the full-width semicolon in Chinese, "; " in English."""
    locale = get_locale()
    return "；" if locale is None or locale.language == "zh" else "; "


def winner_ids(vote: Vote) -> list[int]:
    result = vote.result or {}
    return [int(i) for i in result.get("winners", []) if str(i).isdigit()]


def vote_table(votes: list[Vote]) -> Table:
    table = Table(
        "votes",
        _l("Votes"),
        [
            Column("title", _l("Title")),
            Column("method", _l("Method")),
            Column("status", _l("Status")),
            Column("opens_at", _l("Opens"), DATETIME),
            Column("closes_at", _l("Closes"), DATETIME),
            Column("electorate", _l("Electorate"), INT),
            Column("ballots", _l("Ballots cast"), INT),
            Column("turnout", _l("Turnout"), PERCENT),
            Column("winners", _l("Winners")),
            Column("root", _l("Merkle root")),
            Column("verified", _l("Log verified"), BOOL),
            Column("verifier", _l("Verifier's verdict")),
        ],
        section="votes",
    )
    for vote in votes:
        figures_now = turnout(vote)
        projects = queries.projects_by_id(winner_ids(vote))
        verdict = verify_document(export_document(vote)) if vote.is_counted else None
        result = vote.result or {}
        if vote.is_ratification and vote.is_counted:
            winners = str(_l("Adopted") if result.get("adopted") else _l("Not adopted"))
        else:
            winners = "；".join(projects[i].title for i in winner_ids(vote) if i in projects)
        link = url_for("votes.vote_page", vote_id=vote.id)
        table.rows.append(
            {
                "title": vote.title,
                "method": str(vote.method.label),
                "status": str(vote.status.label),
                "opens_at": to_local(vote.opens_at).replace(tzinfo=None),
                "closes_at": to_local(vote.closes_at).replace(tzinfo=None),
                "electorate": figures_now["size"],
                "ballots": figures_now["cast"],
                "turnout": figures.turnout(figures_now["cast"], figures_now["size"]),
                "winners": winners,
                "root": vote.final_root or "",
                "verified": verdict.verified if verdict else None,
                "verifier": verdict.line if verdict else "",
                "_id": str(vote.id),
                "_links": {
                    "title": link,
                    "electorate": link,
                    "ballots": url_for("votes.export", vote_id=vote.id),
                    "turnout": url_for("votes.turnout", vote_id=vote.id),
                    "verified": url_for("votes.export", vote_id=vote.id),
                },
            }
        )
    return table


def project_table(votes: list[Vote]) -> Table:
    table = Table(
        "projects",
        _l("Winning projects"),
        [
            Column("vote", _l("Vote")),
            Column("project", _l("Project")),
            Column("status", _l("Status")),
            Column("progress", _l("Progress (%)"), INT),
            Column("last_update", _l("Last update"), DATE),
            Column("updates", _l("Dated progress")),
        ],
        section="projects",
    )
    for vote in votes:
        if not vote.is_counted:
            continue
        projects = queries.projects_by_id(winner_ids(vote))
        for pid in winner_ids(vote):
            p = projects.get(pid)
            if p is None:
                continue
            table.rows.append(
                {
                    "vote": vote.title,
                    "project": p.title,
                    "status": str(p.status.label),
                    "progress": p.progress,
                    "last_update": p.updates[0].on if p.updates else None,
                    "updates": _update_separator().join(
                        f"{show_date(u.on)} {u.percent}% {u.note}".strip()
                        for u in reversed(p.updates)
                    ),
                    "_links": {
                        "project": url_for("projects.project_page", project_id=p.id),
                        "progress": url_for("projects.project_page", project_id=p.id),
                    },
                }
            )
    return table
