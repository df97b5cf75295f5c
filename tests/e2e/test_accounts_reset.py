"""Getting back in, in a real browser: a code from the secretary, a link by e-mail.

The e-mail goes through the app's outbox to a real SMTP server (aiosmtpd, in this process, on
a port of this test's own); the link is read from the received message and opened in the page.
"""

import re
import threading
from datetime import timedelta
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import expect
from sqlalchemy import select

from app.accounts.models import ResetCode, User
from app.accounts.recovery import link_token
from app.core.outbox import send_mail
from app.core.time import utcnow
from tests.e2e.conftest import axe_violations, login_in_browser
from tests.factories import PASSWORD

NEW = "plum-blossom-river"
SMTP_PORT = 5151


@pytest.fixture
def world(make, commit):
    community = make.community(name="梅园居民区")
    resident = make.user(
        "resident", community, name="王秀英", phone="13912345678", email="wang@example.org"
    )
    secretary = make.user("secretary", community, name="李书记", phone="13700000001")
    commit()
    return {"community": community, "resident": resident, "secretary": secretary}


def resident_page(browser, base_url):
    context = browser.new_context(base_url=base_url, locale="zh-CN", timezone_id="Asia/Shanghai")
    return context, context.new_page()


def enter_code(page, code: str, password: str = NEW) -> None:
    page.goto("/login")
    page.get_by_role("link", name="忘记密码？").click()
    page.get_by_role("link", name="我有重设验证码").click()
    expect(page.locator("#phone")).to_have_attribute("inputmode", "tel")
    expect(page.locator("#code")).to_have_attribute("autocomplete", "one-time-code")
    page.locator("#phone").fill("13912345678")
    page.locator("#code").fill(code)
    page.locator("#password").fill(password)
    page.locator("#confirm").fill(password)
    page.get_by_role("button", name="设置新密码").click()


def test_a_code_issued_by_the_secretary_lets_the_resident_back_in_once(
    page, browser, base_url, world, db
):
    login_in_browser(page, "13700000001", PASSWORD)
    page.goto(f"/communities/{world['community'].id}/members")
    page.get_by_role("button", name="王秀英 的重设验证码").click()
    expect(page.locator("h1")).to_have_text("王秀英 的重设验证码")
    code = page.locator("#reset-code").inner_text()
    assert re.fullmatch(r"\d{4} \d{4}", code)

    context, resident = resident_page(browser, base_url)
    enter_code(resident, code)
    expect(resident.locator(".flash-success")).to_contain_text("新密码已设置，您已登录。")
    expect(resident.get_by_role("link", name="我的账号")).to_be_visible()
    context.close()

    # The same code a second time, by someone else: refused, and the password stays.
    context, other = resident_page(browser, base_url)
    enter_code(other, code, password="another-new-pass")
    expect(other.locator("#code-errors")).to_have_text(
        "该验证码已被使用。每个验证码只能用一次，请向居委会领取新的验证码。"
    )
    expect(other.locator("#phone")).to_have_value("13912345678")
    context.close()
    db.session.rollback()  # a fresh snapshot: what the server committed
    user = db.session.get(User, world["resident"].id)
    assert user.check_password(NEW) and not user.check_password("another-new-pass")

    # The new password logs in.
    context, again = resident_page(browser, base_url)
    login_in_browser(again, "13912345678", NEW)
    context.close()


def test_an_expired_code_is_refused(page, browser, base_url, world, db, commit):
    login_in_browser(page, "13700000001", PASSWORD)
    page.goto(f"/communities/{world['community'].id}/members")
    page.get_by_role("button", name="王秀英 的重设验证码").click()
    code = page.locator("#reset-code").inner_text()
    db.session.rollback()  # a fresh snapshot: what the server committed
    reset = db.session.scalar(select(ResetCode))
    reset.issued_at, reset.expires_at = (
        utcnow() - timedelta(hours=25),
        utcnow() - timedelta(hours=1),
    )
    commit()

    context, resident = resident_page(browser, base_url)
    enter_code(resident, code)
    expect(resident.locator("#code-errors")).to_have_text(
        "该验证码已过期：验证码24小时内有效。请向居委会领取新的验证码。"
    )
    context.close()
    db.session.rollback()  # a fresh snapshot: what the server committed
    assert db.session.get(User, world["resident"].id).check_password(PASSWORD)


class Inbox:
    def __init__(self):
        self.messages: list = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content, policy=default_policy))
        return "250 2.0.0 OK"


@pytest.fixture
def smtp(app, base_url):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    keys = ("SMTP_HOST", "SMTP_PORT", "SMTP_FROM", "SITE_URL")
    saved = {k: app.config.get(k) for k in keys}
    app.config.update(
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=SMTP_PORT,
        SMTP_FROM="yishiting@example.org",
        SITE_URL=base_url,
    )
    yield inbox
    app.config.update(saved)
    controller.stop()


def test_a_link_by_e_mail_lets_the_resident_back_in_once(page, world, db, smtp, base_url):
    page.goto("/login")
    page.get_by_role("link", name="忘记密码？").click()
    page.locator("#email").fill("wang@example.org")
    page.get_by_role("button", name="发送链接").click()
    expect(page.locator("h1")).to_have_text("请查收电子邮件")

    assert send_mail(utcnow()) == "1 e-mail(s) sent, 0 to retry, 0 failed"  # the next tick
    [mail] = smtp.messages
    assert mail["To"] == "wang@example.org"
    assert mail["Subject"] == "议事厅：设置新密码"
    link = re.search(r"http://\S+/reset/link/\S+", mail.get_content()).group(0)
    assert link.startswith(base_url)

    page.goto(link)
    expect(page.locator("#password")).to_have_attribute("autocomplete", "new-password")
    page.locator("#password").fill(NEW)
    page.locator("#confirm").fill(NEW)
    page.get_by_role("button", name="设置新密码").click()
    expect(page.locator(".flash-success")).to_contain_text("新密码已设置，您已登录。")
    db.session.rollback()  # a fresh snapshot: what the server committed
    assert db.session.get(User, world["resident"].id).check_password(NEW)

    page.get_by_role("button", name="退出").click()
    page.goto(link)
    expect(page.locator(".flash-error")).to_have_text(
        "该链接已被使用：每个链接只能用一次。请在下方重新申请。"
    )
    expect(page.locator("#email")).to_be_visible()  # and a new link can be asked for there


def test_an_expired_link_is_refused(page, world, db, app):
    with app.test_request_context():
        token = link_token(world["resident"], issued_at=utcnow() - timedelta(hours=3))
    page.goto(f"/reset/link/{token}")
    expect(page.locator(".flash-error")).to_have_text(
        "该链接已过期：链接2小时内有效。请在下方重新申请。"
    )
    db.session.rollback()  # a fresh snapshot: what the server committed
    assert db.session.get(User, world["resident"].id).check_password(PASSWORD)


@pytest.mark.parametrize("path", ["/reset", "/reset/code"])
def test_the_reset_pages_have_no_serious_accessibility_problems(axe_page, path):

    axe_page.set_viewport_size({"width": 390, "height": 844})
    axe_page.goto(path)
    assert axe_violations(axe_page) == []
