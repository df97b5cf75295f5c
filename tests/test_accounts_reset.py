"""Getting back in: a reset code issued in person, a reset link by e-mail, changing a password."""

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import ResetCode, User
from app.accounts.recovery import link_token
from app.core.audit import AuditEntry
from app.core.notifications import Notification
from app.core.outbox import OutboxMail
from app.core.time import utcnow
from tests.factories import zh

NEW = "plum-blossom-river"
CODE_RE = re.compile(r'id="reset-code">(\d{4}) (\d{4})<')


@pytest.fixture
def world(make):
    a = make.community(name="梅园居民区")
    b = make.community(name="桂园居民区")
    resident = make.user(
        "resident", a, name="王秀英", phone="13912345678", email="wang@example.org"
    )
    return {
        "a": a,
        "b": b,
        "resident": resident,
        "membership": resident.active_membership,
        "secretary": make.user("secretary", a, name="李书记"),
        "other_secretary": make.user("secretary", b, name="赵书记"),
        "admin": make.user("admin"),
    }


def text(response) -> str:
    """The page as the reader sees it (entities such as &#39; unescaped)."""
    return html.unescape(response.get_data(as_text=True))


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def actions(db) -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def issue(client, world, as_user=None, community=None):
    from tests.factories import login_as

    login_as(client, as_user or world["secretary"])
    c = community or world["a"]
    return client.post(f"/communities/{c.id}/members/{world['membership'].id}/reset-code")


def issued_code(response) -> str:
    match = CODE_RE.search(response.text)
    assert match, "no code on the page"
    return match.group(1) + match.group(2)


def use_code(client, code, phone="13912345678", password=NEW, confirm=None):
    from tests.factories import logout

    logout(client)
    return client.post(
        "/reset/code",
        data={"phone": phone, "code": code, "password": password, "confirm": confirm or password},
    )


# --- issuing a code ------------------------------------------------------------------------


def test_secretary_issues_a_code_shown_once_stored_hashed_audited_and_told(client, db, world):
    response = issue(client, world)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.text
    code = issued_code(response)
    assert len(code) == 8
    assert "王秀英" in page and "13912345678" in page
    assert zh("Reset code for %(name)s", name="王秀英") in page
    reset = db.session.scalar(select(ResetCode))
    assert code not in reset.code_hash and reset.matches(code)
    assert reset.expires_at - reset.issued_at == timedelta(hours=24)
    assert reset.issued_by_id == world["secretary"].id
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "password.reset_code.issue")
    )
    assert entry.actor_id == world["secretary"].id
    assert entry.object_id == world["resident"].id and entry.community_id == world["a"].id
    assert code not in entry.detail
    told = db.session.scalar(
        select(Notification).where(Notification.user_id == world["resident"].id)
    )
    assert told.link == "/reset/code"


def test_members_page_offers_the_code_button_to_the_secretary(client, world, login):
    login(world["secretary"])
    page = client.get(f"/communities/{world['a'].id}/members").text
    assert f"/members/{world['membership'].id}/reset-code" in page


def test_secretary_of_another_community_is_refused_and_nothing_is_saved(client, db, world):
    response = issue(client, world, as_user=world["other_secretary"])
    assert response.status_code == 403
    # Naming her own community in the address does not help either.
    response = issue(client, world, as_user=world["other_secretary"], community=world["b"])
    assert response.status_code == 404
    assert count(db, ResetCode) == 0
    assert "password.reset_code.issue" not in actions(db)
    assert count(db, Notification) == 0


def test_a_resident_cannot_issue_codes_and_a_visitor_is_sent_to_log_in(client, db, world, make):
    neighbour = make.user("resident", world["a"])
    assert issue(client, world, as_user=neighbour).status_code == 403
    from tests.factories import logout

    logout(client)
    response = client.post(
        f"/communities/{world['a'].id}/members/{world['membership'].id}/reset-code"
    )
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert count(db, ResetCode) == 0


