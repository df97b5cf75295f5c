"""The foundation in a real browser: log in, switch language, large text, read a notification."""

import re

import pytest
from playwright.sync_api import expect

from app.core.notifications import N_, notify
from tests.e2e.conftest import axe_violations, login_in_browser
from tests.factories import PASSWORD


def test_resident_logs_in_switches_language_and_text_size_and_reads_a_notification(
    page, make, commit
):
    community = make.community(name="梅园居民区")
    resident = make.user("resident", community, name="王秀英", phone="13912345678")
    notify(
        resident,
        N_("You are now a member of household %(household)s."),
        link="/account",
        household="3号楼 301",
    )
    commit()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    login_in_browser(page, "13912345678", PASSWORD)
    expect(page.locator("h1")).to_contain_text("王秀英")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator("#unread-count")).to_have_text("1")
    assert page.evaluate("typeof htmx") == "object"

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="My account")).to_be_visible()
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("button", name="Large text").click()
    expect(page.locator("html")).to_have_class("large-text")
    size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert size >= 19
    page.goto("/communities")
    expect(page.locator("html")).to_have_class("large-text")

    page.get_by_role("link", name="Notifications").click()
    item = page.get_by_role("button", name="You are now a member of household 3号楼 301.")
    expect(item).to_be_visible()
    item.click()
    expect(page).to_have_url(re.compile(r"/account$"))
    expect(page.locator("#unread-count")).to_have_count(0)
    assert errors == []


def test_a_wrong_password_shows_a_message_and_keeps_the_phone(page, make, commit):
    make.user(phone="13912345678")
    commit()
    page.goto("/login")
    page.locator("#identifier").fill("13912345678")
    page.locator("#password").fill("not-the-password-1")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".errors")).to_be_visible()
    expect(page.locator("#identifier")).to_have_value("13912345678")
    expect(page.locator("#password")).to_have_value("")


def test_registration_then_joining_with_a_household_code(page, db, make, commit):
    from app.accounts.models import Invitation

    household = make.household()
    db.session.add(Invitation(code="K7MQ-P2XD", household_id=household.id))
    commit()
    page.goto("/register")
    page.locator("#display_name").fill("李建国")
    page.locator("#phone").fill("13987654321")
    page.locator("#password").fill("spring-garden-7")
    page.locator("#confirm").fill("spring-garden-7")
    page.locator("#consent").check()
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/join$"))
    page.locator("#code-code").fill("k7mq-p2xd")
    page.locator("#code-code").press("Enter")
    expect(page.locator(".flash-success")).to_contain_text(household.label)


@pytest.mark.parametrize("path", ["/", "/login", "/register"])
def test_no_serious_accessibility_violations(axe_page, make, commit, path):
    make.community(name="梅园居民区")
    commit()
    axe_page.goto(path)
    assert axe_violations(axe_page) == []
    axe_page.goto(path)
    axe_page.locator("form[action='/text-size'] button").click()
    assert axe_violations(axe_page) == []


def test_the_accessibility_check_does_find_violations(axe_page, live_server):
    # Guards the check above against passing vacuously.
    axe_page.goto("/about")
    axe_page.set_content('<html><body><button></button><input type="text"></body></html>')
    found = {v["id"] for v in axe_violations(axe_page)}
    assert {"button-name", "label"} <= found
