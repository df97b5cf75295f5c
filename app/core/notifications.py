"""In-app notifications: other features post here, the header shows the unread count.

Each notification is also the outbox entry of its e-mail (`mail_state`, see core/outbox.py),
written in the same transaction as the change that caused it.
"""

import re
from datetime import date, datetime

from flask import g, has_app_context
from flask_babel import gettext
from sqlalchemy import JSON, ForeignKey, String, func, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.dates import show_date
from app.core.time import utcnow
from app.extensions import Model, db

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _readable(value):
    """A day stored as an ISO string ("2026-12-11") is shown the one way, in the reader's language."""
    if isinstance(value, str) and _ISO_DAY.fullmatch(value):
        try:
            return show_date(date.fromisoformat(value))
        except ValueError:
            return value
    return value


def N_(message: str) -> str:
    """Mark a notification message for translation; it is translated when shown."""
    return message


class Notification(Model):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: Untranslated message (an msgid marked with N_) with %(name)s placeholders.
    message: Mapped[str] = mapped_column(String(300))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Site-relative link to the thing the notification is about.
    link: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    read_at: Mapped[datetime | None]
    #: E-mail delivery (core/outbox.py): "pending" until composed, then "queued" or "skipped".
    #: Rows older than the outbox say "skipped", so upgrading never mails the past.
    mail_state: Mapped[str] = mapped_column(
        String(10), default="pending", server_default="skipped", index=True
    )
    mail_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))

    #: The accounts domain's User, by name (core imports no domain).
    user = relationship("User")

    @property
    def text(self) -> str:
        """The message in the reader's language."""
        params = {k: _readable(v) for k, v in (self.params or {}).items()}
        return gettext(self.message, **params)

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


def notify(users, message: str, link: str = "", **params) -> None:
    """Post `message` (marked with N_) to each of `users`; duplicates are sent once."""
    if not isinstance(users, list | tuple | set):
        users = [users]
    _forget_unread()
    seen: set[int] = set()
    for user in users:
        if user is None or user.id in seen or not user.is_active:
            continue
        seen.add(user.id)
        db.session.add(Notification(user_id=user.id, message=message, params=params, link=link))
    db.session.flush()


def unread_count_once(user) -> int:
    """`unread_count` read once per request: the header asks on every render_template, and a
    page made of cached parts renders several templates. Posting or reading notifications
    forgets it."""
    counts = g.setdefault("unread_counts", {})
    if user.id not in counts:
        counts[user.id] = unread_count(user)
    return counts[user.id]


def remember_unread_count(user, count: int) -> None:
    """`count`, read along with the user (accounts' `load_user`), is what `unread_count_once`
    answers for this request, until a notification is posted or read."""
    if has_app_context():
        g.setdefault("unread_counts", {})[user.id] = count


def _forget_unread() -> None:
    if has_app_context():
        g.pop("unread_counts", None)


def unread_count(user) -> int:
    """How many of the user's notifications are unread (the header's badge)."""
    return (
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user.id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def mark_read(user, notification_id: int | None = None) -> int:
    """Mark one of the user's notifications, or all of them, as read; returns how many."""
    stmt = update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if notification_id is not None:
        stmt = stmt.where(Notification.id == notification_id)
    result = db.session.execute(stmt.values(read_at=utcnow()))
    _forget_unread()
    return int(getattr(result, "rowcount", 0))
