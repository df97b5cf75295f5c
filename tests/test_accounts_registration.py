"""Registration and log-in, with the bad inputs a real user makes."""

import pytest
from sqlalchemy import func, select

from app.accounts.models import Consent, User
from app.core.audit import AuditEntry
from tests.factories import zh

GOOD = {
    "display_name": "王秀英",
    "phone": "13912345678",
    "email": "",
    "password": "spring-garden-7",
    "confirm": "spring-garden-7",
    "consent": "y",
}


def user_count(db):
    return db.session.scalar(select(func.count(User.id)))


def test_registration_records_consent_and_audit_and_logs_in(client, db, app):
    response = client.post("/register", data=GOOD)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/join")
    user = db.session.scalar(select(User).where(User.phone == "13912345678"))
    assert user.display_name == "王秀英"
    assert user.password_hash and "spring-garden-7" not in user.password_hash
    consent = db.session.scalar(select(Consent).where(Consent.user_id == user.id))
    assert consent.notice_version == app.config["PRIVACY_NOTICE_VERSION"]
    assert (
        db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.register")).actor_id
        == user.id
    )
    page = client.get("/account").get_data(as_text=True)
    assert "13912345678" in page


def test_phone_is_normalised_and_login_works_with_either_form(client, db, make):
    client.post("/register", data={**GOOD, "phone": "+86 139-1234-5678"})
    assert db.session.scalar(select(User.phone)) == "13912345678"
    client.post("/logout")
    response = client.post(
        "/login", data={"identifier": "139 1234 5678", "password": "spring-garden-7"}
    )
    assert response.status_code == 303


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"consent": ""}, ("You must agree to the privacy notice to register.", {})),
        (
            {"password": "short1", "confirm": "short1"},
            ("The password must be at least %(min)d characters long.", {"min": 8}),
        ),
        (
            {"password": "1qaz2wsx", "confirm": "1qaz2wsx"},
            (
                "This password is one of the most common ones, which are guessed first. "
                "Choose another: a few words only you would put together.",
                {},
            ),
        ),
        (
            {"password": "13912345678", "confirm": "13912345678"},
            ("The password must not be your phone number, e-mail address or name.", {}),
        ),
        ({"confirm": "something-else-9"}, ("The two passwords differ.", {})),
        ({"phone": "12345"}, ("Please enter an 11-digit mainland mobile number.", {})),
        ({"phone": "", "email": ""}, ("Give a mobile number or an e-mail address.", {})),
        ({"email": "not-an-email", "phone": ""}, ("Please enter a valid e-mail address.", {})),
        ({"display_name": "名" * 51}, ("At most %(max)d characters.", {"max": 50})),
        ({"display_name": ""}, ("Please enter your name.", {})),
    ],
)
def test_bad_registration_is_refused_with_a_chinese_message_and_keeps_input(
    client, db, changes, message
):
    data = {**GOOD, **changes}
    response = client.post("/register", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert zh(message[0], **message[1]) in page
    assert user_count(db) == 0
    if data["display_name"] and len(data["display_name"]) <= 50:
        assert f'value="{data["display_name"]}"' in page
    assert "spring-garden-7" not in page  # passwords are never echoed back


def test_an_already_registered_phone_or_email_is_refused(client, db, make):
    make.user(phone="13912345678", email="anna@example.org")
    response = client.post("/register", data=GOOD)
    assert response.status_code == 400
    assert zh("This phone number is already registered. Log in instead.") in response.get_data(
        as_text=True
    )
    response = client.post("/register", data={**GOOD, "phone": "", "email": "Anna@Example.org"})
    assert response.status_code == 400
    assert zh("This e-mail address is already registered. Log in instead.") in response.get_data(
        as_text=True
    )
    assert user_count(db) == 1


def test_wrong_password_gives_one_message_for_unknown_and_wrong(client, make):
    user = make.user(phone="13912345678")
    for identifier in ("13912345678", "13900000000"):
        response = client.post(
            "/login", data={"identifier": identifier, "password": "wrong-password-1"}
        )
        assert response.status_code == 400
        assert zh("The phone/e-mail or the password is wrong.") in response.get_data(as_text=True)
    assert user.last_login_at is None


def test_deleted_account_cannot_log_in(client, db, make):
    from app.accounts.operations import delete_account

    user = make.user(phone="13912345678")
    delete_account(user)
    db.session.commit()
    response = client.post("/login", data={"identifier": "13912345678", "password": make.PASSWORD})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "/\\evil.example",
        "https://evil.example",
        "https:evil.example",
        "/\t/evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
    ],
)
def test_login_never_redirects_off_site(client, make, target):
    make.user(phone="13912345678")
    response = client.post(
        "/login", data={"identifier": "13912345678", "password": make.PASSWORD, "next": target}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_login_follows_a_local_next(client, make):
    make.user(phone="13912345678")
    response = client.post(
        "/login",
        data={
            "identifier": "13912345678",
            "password": make.PASSWORD,
            "next": "/notifications?page=2",
        },
    )
    assert response.headers["Location"] == "/notifications?page=2"


def test_protected_page_sends_anonymous_visitor_to_login_and_back(client):
    response = client.get("/account")
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]


def test_login_attempts_are_rate_limited_per_address(client, make):
    make.user(phone="13912345678")
    # Each try names another account, so only the per-address limit (10 a minute) counts.
    codes = [
        client.post(
            "/login", data={"identifier": f"139000000{i:02d}", "password": "bad-password-1"}
        ).status_code
        for i in range(11)
    ]
    assert codes[:10] == [400] * 10
    assert codes[10] == 429
    page = client.post("/login", data={"identifier": "13912345678", "password": make.PASSWORD})
    assert page.status_code == 429
    assert zh("Too many attempts") in page.get_data(as_text=True)


def test_successful_log_ins_from_one_address_are_not_limited(client, make):
    make.user(phone="13912345678")
    for _ in range(12):
        response = client.post(
            "/login", data={"identifier": "13912345678", "password": make.PASSWORD}
        )
        assert response.status_code == 303
        client.post("/logout")


def test_form_without_csrf_token_is_refused_and_saves_nothing(client, db):
    response = client.post("/register", data=GOOD, csrf=False)
    assert response.status_code == 400
    assert zh(
        "Your form had expired or did not come from this site. Please reload the page and try again; nothing was saved."
    ) in response.get_data(as_text=True)
    assert user_count(db) == 0


def test_forged_csrf_token_is_refused(client, db):
    response = client.post("/register", data={**GOOD, "csrf_token": "forged"}, csrf=False)
    assert response.status_code == 400
    assert user_count(db) == 0


def test_logout_needs_post_with_token(client, make, login):
    user = make.user()
    login(user)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout", csrf=False).status_code == 400
    assert client.post("/logout").status_code == 303
    assert client.get("/account").status_code == 302
