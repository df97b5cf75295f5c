"""Configuration from the environment."""

import subprocess
import sys

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from app.config import database_url, rate_limit_storage


def test_database_url_uses_psycopg_3_for_postgresql():
    assert database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url(None).startswith("sqlite:///") and database_url(None).endswith(
        "yishiting.db"
    )


def test_rate_limits_are_shared_through_redis_when_configured():
    assert rate_limit_storage(None) == "memory://"
    uri = rate_limit_storage("redis://127.0.0.1:6379/15")
    # Two workers each with their own connection see one shared counter.
    first, second = storage_from_string(uri), storage_from_string(uri)
    first.reset()
    limit = parse("3 per minute")
    a, b = MovingWindowRateLimiter(first), MovingWindowRateLimiter(second)
    assert [
        a.hit(limit, "login", "1.2.3.4"),
        b.hit(limit, "login", "1.2.3.4"),
        a.hit(limit, "login", "1.2.3.4"),
        b.hit(limit, "login", "1.2.3.4"),
    ] == [True, True, True, False]
    first.reset()


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    code = "from app import create_app; create_app()"
    env = {
        "YISHITING_ENV": "production",
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd="."
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_importing_the_configuration_writes_nothing(tmp_path):
    # Any attempt to create a folder or write a file while importing fails the import.
    code = (
        "import pathlib\n"
        "def refuse(*args, **kwargs):\n"
        "    raise SystemExit('import wrote to disk')\n"
        "pathlib.Path.write_text = refuse\n"
        "pathlib.Path.mkdir = refuse\n"
        "import app.config, app\n"
        "assert app.config.Config.SECRET_KEY is None\n"
    )
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd="."
    )
    assert result.returncode == 0, result.stderr


def test_development_gets_a_stable_private_key_in_the_instance_folder(tmp_path):
    from flask import Flask

    from app.config import ensure_secret_key

    first, second = Flask("a", instance_path=str(tmp_path)), Flask("b", instance_path=str(tmp_path))
    for app in (first, second):
        app.config["ENV_NAME"] = "development"
        app.config["SECRET_KEY"] = None
        ensure_secret_key(app)
    key_file = tmp_path / "secret_key"
    assert first.secret_key == second.secret_key == key_file.read_text().strip()
    assert len(first.secret_key) == 64
    assert key_file.stat().st_mode & 0o777 == 0o600
    # A key from the environment wins, and nothing is read.
    third = Flask("c", instance_path=str(tmp_path / "none"))
    third.config["SECRET_KEY"] = "from-the-environment"
    ensure_secret_key(third)
    assert third.secret_key == "from-the-environment" and not (tmp_path / "none").exists()
