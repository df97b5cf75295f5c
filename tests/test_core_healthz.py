"""/healthz for load balancers: the database and Redis answer, or 503; no cookie, no limit."""

import pytest

from app import create_app
from app.extensions import db as _db


def _app_like(app, **overrides):
    config = {k: v for k, v in app.config.items() if k.isupper()}
    return create_app({**config, **overrides})


@pytest.fixture
def make_app(app):
    made = []

    def _make(**overrides):
        made.append(_app_like(app, **overrides))
        return made[-1]

    yield _make
    for other in made:
        with other.app_context():
            _db.session.remove()
            _db.engine.dispose()


def test_healthz_answers_with_a_small_json_and_sets_no_cookie(client):
    for _ in range(60):  # more than any rate limit allows
        response = client.get("/healthz")
        assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_is_503_when_the_database_is_down(make_app, tmp_path):
    down = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/dir/x.db")
    response = down.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "down", "database": "down"}


def test_healthz_checks_redis_when_configured(make_app):
    up = make_app(REDIS_URL="redis://127.0.0.1:6379/15")
    response = up.test_client().get("/healthz")
    if response.json.get("redis") == "down":
        pytest.skip("no Redis on 127.0.0.1:6379")
    assert response.status_code == 200 and response.json["redis"] == "ok"
    down = make_app(REDIS_URL="redis://127.0.0.1:1/0")
    response = down.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "down", "database": "ok", "redis": "down"}