def test_a_secretary_cannot_reset_an_account_with_an_appointed_role(client, db, world, make):
    deputy = make.user("resident", world["a"])
    make.user  # noqa: B018 - (the role is added below)
    from app.accounts.models import Role, RoleAssignment

    db.session.add(RoleAssignment(user_id=deputy.id, role=Role.ADMIN))
    db.session.commit()
    membership = deputy.active_membership
    from tests.factories import login_as

    login_as(client, world["secretary"])
    response = client.post(f"/communities/{world['a'].id}/members/{membership.id}/reset-code")
    assert response.status_code == 403
    assert count(db, ResetCode) == 0


def test_an_admin_issues_a_code_for_anyone_by_phone_or_email(client, db, world, login):
    login(world["admin"])
    assert client.get("/admin/reset-code").status_code == 200
    response = client.post("/admin/reset-code", data={"user": world["secretary"].phone})
    assert response.status_code == 200
    issued_code(response)
    assert db.session.scalar(select(ResetCode.user_id)) == world["secretary"].id
    unknown = client.post("/admin/reset-code", data={"user": "13700000000"})
    assert unknown.status_code == 400
    assert zh("No account with that phone or e-mail.") in text(unknown)


def test_only_admins_see_the_admin_reset_page(client, world, login):
    login(world["secretary"])
    assert client.get("/admin/reset-code").status_code == 403
    assert client.post("/admin/reset-code", data={"user": "13912345678"}).status_code == 403


# --- using a code --------------------------------------------------------------------------


def test_the_resident_sets_a_new_password_with_phone_and_code_and_is_logged_in(
    client, db, world, make
):
    code = issued_code(issue(client, world))
    response = use_code(client, f"{code[:4]} {code[4:]}", phone="139 1234 5678")
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert client.get("/account").status_code == 200  # logged in as the resident
    user = db.session.get(User, world["resident"].id)
    assert user.check_password(NEW) and not user.check_password(make.PASSWORD)
    assert db.session.scalar(select(ResetCode.used_at)) is not None
    assert actions(db)[-2:] == ["password.reset_code.use", "user.login"]


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("zh_Hans_CN", "该验证码已被使用。每个验证码只能用一次，请向居委会领取新的验证码。"),
        (
            "en",
            "This code has already been used. Each code works once; ask your residents' committee for a new one.",
        ),
    ],
)
def test_a_used_code_is_refused_with_a_clear_message_and_changes_nothing(
    client, db, world, lang, message
):
    code = issued_code(issue(client, world))
    assert use_code(client, code).status_code == 303
    client.set_cookie("lang", lang)
    response = use_code(client, code, password="another-new-pass")
    assert response.status_code == 409
    assert message in text(response)
    user = db.session.get(User, world["resident"].id)
    assert user.check_password(NEW) and not user.check_password("another-new-pass")
    assert actions(db).count("password.reset_code.use") == 1


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("zh_Hans_CN", "该验证码已过期：验证码24小时内有效。请向居委会领取新的验证码。"),
        (
            "en",
            "This code has expired: codes work for 24 hours. Ask your residents' committee for a new one.",
        ),
    ],
)
def test_an_expired_code_is_refused_with_a_clear_message_and_changes_nothing(
    client, db, world, make, lang, message
):
    code = issued_code(issue(client, world))
    reset = db.session.scalar(select(ResetCode))
    reset.issued_at, reset.expires_at = (
        utcnow() - timedelta(hours=25),
        utcnow() - timedelta(hours=1),
    )
    db.session.commit()
    client.set_cookie("lang", lang)
    response = use_code(client, code)
    assert response.status_code == 409
    assert message in text(response)
    assert db.session.get(User, world["resident"].id).check_password(make.PASSWORD)
    assert db.session.scalar(select(ResetCode.used_at)) is None


