"""E-mail delivery through a real SMTP server in this process (aiosmtpd on 127.0.0.1).

A reminder, an escalation and a daily digest arrive once each, in the recipient's language,
although `flask tick` runs twice at the same time (two processes) every time, and the server
refuses the first try (451).
"""

import os
import socket
import subprocess
import sys
import threading
from datetime import datetime, timedelta
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from app.core.notifications import N_, Notification, notify
from app.core.outbox import OutboxMail, compose_mail, send_mail
from app.core.time import SHANGHAI, from_local, local_today, utcnow
from app.core.workdays import add_working_days
from app.org.models import BodyKind
from tests import hearings_factories as hf

ROOT = Path(__file__).resolve().parents[1]


class Inbox:
    """An SMTP handler that keeps every message, refusing the first `refuse` with a 451."""

    def __init__(self, refuse: int = 0):
        self.messages: list = []
        self.refuse = refuse
        self.refused = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.refuse > 0:
                self.refuse -= 1
                self.refused += 1
                return "451 4.3.0 Try again later"
            self.messages.append(message_from_bytes(envelope.content, policy=default_policy))
        return "250 2.0.0 OK"

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(app):
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    saved = {k: app.config.get(k) for k in ("SMTP_HOST", "SMTP_PORT", "SMTP_FROM")}
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_FROM="yishiting@example.org")
    inbox.port = port
    yield inbox
    app.config.update(saved)
    controller.stop()


def _tick_twice_at_once(app, port: int, now: datetime) -> None:
    """Run `flask tick --now` in two processes at the same time, as two cron hosts might."""
    env = {
        **os.environ,
        "FLASK_APP": "wsgi:app",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(port),
        "SMTP_FROM": "yishiting@example.org",
        "SITE_URL": "https://yishiting.example.org",
    }
    flask = str(Path(sys.executable).with_name("flask"))
    procs = [
        subprocess.Popen(  # noqa: S603 - our own command
            [flask, "tick", "--now", now.isoformat()],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, out + err


def test_reminder_escalation_and_digest_arrive_once_each_in_the_recipients_language(
    app, make, db, smtp
):
    smtp.refuse = 1  # the server refuses the first e-mail once
    c = make.community(name="梅园居民区")
    body = make.body(c, BodyKind.PROPERTY_COMPANY, name="梅园物业")
    handler = make.user("handler", body=body, email="handler@example.org")
    handler.locale = "en"
    secretary = make.user("secretary", community=c, email="secretary@example.org")
    secretary.locale = "zh_Hans_CN"
    admin = make.user("admin", email="admin@example.org")
    admin.locale, admin.email_delivery = "en", "digest"
    db.session.commit()
    today = local_today()
    soon = hf.suggestion(c, summary="楼道灯不亮")
    hf.accept_suggestion(soon, body)
    soon.due_date = add_working_days(today, 1)
    late = hf.suggestion(c, summary="消防通道被堵")
    hf.accept_suggestion(late, body)
    late.due_date = today - timedelta(days=30)
    # What the set-up itself notified is not what this test is about.
    db.session.execute(update(Notification).values(mail_state="skipped"))
    db.session.commit()
    soon_number, soon_due, late_number = (
        soon.number,
        f"{soon.due_date:%b} {soon.due_date.day}, {soon.due_date.year}",
        late.number,
    )
    db.session.close()

    now = utcnow()
    _tick_twice_at_once(app, smtp.port, now)
    assert smtp.refused == 1 and len(smtp.messages) == 2  # the refused one waits for a retry
    _tick_twice_at_once(app, smtp.port, now + timedelta(minutes=5))
    assert len(smtp.messages) == 3
    tomorrow = datetime.now(SHANGHAI).date() + timedelta(days=1)
    morning = from_local(datetime(tomorrow.year, tomorrow.month, tomorrow.day, 8, 0))
    _tick_twice_at_once(app, smtp.port, morning)
    _tick_twice_at_once(app, smtp.port, morning + timedelta(minutes=1))

    keys = [m["X-Yishiting-Key"] for m in smtp.messages]
    assert len(keys) == len(set(keys)) == 4, keys  # nothing twice
    reminder = [m for m in smtp.to("handler@example.org") if "Reminder" in m["Subject"]]
    assert len(reminder) == 1
    assert reminder[0]["Subject"] == (
        f"Yishiting: Reminder: suggestion {soon_number} is due on {soon_due}."
    )
    assert reminder[0]["Content-Language"] == "en"
    assert f"https://yishiting.example.org/hearings/suggestions/{soon_number}" in (
        reminder[0].get_content()
    )
    escalation = smtp.to("secretary@example.org")
    assert len(escalation) == 1
    assert escalation[0]["Subject"] == f"议事厅：意见建议 {late_number} 已督办：消防通道被堵"
    assert "您收到此邮件是因为您的通知设置" in escalation[0].get_content()
    digest = smtp.to("admin@example.org")
    assert len(digest) == 1
    assert digest[0]["Subject"] == "Yishiting: 1 notification"
    assert f"Suggestion {late_number} is escalated (督办)" in digest[0].get_content()
    states = db.session.scalars(select(OutboxMail.state)).all()
    assert sorted(states) == ["sent"] * 4


def test_a_notification_rolled_back_with_its_change_is_never_e_mailed(app, make, db, smtp):
    user = make.user("resident", email="wang@example.org")
    notify(user, N_("Your suggestion %(number)s was closed."), number="S-2026-000001")
    db.session.rollback()
    assert compose_mail(utcnow()) is None
    notify(user, N_("Your suggestion %(number)s was closed."), number="S-2026-000002")
    db.session.commit()
    assert compose_mail(utcnow()).startswith("1 e-mail(s) composed")
    db.session.commit()
    assert send_mail(utcnow()).startswith("1 e-mail(s) sent")
    assert [m["X-Yishiting-Key"] for m in smtp.messages] == [
        f"n:{db.session.scalar(select(Notification.id))}"
    ]
    assert "S-2026-000002" in smtp.messages[0]["Subject"]
    assert smtp.messages[0]["Subject"].startswith("议事厅：")  # no language chosen: Chinese


def test_no_e_mail_for_none_or_without_an_address_and_a_permanent_refusal_gives_up(
    app, make, db, smtp
):
    quiet = make.user("resident", email="quiet@example.org")
    quiet.email_delivery = "none"
    phone_only = make.user("resident")
    db.session.commit()
    notify([quiet, phone_only], N_("Your suggestion %(number)s was closed."), number="S-1")
    db.session.commit()
    assert compose_mail(utcnow()) == "0 e-mail(s) composed, 2 notification(s) not e-mailed"
    db.session.commit()
    assert send_mail(utcnow()) is None and smtp.messages == []
