"""Password rules after NIST SP 800-63B: length over composition, common passwords refused."""

import pytest
from flask_babel import force_locale
from werkzeug.security import generate_password_hash

from app.accounts.models import User
from app.accounts.passwords import MAX_LENGTH, common_passwords, normalise, password_problem
from app.demo import DEMO_PASSWORD

COMMON = {
    "en": (
        "This password is one of the most common ones, which are guessed first. "
        "Choose another: a few words only you would put together."
    ),
    "zh_Hans_CN": "这是最常见的密码之一，最先被人猜中。请换一个：用几个只有您自己会组合在一起的词。",
}
PERSONAL = {
    "en": "The password must not be your phone number, e-mail address or name.",
    "zh_Hans_CN": "密码不能是您的手机号、电子邮箱或姓名。",
}
SHORT = {"en": "The password must be at least 8 characters long.", "zh_Hans_CN": "密码至少要8位。"}


def problem(password: str, locale: str = "en", **context) -> str | None:
    with force_locale(locale):
        return password_problem(password, **context)


@pytest.mark.parametrize(
    "password",
    [
        DEMO_PASSWORD,  # the demo's accounts keep working
        "correct-horse-42",
        "onlyletterspassword",  # no composition rules
        "73019284",  # digits only, not a common one
        "梅园的桂花开了吧",  # eight Chinese characters
        "x" * 7 + "y",
    ],
)
def test_long_enough_uncommon_passwords_are_accepted_whatever_they_are_made_of(password):
    assert problem(password) is None


def test_the_longest_allowed_is_at_least_64_characters():
    assert MAX_LENGTH >= 64
    assert problem("horse-" * 21 + "ab") is None  # 128 characters
    assert problem("horse-" * 21 + "abc") == "The password can be at most 128 characters long."


@pytest.mark.parametrize("locale", ["en", "zh_Hans_CN"])
def test_seven_characters_are_too_short_in_both_languages(locale):
    assert problem("kbdmxpq", locale) == SHORT[locale]
    assert problem("kbdmxpqz", locale) is None


def test_length_counts_characters_after_nfkc_normalisation():
    # "ﬃ" (one ligature) becomes "ffi": seven typed characters, nine after normalising.
    assert normalise("ﬃ") == "ffi"
    assert problem("ﬃ-gold8") is None
    # Full-width digits are the same password as ASCII digits, so a common one stays common.
    assert problem("１２３４５６７８") == COMMON["en"]


@pytest.mark.parametrize(
    "password", ["password", "PASSWORD", "Password1", "1qaz2wsx", "woaini1314", "qwertyuiop"]
)
@pytest.mark.parametrize("locale", ["en", "zh_Hans_CN"])
def test_common_passwords_from_the_bundled_list_are_refused(password, locale):
    assert problem(password, locale) == COMMON[locale]


def test_the_bundled_list_holds_the_20000_common_passwords_lowercased():
    passwords = common_passwords()
    assert len(passwords) > 19_000
    assert "123456" in passwords and "5201314" in passwords
    assert all(p == p.lower() for p in passwords)
    assert DEMO_PASSWORD not in passwords


def test_one_character_repeated_and_the_site_name_are_refused():
    assert problem("aaaaaaaa") == COMMON["en"]
    assert problem("yishiting123") == COMMON["en"]


@pytest.mark.parametrize("locale", ["en", "zh_Hans_CN"])
@pytest.mark.parametrize(
    "password",
    ["13912345678", "+8613912345678", "wang.xiuying@example.org", "wang.xiuying", "Wang Xiuying"],
)
def test_the_accounts_own_phone_email_or_name_is_refused(password, locale):
    context = {"phone": "13912345678", "email": "wang.xiuying@example.org", "name": "wang xiuying"}
    assert problem(password, locale, **context) == PERSONAL[locale]


def test_passwords_are_hashed_normalised_and_old_hashes_still_check(db):
    user = User(display_name="王秀英")
    user.set_password("ｇｏｌｄｅｎ-ｃａｔ-９")  # typed on a full-width keyboard
    assert user.check_password("golden-cat-9")
    assert user.check_password("ｇｏｌｄｅｎ-ｃａｔ-９")
    assert not user.check_password("golden-cat-8")
    # A hash made before normalisation, of a password that NFKC changes, still matches.
    user.password_hash = generate_password_hash("ﬁsh-market-7", method="pbkdf2:sha256:1000")
    assert user.check_password("ﬁsh-market-7")


def test_create_admin_on_the_command_line_follows_the_same_rules(app, db):
    from sqlalchemy import select

    runner = app.test_cli_runner()
    args = ["create-admin", "--name", "街道管理员", "--email", "admin@example.org"]
    refused = runner.invoke(args=[*args, "--password", "password1"])
    assert refused.exit_code == 2
    assert COMMON["zh_Hans_CN"] in refused.output  # the default language
    assert db.session.scalar(select(User.id)) is None
    created = runner.invoke(args=[*args, "--password", "long-river-stone"])
    assert created.exit_code == 0, created.output
    assert db.session.scalar(select(User.email)) == "admin@example.org"
