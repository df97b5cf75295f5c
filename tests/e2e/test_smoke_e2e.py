from tests.e2e.conftest import axe_violations


def test_home_page_loads_with_htmx_and_no_console_errors(page, make, commit):
    make.community(name="梅园居民区")
    commit()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto("/")
    assert page.locator("h1").first.is_visible()
    assert page.evaluate("typeof htmx") == "object"
    assert errors == []


def test_axe_home(axe_page):
    axe_page.goto("/")
    assert axe_violations(axe_page) == []
