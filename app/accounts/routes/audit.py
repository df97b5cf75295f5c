"""The audit log pages: a community's, for its secretary and admins; the whole log, for admins."""

from flask import render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.accounts import bp
from app.accounts.permissions import can_read_audit
from app.core.audit import AuditEntry
from app.core.errors import NotAllowed
from app.extensions import db
from app.org.models import Community

PER_PAGE = 50


def _filtered(stmt, action: str):
    if action:
        stmt = stmt.where(AuditEntry.action.startswith(action))
    stmt = stmt.options(selectinload(AuditEntry.actor))
    return db.paginate(stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()), per_page=PER_PAGE)


@bp.route("/communities/<int:community_id>/audit")
@login_required
def audit_log(community_id: int):
    """A community's audit log, for its secretary and for admins; filterable by action."""
    community = db.get_or_404(Community, community_id)
    if not can_read_audit(current_user, community):
        raise NotAllowed()
    action = request.args.get("action", "").strip()
    page = _filtered(select(AuditEntry).where(AuditEntry.community_id == community.id), action)
    actions = db.session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.community_id == community.id)
        .distinct()
        .order_by(AuditEntry.action)
    ).all()
    return render_template(
        "accounts/audit.html", community=community, page=page, action=action, actions=actions
    )


@bp.route("/audit")
@login_required
def audit_all():
    """Every audit entry, for admins."""
    if not can_read_audit(current_user):
        raise NotAllowed()
    action = request.args.get("action", "").strip()
    page = _filtered(select(AuditEntry), action)
    return render_template(
        "accounts/audit.html", community=None, page=page, action=action, actions=[]
    )
