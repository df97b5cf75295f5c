"""E-mail delivery of notifications: an outbox written with the change, delivered by `flask tick`.

`notify()` writes each notification with `mail_state = "pending"` in the transaction of the change
that causes it, so a change that rolls back leaves no e-mail behind. Two tick jobs deliver them:
1. `compose_mail` turns pending notifications into e-mails in the recipient's language, as each
   recipient chose on their account page: one e-mail per notification ("immediate"), one a day
   ("digest", after DIGEST_HOUR in Shanghai, with the notifications of the days before) or none.
   Each e-mail has a unique key (`n:<notification id>`, `digest:<user>:<date>`): never two.
2. `send_mail` claims due e-mails in a short transaction of its own (PostgreSQL: `FOR UPDATE
   SKIP LOCKED`; SQLite: BEGIN IMMEDIATE), sends them over SMTP outside any transaction, and
   records each result at once: sent, or back to pending with a growing delay (a 4xx from the
   server, a network error), or failed after MAX_ATTEMPTS. A claim left by a crashed tick is taken
   again after STALE_CLAIM. Every sent e-mail is audited.

SMTP is configured by the environment: SMTP_HOST (no host: nothing is sent, and notifications
wait), SMTP_PORT, SMTP_USER, SMTP_PASSWORD, SMTP_FROM, SMTP_STARTTLS; SITE_URL makes the links.
"""

import enum
import hashlib
import logging
import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from typing import cast

from flask import current_app
from flask_babel import force_locale, gettext, ngettext
from sqlalchemy import ForeignKey, String, Table, Text, and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from app.core.audit import AuditEntry
from app.core.time import SHANGHAI, from_local, to_local
from app.extensions import Model, db

log = logging.getLogger("yishiting.mail")

#: The digest goes out on the first tick after this hour (Asia/Shanghai).
DIGEST_HOUR = 7
#: Notifications older than this are not e-mailed any more (e.g. SMTP was configured late).
TOO_OLD = timedelta(days=3)
MAX_ATTEMPTS = 6
#: A claim older than this belongs to a tick that died: the e-mail is claimed again.
STALE_CLAIM = timedelta(minutes=15)
BATCH = 100


class DeliveryChoice(enum.StrEnum):
    """How a person wants notifications by e-mail (the in-app bell shows them all anyway)."""

    IMMEDIATE = "immediate"
    DIGEST = "digest"
    NONE = "none"