def test_a_wrong_code_or_phone_gets_one_message_and_five_wrong_codes_void_the_code(
    client, db, world, make
):
    code = issued_code(issue(client, world))
    wrong = f"{(int(code) + 1) % 10**8:08d}"
    message = zh("The phone number or the code is wrong. Check both against your slip.")
    unknown = use_code(client, code, phone="13700000000")
    assert unknown.status_code == 400 and message in text(unknown)
    for _ in range(5):
        response = use_code(client, wrong)
        assert response.status_code == 400 and message in text(response)
    # The right code no longer works after five wrong ones for the account.
    response = use_code(client, code)
    assert response.status_code == 409
    assert zh(
        "This code no longer works: a newer code was issued, or a wrong code was typed too often. Ask your residents' committee for a new one."
    ) in text(response)
    assert db.session.get(User, world["resident"].id).check_password(make.PASSWORD)
    assert "password.reset_code.void" in actions(db)


def test_a_newer_code_replaces_the_older_one(client, db, world):
    first = issued_code(issue(client, world))
    second = issued_code(issue(client, world))
    assert use_code(client, first).status_code == 409
    assert use_code(client, second).status_code == 303


def test_a_weak_new_password_keeps_the_code_unused(client, db, world, make):
    code = issued_code(issue(client, world))
    response = use_code(client, code, password="13912345678")
    assert response.status_code == 400
    assert zh("The password must not be your phone number, e-mail address or name.") in (
        text(response)
    )
    # The e-mail address and the name are checked once the code proved whose account it is.
    response = use_code(client, code, password="wang@example.org")
    assert response.status_code == 400
    assert zh("The password must not be your phone number, e-mail address or name.") in (
        text(response)
    )
    assert db.session.scalar(select(ResetCode.used_at)) is None
    assert use_code(client, code).status_code == 303


# --- the e-mailed link ---------------------------------------------------------------------


#: A signed CSRF token (itsdangerous: payload.timestamp.signature).
CSRF_TOKEN = re.compile(r"[\w-]{20,}\.[\w-]{6}\.[\w-]{20,}")


def test_the_request_page_says_the_same_whether_or_not_the_address_is_known(client, db, world):
    known = client.post("/reset", data={"email": "wang@example.org"})
    unknown = client.post("/reset", data={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200

    # The CSRF token carries the second it was signed in: two requests may straddle one.
    def page(response, address):
        return CSRF_TOKEN.sub("TOKEN", response.get_data(as_text=True).replace(address, "X"))

    assert page(known, "wang@example.org") == page(unknown, "nobody@example.org")
    mails = list(db.session.scalars(select(OutboxMail)))
    assert [m.to_address for m in mails] == ["wang@example.org"]
    assert "/reset/link/" in mails[0].body and mails[0].locale == "zh_Hans_CN"
    assert mails[0].subject == "议事厅：设置新密码"


def link_of(db) -> str:
    body = db.session.scalar(select(OutboxMail.body).order_by(OutboxMail.id.desc()))
    return re.search(r"https?://\S+(/reset/link/\S+)", body).group(1)


def test_the_link_sets_a_new_password_once(client, db, world, make):
    client.post("/reset", data={"email": "WANG@example.org "})
    link = link_of(db)
    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": NEW, "confirm": NEW})
    assert response.status_code == 303
    assert db.session.get(User, world["resident"].id).check_password(NEW)
    assert "password.reset_link.use" in actions(db)
    from tests.factories import logout

    logout(client)
    client.set_cookie("lang", "en")
    again = client.post(link, data={"password": "third-password-x", "confirm": "third-password-x"})
    assert again.status_code == 400
    assert (
        "This link has already been used: each link works once. Ask for a new one below."
        in text(again)
    )
    assert db.session.get(User, world["resident"].id).check_password(NEW)


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("zh_Hans_CN", "该链接已过期：链接2小时内有效。请在下方重新申请。"),
        ("en", "This link has expired: links work for 2 hours. Ask for a new one below."),
    ],
)
def test_an_expired_or_altered_link_is_refused_and_changes_nothing(
    client, db, world, make, app, lang, message
):
    with app.test_request_context():
        old = link_token(world["resident"], issued_at=utcnow() - timedelta(hours=3))
    client.set_cookie("lang", lang)
    response = client.post(f"/reset/link/{old}", data={"password": NEW, "confirm": NEW})
    assert response.status_code == 400
    assert message in text(response)
    altered = client.get(f"/reset/link/{old[:-2]}xx")
    assert altered.status_code == 400
    assert db.session.get(User, world["resident"].id).check_password(make.PASSWORD)
    assert "password.reset_link.use" not in actions(db)


