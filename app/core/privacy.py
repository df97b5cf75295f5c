"""What core holds about a person: in their data export, and gone when their account is.

- "personal_data": their notifications and the audit entries about them (what they did, and
  what others did to their account), so the export shows everything Yishiting keeps;
- "account_deleted": their notifications and queued e-mails go; audit entries they made keep
  the action (the community's record) but lose the network address.

Audit entries are append-only (`core/audit.py`); dropping the address of a deleted person is
the one change they allow, made with a bulk UPDATE that the per-row guard does not see.
"""

from typing import Any

from sqlalchemy import delete, or_, select, update

from app.core.audit import AuditEntry
from app.core.notifications import Notification
from app.core.outbox import OutboxMail
from app.extensions import db


def _about(user):
    return or_(
        AuditEntry.actor_id == user.id,
        (AuditEntry.object_type == "users") & (AuditEntry.object_id == user.id),
    )


def notifications_data(user) -> tuple[str, list[dict[str, Any]]]:
    """The person's notifications, in their language."""
    notifications = db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    ).all()
    return "notifications", [
        {
            "message": n.text,
            "link": n.link,
            "created_at": n.created_at.isoformat(),
            "read_at": n.read_at.isoformat() if n.read_at else None,
        }
        for n in notifications
    ]


def audit_data(user) -> tuple[str, list[dict[str, Any]]]:
    """The audit entries about the person: what they did, and what was done to their account."""
    rows = db.session.execute(
        select(
            AuditEntry.at,
            AuditEntry.action,
            AuditEntry.actor_id,
            AuditEntry.object_type,
            AuditEntry.object_id,
            AuditEntry.detail,
            AuditEntry.ip,
        )
        .where(_about(user))
        .order_by(AuditEntry.id)
    )
    return "audit_entries", [
        {
            "at": row.at.isoformat(),
            "action": row.action,
            "by_you": row.actor_id == user.id,
            "object": f"{row.object_type}#{row.object_id}" if row.object_type else "",
            "detail": row.detail,
            "ip": row.ip,
        }
        for row in rows
    ]


def erase_person(user) -> None:
    """`account_deleted` hook: delete the person's notifications and queued e-mails."""
    db.session.execute(delete(Notification).where(Notification.user_id == user.id))
    db.session.execute(delete(OutboxMail).where(OutboxMail.user_id == user.id))


def forget_addresses(user) -> None:
    """Keep the person's audit entries (the community's record) but not their network address.

    Accounts calls this last when deleting an account, after every domain's own erasure (which
    may itself write audit entries during the same request).
    """
    db.session.flush()
    db.session.execute(
        update(AuditEntry)
        .where(AuditEntry.actor_id == user.id, AuditEntry.ip != "")
        .values(ip="")
        .execution_options(synchronize_session="fetch")
    )
