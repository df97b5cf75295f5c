"""Configuration, read from the environment.

Importing this module only reads environment variables. The development secret key kept in the
instance folder is read, or made, by `ensure_secret_key`, which `create_app` calls.
"""

import os
import secrets
from pathlib import Path

from flask import Flask

BASE_DIR = Path(__file__).resolve().parent.parent


def database_url(raw: str | None) -> str:
    """Normalise DATABASE_URL so that PostgreSQL always uses psycopg 3."""
    if not raw:
        return f"sqlite:///{BASE_DIR / 'instance' / 'yishiting.db'}"
    if raw.startswith("postgres://"):
        raw = "postgresql://" + raw[len("postgres://") :]
    if raw.startswith("postgresql://"):
        raw = "postgresql+psycopg://" + raw[len("postgresql://") :]
    return raw


def ensure_secret_key(app: Flask) -> None:
    """Give `app` its secret key: SECRET_KEY from the environment, else a development key.

    Production must set SECRET_KEY (the app refuses to start without it). Development and
    tests get a stable key kept in the instance folder, made on first use.
    """
    if app.config.get("SECRET_KEY"):
        return
    if app.config.get("ENV_NAME") == "production":
        raise RuntimeError("SECRET_KEY must be set in production (YISHITING_ENV=production)")
    path = Path(app.instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    app.config["SECRET_KEY"] = path.read_text().strip()


def ensure_shared_limits(app: Flask, workers: int | None = None) -> None:
    """Refuse a production start with several workers but no Redis for the rate limits.

    Without Redis each worker counts log-in attempts on its own, so N workers allow N times the
    limit (PITFALLS.md). `workers` defaults to WEB_CONCURRENCY when it is set; gunicorn.conf.py
    checks its own worker count the same way before it starts any.
    """
    if app.config.get("ENV_NAME") != "production" or app.config.get("REDIS_URL"):
        return
    if workers is None:
        workers = int(os.environ.get("WEB_CONCURRENCY") or 1)
    if workers > 1:
        raise RuntimeError(
            f"{workers} workers without REDIS_URL: each worker would count log-in attempts on "
            "its own. Set REDIS_URL (shared rate limits) or run one worker (WEB_CONCURRENCY=1)."
        )


def rate_limit_storage(redis_url: str | None) -> str:
    """Rate-limit counters live in Redis when several workers or hosts serve the app."""
    return redis_url or "memory://"


class Config:
    """Settings for development and production; `YISHITING_ENV` picks which."""

    ENV_NAME = os.environ.get("YISHITING_ENV", "development")
    #: Empty outside production means "use the development key" (see `ensure_secret_key`).
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    SECRET_KEY_FALLBACKS = [k for k in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if k]
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL"))
    #: No `pool_pre_ping`: a pooled connection the server closed is left out at checkout without a
    #: round trip (core/db.py, `server_hung_up`); one lost in use is retried (core/retry.py).
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    REDIS_URL = os.environ.get("REDIS_URL")
    # E-mail delivery of notifications by `flask tick` (core/outbox.py); no host, no e-mail.
    SMTP_HOST = os.environ.get("SMTP_HOST") or None
    SMTP_PORT = int(os.environ.get("SMTP_PORT") or 25)
    SMTP_USER = os.environ.get("SMTP_USER") or ""
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD") or ""
    SMTP_FROM = os.environ.get("SMTP_FROM") or "yishiting@localhost"
    SMTP_STARTTLS = os.environ.get("SMTP_STARTTLS", "")
    #: The site's address, for links in e-mails.
    SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:5000")
    RATELIMIT_STORAGE_URI = rate_limit_storage(REDIS_URL)
    #: Rendered fragments expire after a day unused; a write makes them unreachable at once
    #: (their keys carry the pact's revision, app/pacts/freshness.py).
    CACHE_DEFAULT_TIMEOUT = 24 * 3600
    #: Off: every page is rendered from the database (for comparing, or a suspected cache bug).
    FRAGMENT_CACHE = os.environ.get("FRAGMENT_CACHE", "1") != "0"
    # One process keeps its own SimpleCache (the embedded default); several workers or hosts
    # share Redis, so what one writes the others never serve stale.
    CACHE_TYPE = "RedisCache" if REDIS_URL else "SimpleCache"
    CACHE_REDIS_URL = REDIS_URL
    CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "yishiting:")
    CACHE_THRESHOLD = 5000
    #: Bytes of cache entries each process keeps a copy of (app/core/fragments.py); 0: none.
    FRAGMENT_LOCAL_BYTES = int(os.environ.get("FRAGMENT_LOCAL_MB") or 32) * 1024 * 1024
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_STRATEGY = "moving-window"

    BABEL_DEFAULT_LOCALE = "zh_Hans_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    # Each domain keeps its own catalogue; Flask-Babel merges them.
    BABEL_TRANSLATION_DIRECTORIES = (
        "translations;pacts/translations;hearings/translations;votes/translations;"
        "suggestions/translations;projects/translations;reports/translations"
    )
    LANGUAGES = ("zh_Hans_CN", "en")

    WTF_CSRF_TIME_LIMIT = None
    MAX_CONTENT_LENGTH = 1024 * 1024
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SECURE = ENV_NAME == "production"
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = ENV_NAME == "production"
    REMEMBER_COOKIE_DURATION = 14 * 24 * 3600
    PREFERRED_URL_SCHEME = "https" if ENV_NAME == "production" else "http"

    #: How many reverse proxies stand in front of the app (0 when serving directly).
    PROXY_FIX_HOPS = int(os.environ.get("PROXY_FIX_HOPS", "0"))
    #: Version of the privacy notice residents consent to; bump when its text changes.
    PRIVACY_NOTICE_VERSION = "2026-11"
    #: Failed log-in attempts allowed per client address.
    LOGIN_RATE_LIMIT = "10 per minute;60 per hour"
    #: Failed log-in attempts allowed per account (phone or e-mail), from any address.
    LOGIN_ACCOUNT_LIMIT = "5 per 15 minutes;20 per day"
    #: Requests for a reset link per client address, and per e-mail address typed (any result).
    RESET_REQUEST_LIMIT = "5 per 15 minutes;20 per day"
    RESET_EMAIL_LIMIT = "3 per hour;6 per day"
    #: Wrong reset codes allowed per client address (each account's code also stops after 5).
    RESET_CODE_LIMIT = "10 per 15 minutes;30 per day"
    #: How long an e-mailed reset link works, in seconds.
    RESET_LINK_MAX_AGE = 2 * 3600
    #: HSTS in production (sent only there): a year, subdomains included.
    HSTS = "max-age=31536000; includeSubDomains"


class TestConfig(Config):
    """Settings for the test suite: a throwaway database, fast hashing."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key"  # noqa: S105 - not a real secret
    SQLALCHEMY_DATABASE_URI = database_url(
        os.environ.get("TEST_DATABASE_URL")
        or os.environ.get("DATABASE_URL")
        or "sqlite:///:memory:"
    )
    RATELIMIT_STORAGE_URI = "memory://"
    CACHE_TYPE = "SimpleCache"
    #: No e-mail from the suite unless a test starts its own SMTP server.
    SMTP_HOST = None
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    SERVER_NAME = None
    #: Cheap password hashing keeps the suite fast; production uses scrypt's defaults.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105 - a hash method name, not a password
