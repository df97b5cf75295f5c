"""Bad input stops at the door: out-of-range ids, control characters, undecodable queries."""

import pytest
from flask import Blueprint, request

from app import create_app
from app.extensions import db as _db
from tests.conftest import CSRFClient
from tests.factories import zh


@pytest.fixture(scope="module")
def echo_app(app):
    config = {k: v for k, v in app.config.items() if k.isupper()}
    echo = create_app(config)
    bp = Blueprint("guard_echo", __name__)

    @bp.route("/echo/<int:number>", methods=["GET", "POST"])
    def view(number):
        return {"number": number, "form": request.form.to_dict(), "args": request.args.to_dict()}

    echo.register_blueprint(bp)
    echo.test_client_class = CSRFClient
    yield echo
    with echo.app_context():
        _db.session.remove()
        _db.engine.dispose()


@pytest.mark.parametrize(
    "url",
    [
        "/pacts/2147483648",
        "/votes/99999999999999999999",
        "/hearings/sessions/99999999999999999999999",
    ],
)
def test_an_id_beyond_the_column_is_a_friendly_404(client, url):
    response = client.get(url, headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 404
    assert zh("Page not found") in response.get_data(as_text=True)


def test_the_largest_id_a_column_holds_still_reaches_the_view(echo_app, db):
    response = echo_app.test_client().get("/echo/2147483647")
    assert response.status_code == 200 and response.json["number"] == 2147483647
    assert echo_app.test_client().get("/echo/2147483648").status_code == 404


def test_control_characters_are_stripped_from_forms_and_queries(echo_app, db):
    client = echo_app.test_client()
    response = client.post(
        "/echo/1?q=a%00b",
        data={"text": "停车\x00位\x07 line\none\ttab\r\n", "n": "1\x1b2"},
    )
    assert response.status_code == 200
    assert response.json["form"]["text"] == "停车位 line\none\ttab\r\n"
    assert response.json["form"]["n"] == "12"
    assert response.json["args"] == {"q": "ab"}


def test_a_query_string_that_is_not_utf8_is_refused_with_a_page_that_renders(client):
    response = client.get(
        "/", environ_overrides={"QUERY_STRING": "\xff"}, headers={"Accept-Language": "zh-CN"}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert zh("The address of this page is not valid. Please check the link and try again.") in page


def test_a_login_redirect_keeps_an_odd_query_without_failing(client):
    response = client.get("/account", environ_overrides={"QUERY_STRING": "a=%FF"})
    assert response.status_code in (302, 303)
    assert "/login" in response.headers["Location"]
