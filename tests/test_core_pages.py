"""Base pages: languages, large text, security headers, friendly error pages."""

from flask import abort

from app import create_app
from app.config import TestConfig
from tests.factories import zh


def test_chinese_is_the_default_and_really_renders(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="zh-Hans"' in page
    assert zh("Log in") in page
    assert zh("Skip to main content") in page


def test_switching_to_english_sticks_in_a_cookie(client):
    response = client.post("/language", data={"lang": "en", "next": "/communities"})
    assert response.status_code == 303 and response.headers["Location"] == "/communities"
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en"' in page and "Log in" in page
    client.post("/language", data={"lang": "zh_Hans_CN"})
    assert '<html lang="zh-Hans"' in client.get("/").get_data(as_text=True)


def test_language_choice_is_saved_on_the_account(client, make, login):
    user = make.user()
    login(user)
    client.post("/language", data={"lang": "en"})
    assert user.locale == "en"
    client.delete_cookie("lang")
    assert '<html lang="en"' in client.get("/").get_data(as_text=True)


def test_unknown_language_is_refused_politely(client):
    response = client.post("/language", data={"lang": "xx"})
    assert response.status_code == 303
    assert zh("That language is not available.") in client.get("/").get_data(as_text=True)


def test_large_text_mode_sticks_for_visitors_and_accounts(client, make, login):
    client.post("/text-size", data={"size": "large"})
    assert 'class="large-text"' in client.get("/").get_data(as_text=True)
    user = make.user()
    login(user)
    client.post("/text-size", data={"size": "large"})
    assert user.large_text is True
    client.delete_cookie("text_size")
    assert 'class="large-text"' in client.get("/").get_data(as_text=True)
    client.post("/text-size", data={"size": "normal"})
    assert 'class="large-text"' not in client.get("/").get_data(as_text=True)


def test_security_headers_and_csp(client, make, login):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "HX-Request" in response.headers["Vary"]
    page = response.get_data(as_text=True)
    assert "style=" not in page and "<script>" not in page and " onclick" not in page
    login(make.user())
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_session_cookie_is_lax_and_http_only(client, make):
    make.user(phone="13912345678")
    response = client.post("/login", data={"identifier": "13912345678", "password": make.PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_404_is_friendly_and_translated(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert zh("Page not found") in response.get_data(as_text=True)


def test_oversized_request_gets_413(client):
    response = client.post("/register", data={"display_name": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert zh("Too large") in response.get_data(as_text=True)


def fresh_app():
    """A separate app (its own in-memory database) that test-only routes can be added to."""
    config = type("Config", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return create_app(config)


def test_unexpected_error_shows_no_stack_trace():
    app = fresh_app()

    @app.route("/_boom_for_test")
    def _boom():
        raise RuntimeError("secret internals")

    with app.app_context():
        response = app.test_client().get("/_boom_for_test")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "secret internals" not in page and "Traceback" not in page
    assert zh("Something went wrong") in page


def test_htmx_errors_are_retargeted_to_the_message_area():
    app = fresh_app()

    @app.route("/_forbidden_for_test")
    def _forbidden():
        abort(403)

    with app.app_context():
        response = app.test_client().get("/_forbidden_for_test", headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert response.headers["HX-Retarget"] == "#messages"
    assert "<html" not in response.get_data(as_text=True)


def test_static_assets_are_served_locally(client):
    with client.get("/static/vendor/htmx-2.0.11.min.js") as response:
        assert response.status_code == 200
    page = client.get("/").get_data(as_text=True)
    assert "https://" not in page.split("<body")[0]


def test_health_check(client):
    assert client.get("/healthz").json == {"status": "ok", "database": "ok"}


def test_home_page_fits_the_role(client, make, login, db):
    from app.accounts.models import Membership

    community = make.community(name="梅园居民区")
    household = make.household(community_=community)
    db.session.add(Membership(user_id=make.user().id, household_id=household.id))
    newcomer = make.user()
    login(newcomer)
    assert "/join" in client.get("/").get_data(as_text=True)
    login(make.user("secretary", community))
    page = client.get("/").get_data(as_text=True)
    assert f"/communities/{community.id}/members/requests" in page
    assert "/admin/org" not in page
    login(make.user("admin"))
    page = client.get("/").get_data(as_text=True)
    assert "/admin/org" in page and "/admin/roles" in page


def test_times_are_shown_in_shanghai_without_seconds(app):
    from datetime import datetime

    from flask_babel import force_locale

    with app.test_request_context(), force_locale("zh_Hans_CN"):
        shown = app.jinja_env.filters["datetime"](datetime(2026, 11, 26, 22, 30, 15))
    assert shown == "2026年11月27日 06:30"
