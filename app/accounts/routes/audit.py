"""The audit log pages: a community's, for its secretary and admins; the whole log, for admins.

Each entry reads as a sentence in the reader's language: when (Shanghai time), who (by name, a
link that filters by them), what they did (the action's name, core/audit_names.py) and on what
(the object by name, linked). Filters: a kind of action, a person, a range of days.
"""

import re
from datetime import date, datetime, time, timedelta

from flask import render_template, request
from flask_login import current_user, login_required
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app.accounts import bp
from app.accounts.models import User
from app.accounts.permissions import can_read_audit
from app.core.audit import AuditEntry
from app.core.audit_names import action_label, action_names, describe_objects, kinds, prefixes_of
from app.core.dates import show_dates_in
from app.core.errors import NotAllowed
from app.core.time import from_local
from app.extensions import db
from app.org.models import Body, Community

PER_PAGE = 50

#: Ids the system wrote into details ("paper ballot entered by user 164 for user 160").
_USER_ID = re.compile(r"\buser (\d+)\b")
_BODY_ID = re.compile(r"\bbody (\d+)\b")


def _day(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, "").strip())
    except ValueError:
        return None


def _filters() -> dict:
    kind = request.args.get("kind", "").strip()
    who = request.args.get("who", "").strip()
    return {
        "kind": kind if prefixes_of(kind) else "",
        "who": int(who) if who.isdigit() else None,
        "start": _day("start"),
        "end": _day("end"),
    }


def _apply(stmt, f: dict):
    if f["kind"]:
        stmt = stmt.where(or_(*(AuditEntry.action.startswith(p) for p in prefixes_of(f["kind"]))))
    if f["who"] is not None:
        stmt = stmt.where(AuditEntry.actor_id == f["who"])
    if f["start"]:
        stmt = stmt.where(AuditEntry.at >= from_local(datetime.combine(f["start"], time.min)))
    if f["end"]:
        end = datetime.combine(f["end"] + timedelta(days=1), time.min)
        stmt = stmt.where(AuditEntry.at < from_local(end))
    return stmt


def _names(model, ids: set[int], attr: str) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.session.execute(select(model.id, getattr(model, attr)).where(model.id.in_(ids)))
    return {row[0]: row[1] for row in rows}


def _readable_details(entries) -> dict[int, str]:
    """entry id -> its detail with dates written the one way and ids replaced by names."""
    user_ids = {int(m) for e in entries for m in _USER_ID.findall(e.detail or "")}
    body_ids = {int(m) for e in entries for m in _BODY_ID.findall(e.detail or "")}
    users = _names(User, user_ids, "display_name")
    bodies = _names(Body, body_ids, "name")

    def one(text: str) -> str:
        text = _USER_ID.sub(lambda m: users.get(int(m.group(1)), m.group(0)), text)
        text = _BODY_ID.sub(lambda m: bodies.get(int(m.group(1)), m.group(0)), text)
        return show_dates_in(text)

    return {e.id: one(e.detail) for e in entries if e.detail}


def _render(scope, community: Community | None, endpoint: str, **endpoint_args):
    f = _filters()
    page = db.paginate(
        _apply(scope, f)
        .options(selectinload(AuditEntry.actor))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()),
        per_page=PER_PAGE,
    )
    entries = list(page.items)
    actor_ids = select(AuditEntry.actor_id).where(AuditEntry.actor_id.is_not(None))
    if community is not None:
        actor_ids = actor_ids.where(AuditEntry.community_id == community.id)
    people = db.session.execute(
        select(User.id, User.display_name)
        .where(User.id.in_(actor_ids.distinct()))
        .order_by(User.display_name)
    ).all()
    names = action_names()
    args = {
        k: v.isoformat() if isinstance(v, date) else v for k, v in f.items() if v not in (None, "")
    }
    return render_template(
        "accounts/audit.html",
        community=community,
        page=page,
        filters=f,
        filter_args=args,
        page_args={**endpoint_args, **args},
        kinds=kinds(),
        people=people,
        labels={e.id: action_label(e.action, names) for e in entries},
        objects=describe_objects(entries),
        details=_readable_details(entries),
        endpoint=endpoint,
        endpoint_args=endpoint_args,
    )


@bp.route("/communities/<int:community_id>/audit")
@login_required
def audit_log(community_id: int):
    """A community's audit log, for its secretary and for admins; filterable by kind, person, days."""
    community = db.get_or_404(Community, community_id)
    if not can_read_audit(current_user, community):
        raise NotAllowed()
    scope = select(AuditEntry).where(AuditEntry.community_id == community.id)
    return _render(scope, community, "accounts.audit_log", community_id=community.id)


@bp.route("/audit")
@login_required
def audit_all():
    """Every audit entry, for admins."""
    if not can_read_audit(current_user):
        raise NotAllowed()
    return _render(select(AuditEntry), None, "accounts.audit_all")
