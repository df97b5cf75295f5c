"""Throttling that holds (issue 14, item 4): failed log-ins per account from any address, the
owner told once, several workers refused without Redis, HSTS and Secure cookies in production."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import create_app
from app.accounts.throttle import LOCKED, normalised_identifier
from app.core.notifications import Notification
from app.extensions import db as _db
from tests.conftest import CSRFClient
from tests.factories import zh

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def proxied(app):
    """The app as deployed behind one proxy (PROXY_FIX_HOPS=1), reachable without it too."""
    config = {k: v for k, v in app.config.items() if k.isupper()}
    proxied = create_app({**config, "PROXY_FIX_HOPS": 1})
    proxied.test_client_class = CSRFClient
    yield proxied
    with proxied.app_context():
        _db.session.remove()
        _db.engine.dispose()


def test_identifiers_are_normalised_as_log_in_reads_them():
    assert normalised_identifier(" +86 139-1234-5678 ") == "13912345678"
    assert normalised_identifier("Li@Example.ORG ") == "li@example.org"


def test_failed_log_ins_are_limited_per_account_across_rotating_addresses(proxied, db, make):
    owner = make.user(phone="13912345678")
    other = make.user(phone="13987654321")
    client = proxied.test_client()
    codes = []
    for i in range(8):
        response = client.post(
            "/login",
            # The same account, typed differently, from a new forged address each time.
            data={"identifier": ["13912345678", "+86 139 1234 5678"][i % 2], "password": "wrong-1"},
            headers={"X-Forwarded-For": f"198.51.100.{i + 1}", "Accept-Language": "zh-CN"},
        )
        codes.append(response.status_code)
    assert codes[:5] == [400] * 5
    assert codes[5:] == [429] * 3
    assert zh("Too many attempts") in response.get_data(as_text=True)
    # Locked: even the right password waits.
    right = client.post(
        "/login",
        data={"identifier": "13912345678", "password": make.PASSWORD},
        headers={"X-Forwarded-For": "198.51.100.99"},
    )
    assert right.status_code == 429
    # The owner is told once, however many attempts were refused.
    told = db.session.scalars(select(Notification).where(Notification.user_id == owner.id)).all()
    assert [n.message for n in told] == [LOCKED]
    # Another account from those same addresses is not affected.
    response = client.post(
        "/login",
        data={"identifier": "13987654321", "password": make.PASSWORD},
        headers={"X-Forwarded-For": "198.51.100.1"},
    )
    assert response.status_code == 303
    assert (
        db.session.scalar(
            select(func.count(Notification.id)).where(Notification.user_id == other.id)
        )
        == 0
    )


def _production_env(tmp_path, **extra) -> dict:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "YISHITING_ENV": "production",
        "SECRET_KEY": "x" * 40,
        "DATABASE_URL": f"sqlite:///{tmp_path}/prod.db",
    }
    env.update(extra)
    return env


def test_a_production_start_with_several_workers_and_no_redis_is_refused(tmp_path):
    code = "from app import create_app; create_app()"
    refused = subprocess.run(
        [sys.executable, "-c", code],
        env=_production_env(tmp_path, WEB_CONCURRENCY="4"),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert refused.returncode != 0
    assert "4 workers without REDIS_URL" in refused.stderr
    for fine in ({"WEB_CONCURRENCY": "1"}, {"WEB_CONCURRENCY": "4", "REDIS_URL": "redis://x"}):
        started = subprocess.run(
            [sys.executable, "-c", code],
            env=_production_env(tmp_path, **fine),
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        assert started.returncode == 0, started.stderr


def test_gunicorn_refuses_several_workers_without_redis_before_forking(tmp_path):
    gunicorn = Path(sys.executable).with_name("gunicorn")
    run = subprocess.run(
        [str(gunicorn), "-c", "gunicorn.conf.py", "wsgi:app"],
        env=_production_env(tmp_path, BIND="127.0.0.1:0"),  # gunicorn.conf.py: 3 workers
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert run.returncode != 0
    assert "3 workers without REDIS_URL" in run.stdout + run.stderr


def test_production_sends_hsts_and_only_secure_cookies(app, db):
    config = {k: v for k, v in app.config.items() if k.isupper()}
    production = create_app(
        {
            **config,
            "ENV_NAME": "production",
            "SESSION_COOKIE_SECURE": True,
            "REMEMBER_COOKIE_SECURE": True,
            "WTF_CSRF_ENABLED": False,
        }
    )
    try:
        client = production.test_client()
        response = client.get("/")
        assert (
            response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        )
        for url, data in (("/language", {"lang": "en"}), ("/text-size", {"size": "large"})):
            response = client.post(url, data=data)
            cookies = response.headers.getlist("Set-Cookie")
            assert cookies and all("Secure" in c for c in cookies), cookies
    finally:
        with production.app_context():
            _db.session.remove()
            _db.engine.dispose()
    assert "Strict-Transport-Security" not in app.test_client().get("/").headers


def test_production_configuration_marks_session_and_remember_cookies_secure(tmp_path):
    code = (
        "from app.config import Config as C; "
        "print(C.SESSION_COOKIE_SECURE, C.REMEMBER_COOKIE_SECURE)"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    assert run.stdout.split() == ["True", "True"]