def test_the_request_page_is_rate_limited_per_address_and_per_client(client, db, world):
    codes = [
        client.post("/reset", data={"email": "wang@example.org"}).status_code for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    assert count(db, OutboxMail) == 3
    other = [
        client.post("/reset", data={"email": f"n{i}@example.org"}).status_code for i in range(3)
    ]
    assert other == [200, 429, 429]  # five requests from this client in 15 minutes


# --- changing one's password ---------------------------------------------------------------


def test_changing_the_password_needs_the_current_one(client, db, world, make, login):
    login(world["resident"])
    wrong = client.post(
        "/account/password",
        data={"pw-current": "not-my-password", "pw-password": NEW, "pw-confirm": NEW},
    )
    assert wrong.status_code == 400
    assert zh("The current password is wrong.") in text(wrong)
    ok = client.post(
        "/account/password",
        data={"pw-current": make.PASSWORD, "pw-password": NEW, "pw-confirm": NEW},
    )
    assert ok.status_code == 303
    assert db.session.get(User, world["resident"].id).check_password(NEW)
    assert "password.change" in actions(db)


# --- keyboards and password managers -------------------------------------------------------


def attrs_of(page: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert match, f"no input {name}"
    return match.group(0)


def test_inputs_ask_for_the_right_keyboard_and_autofill(client, world, login):
    login_page = client.get("/login").text
    assert 'autocomplete="username"' in attrs_of(login_page, "identifier")
    assert 'autocomplete="current-password"' in attrs_of(login_page, "password")
    register = client.get("/register").text
    phone = attrs_of(register, "phone")
    assert 'type="tel"' in phone and 'inputmode="tel"' in phone and 'autocomplete="tel"' in phone
    assert 'autocomplete="new-password"' in attrs_of(register, "password")
    assert 'autocomplete="new-password"' in attrs_of(register, "confirm")
    assert 'inputmode="email"' in attrs_of(register, "email")
    reset = client.get("/reset/code").text
    assert 'inputmode="tel"' in attrs_of(reset, "phone")
    code = attrs_of(reset, "code")
    assert 'inputmode="numeric"' in code and 'autocomplete="one-time-code"' in code
    assert 'autocomplete="new-password"' in attrs_of(reset, "password")
    login(world["resident"])
    profile = client.get("/account").text
    assert 'autocomplete="current-password"' in attrs_of(profile, "pw-current")
    assert 'autocomplete="new-password"' in attrs_of(profile, "pw-password")
    assert 'autocomplete="current-password"' in attrs_of(profile, "del-password")


# --- a new password ends the other sessions ------------------------------------------------


def log_in_through_the_form(client, password) -> None:
    response = client.post("/login", data={"identifier": "13912345678", "password": password})
    assert response.status_code == 303


def test_a_reset_ends_the_sessions_that_knew_the_old_password(app, client, db, world, make):
    thief = app.test_client()
    log_in_through_the_form(thief, make.PASSWORD)
    assert thief.get("/account").status_code == 200
    code = issued_code(issue(client, world))
    assert use_code(client, code).status_code == 303
    assert client.get("/account").status_code == 200  # the resident, on this phone
    assert thief.get("/account").status_code == 302  # sent to log in
    assert (
        thief.post(
            "/login", data={"identifier": "13912345678", "password": make.PASSWORD}
        ).status_code
        == 400
    )


def test_changing_the_password_keeps_this_session_and_ends_the_others(app, client, db, world, make):
    other = app.test_client()
    log_in_through_the_form(other, make.PASSWORD)
    log_in_through_the_form(client, make.PASSWORD)
    response = client.post(
        "/account/password",
        data={"pw-current": make.PASSWORD, "pw-password": NEW, "pw-confirm": NEW},
    )
    assert response.status_code == 303
    assert client.get("/account").status_code == 200
    assert other.get("/account").status_code == 302