class OutboxMail(Model):
    """One e-mail to send: a notification, or a day's digest of them."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "n:<notification id>" or "digest:<user id>:<local date>": the same e-mail is never made twice.
    key: Mapped[str] = mapped_column(String(80), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    to_address: Mapped[str] = mapped_column(String(254))
    #: The language it was written in (the recipient's).
    locale: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    #: pending → sending → sent; back to pending after a refusal; failed after MAX_ATTEMPTS.
    state: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(String(300), default="")


def smtp_settings() -> dict | None:
    """The SMTP settings from the configuration, or None when no SMTP_HOST is set."""
    cfg = current_app.config
    if not cfg.get("SMTP_HOST"):
        return None
    return {
        "host": cfg["SMTP_HOST"],
        "port": int(cfg.get("SMTP_PORT") or 25),
        "user": cfg.get("SMTP_USER") or "",
        "password": cfg.get("SMTP_PASSWORD") or "",
        "sender": cfg.get("SMTP_FROM") or "yishiting@localhost",
        "starttls": str(cfg.get("SMTP_STARTTLS") or "").lower() in ("1", "true", "yes", "on"),
    }


def site_url(link: str) -> str:
    """`link` (a path) as a full address on the site, for e-mails (SITE_URL)."""
    return _site(link)


def _site(link: str) -> str:
    if not link:
        return ""
    base = (current_app.config.get("SITE_URL") or "http://127.0.0.1:5000").rstrip("/")
    return base + link if link.startswith("/") else link


def _locale_of(user) -> str:
    return getattr(user, "locale", None) or current_app.config.get("BABEL_DEFAULT_LOCALE", "en")


def _footer() -> str:
    return gettext(
        "You receive this e-mail because of your notification settings. Change them on your account page: %(url)s",
        url=_site("/account"),
    )


def _immediate(notification) -> tuple[str, str]:
    text = notification.text
    subject = gettext("Yishiting: %(text)s", text=text)[:300]
    lines = [text]
    if notification.link:
        lines.append(_site(notification.link))
    return subject, "\n\n".join([*lines, "--", _footer()])


def _digest(notifications) -> tuple[str, str]:
    subject = ngettext(
        "Yishiting: %(num)d notification", "Yishiting: %(num)d notifications", len(notifications)
    )
    lines = [gettext("What happened since your last digest:"), ""]
    for n in notifications:
        when = to_local(n.created_at).strftime("%Y-%m-%d %H:%M")
        lines.append(f"- {when} {n.text}")
        if n.link:
            lines.append(f"  {_site(n.link)}")
    return subject, "\n".join([*lines, "", "--", _footer()])


def _queue(
    user, key: str, now: datetime, subject: str, body: str, locale: str
) -> OutboxMail | None:
    mail = OutboxMail(
        key=key,
        user_id=user.id,
        to_address=user.email,
        locale=locale,
        subject=subject,
        body=body,
        created_at=now,
        next_attempt_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(mail)
            db.session.flush()
    except IntegrityError:
        return None  # made already (by another tick)
    return mail


def queue_mail(user, key: str, now: datetime, subject: str, body: str, locale: str) -> OutboxMail:
    """Put one e-mail to `user` in the outbox (e.g. a password reset link), sent by the next tick.

    Unlike notifications it ignores the delivery choice: the person asked for this e-mail.
    """
    mail = _queue(user, key, now, subject, body, locale)
    if mail is None:
        raise ValueError(f"outbox key {key} is taken")
    return mail


def compose_mail(now: datetime) -> str | None:
    """Turn pending notifications into e-mails, as each recipient chose (tick job)."""
    from app.core.notifications import Notification

    if smtp_settings() is None:
        return None
    stmt = (
        select(Notification).where(Notification.mail_state == "pending").order_by(Notification.id)
    )
    if db.engine.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    pending = list(db.session.scalars(stmt.limit(BATCH * 10)))
    by_user: dict[int, list] = {}
    for n in pending:
        by_user.setdefault(n.user_id, []).append(n)
    local_now = to_local(now)
    midnight = from_local(local_now.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None))
    made = skipped = 0
    for items in by_user.values():
        user = items[0].user
        choice = getattr(user, "email_delivery", DeliveryChoice.IMMEDIATE)
        fresh = [n for n in items if n.created_at >= now - TOO_OLD]
        if not user.email or not user.is_active or choice == DeliveryChoice.NONE:
            fresh = []
        for n in items:
            if n not in fresh:
                n.mail_state = "skipped"
                skipped += 1
        if not fresh:
            continue
        locale = _locale_of(user)
        with force_locale(locale):
            if choice == DeliveryChoice.DIGEST:
                ready = [n for n in fresh if n.created_at < midnight]
                if local_now.hour < DIGEST_HOUR or not ready:
                    continue
                subject, body = _digest(ready)
                mail = _queue(
                    user, f"digest:{user.id}:{local_now.date()}", now, subject, body, locale
                )
                if mail is None:
                    continue  # today's digest is made: these wait for tomorrow's
                for n in ready:
                    n.mail_state, n.mail_id = "queued", mail.id
                made += 1
            else:
                for n in fresh:
                    subject, body = _immediate(n)
                    mail = _queue(user, f"n:{n.id}", now, subject, body, locale)
                    n.mail_state, n.mail_id = "queued", mail.id if mail else None
                    made += 1 if mail else 0
    db.session.flush()
    if not made and not skipped:
        return None
    return f"{made} e-mail(s) composed, {skipped} notification(s) not e-mailed"


def _write(conn, stmt) -> None:
    with conn.begin():
        conn.execute(stmt)


def _claim(conn, now: datetime) -> list[OutboxMail]:
    """Claim the e-mails due now, in a transaction of their own (committed before any sending)."""
    table = cast(Table, OutboxMail.__table__)
    due = or_(
        and_(table.c.state == "pending", table.c.next_attempt_at <= now),
        and_(table.c.state == "sending", table.c.claimed_at < now - STALE_CLAIM),
    )
    with conn.begin():
        stmt = select(table).where(due).order_by(table.c.id).limit(BATCH)
        if conn.dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        rows = list(conn.execute(stmt).mappings())
        if rows:
            conn.execute(
                update(table)
                .where(table.c.id.in_([r["id"] for r in rows]))
                .values(state="sending", claimed_at=now, attempts=table.c.attempts + 1)
            )
    return [OutboxMail(**dict(r)) for r in rows]


def _message(mail: OutboxMail, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = mail.to_address
    msg["Subject"] = mail.subject
    msg["Date"] = format_datetime(to_local(mail.created_at).astimezone(SHANGHAI))
    digest = hashlib.sha256(mail.key.encode()).hexdigest()[:16]
    msg["Message-ID"] = f"<{digest}.{mail.id}@yishiting>"
    msg["X-Yishiting-Key"] = mail.key
    msg.set_content(mail.body)  # (this drops Content-* headers set before it)
    msg["Content-Language"] = mail.locale.replace("_Hans_CN", "-CN").replace("_", "-")
    return msg


def _connect(settings: dict) -> smtplib.SMTP:
    smtp = smtplib.SMTP(settings["host"], settings["port"], timeout=30)
    if settings["starttls"]:
        smtp.starttls()
    if settings["user"]:
        smtp.login(settings["user"], settings["password"])
    return smtp


def send_mail(now: datetime) -> str | None:
    """Send the e-mails that are due, each once, retrying refusals later (tick job)."""
    settings = smtp_settings()
    if settings is None:
        return None
    table = cast(Table, OutboxMail.__table__)
    with db.engine.connect() as raw:
        conn = raw.execution_options(sqlite_begin="IMMEDIATE")
        claimed = _claim(conn, now)
        if not claimed:
            return None
        sent = retry = failed = 0
        smtp = None
        for mail in claimed:
            try:
                smtp = smtp or _connect(settings)
                smtp.send_message(_message(mail, settings["sender"]))
            except (smtplib.SMTPException, OSError) as exc:
                if isinstance(exc, smtplib.SMTPServerDisconnected | OSError):
                    smtp = None
                give_up = mail.attempts >= MAX_ATTEMPTS or _permanent(exc)
                delay = timedelta(minutes=2 ** min(mail.attempts, 8))
                _write(
                    conn,
                    update(table)
                    .where(table.c.id == mail.id)
                    .values(
                        state="failed" if give_up else "pending",
                        next_attempt_at=now + delay,
                        last_error=repr(exc)[:300],
                    ),
                )
                log.warning("mail %s to user %s refused: %r", mail.id, mail.user_id, exc)
                failed, retry = failed + give_up, retry + (not give_up)
                continue
            with conn.begin():
                conn.execute(
                    update(table)
                    .where(table.c.id == mail.id)
                    .values(state="sent", sent_at=now, last_error="")
                )
                conn.execute(
                    cast(Table, AuditEntry.__table__)
                    .insert()
                    .values(
                        action="mail.sent",
                        object_type="outbox",
                        object_id=mail.id,
                        detail=f"{mail.key} to user {mail.user_id}",
                        at=now,
                    )
                )
            sent += 1
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
    return f"{sent} e-mail(s) sent, {retry} to retry, {failed} failed"


#: The tick runner leaves this job outside any transaction: it claims and records on its own.
send_mail.manages_transactions = True  # type: ignore[attr-defined]


def _permanent(exc: Exception) -> bool:
    """A 5xx answer (e.g. an unknown mailbox) will not change by retrying."""
    code = getattr(exc, "smtp_code", None)
    if code is None and isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [c for c, _msg in exc.recipients.values()]
        code = min(codes) if codes else None
    return isinstance(code, int) and 500 <= code < 600


def forget_user(user) -> None:
    """A deleted account's e-mails keep no address or text; unsent ones are never sent."""
    db.session.execute(
        update(OutboxMail)
        .where(OutboxMail.user_id == user.id, OutboxMail.state != "sent")
        .values(state="failed")
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(OutboxMail)
        .where(OutboxMail.user_id == user.id)
        .values(to_address="", subject="", body="", last_error="account deleted")
        .execution_options(synchronize_session=False)
    )
