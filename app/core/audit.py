"""The audit log: an append-only record of every state change and every look at personal data."""

import logging
from datetime import datetime

from flask import g, has_request_context, request
from flask_login import current_user
from sqlalchemy import ForeignKey, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.time import utcnow
from app.extensions import Model, db

log = logging.getLogger("yishiting.audit")


class AuditEntry(Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: Who acted; empty for the system (scheduled jobs, the demo loader).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: Dotted verb, e.g. "membership.approve", "vote.open", "personal_data.view".
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str] = mapped_column(String(40), default="")
    object_id: Mapped[int | None]
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"), index=True)
    detail: Mapped[str] = mapped_column(String(500), default="")
    ip: Mapped[str] = mapped_column(String(45), default="")

    actor = relationship("User", foreign_keys=[actor_id])
    community = relationship("Community")


@event.listens_for(AuditEntry, "before_update")
def _refuse_update(_mapper, _connection, target):
    raise RuntimeError("audit entries are append-only")


@event.listens_for(AuditEntry, "before_delete")
def _refuse_delete(_mapper, _connection, target):
    raise RuntimeError("audit entries are append-only")


def _community_id(community) -> int | None:
    if community is None:
        return None
    return community if isinstance(community, int) else community.id


def values(
    action: str, obj=None, *, community=None, detail: str = "", actor=None, anonymous: bool = False
) -> dict:
    """The columns of the audit entry `record` would append (for a writer that inserts it in one
    statement with its other rows, see votes/casting.py); `record` documents the arguments."""
    if anonymous:
        actor = None
    elif actor is None and has_request_context() and current_user and current_user.is_authenticated:
        actor = current_user
    return {
        "at": utcnow(),
        "actor_id": actor.id if actor is not None else None,
        "action": action,
        "object_type": obj.__tablename__ if obj is not None else "",
        "object_id": getattr(obj, "id", None) if obj is not None else None,
        "community_id": _community_id(community),
        "detail": detail[:500],
        "ip": (request.remote_addr or "")[:45] if has_request_context() and not anonymous else "",
    }


def logged(entry: dict) -> None:
    """The application log's line for an audit entry."""
    log.info(
        "%s %s#%s by %s",
        entry["action"],
        entry["object_type"],
        entry["object_id"],
        entry["actor_id"],
    )


def record(
    action: str, obj=None, *, community=None, detail: str = "", actor=None, anonymous: bool = False
) -> AuditEntry:
    """Append one audit entry for `action` on `obj` in `community`, by `actor` or the current user.

    `anonymous=True` records no actor (and no address): for a ballot in a secret vote, where
    naming the voter beside the time would let whoever reads the log match them to a record.
    """
    entry = AuditEntry(
        **values(action, obj, community=community, detail=detail, actor=actor, anonymous=anonymous)
    )
    if has_request_context() and g.get("_read_only_request"):
        # A look at personal data during a read-only request: written by the request
        # lifecycle at its end, in a write transaction of its own (see core/lifecycle.py).
        g.setdefault("_deferred_audit", []).append(entry)
    else:
        db.session.add(entry)
        db.session.flush()
    log.info("%s %s#%s by %s", action, entry.object_type, entry.object_id, entry.actor_id)
    return entry
