"""gunicorn settings: `gunicorn -c gunicorn.conf.py wsgi:app` (see README, "Deploying")."""

import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
preload_app = True
accesslog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def on_starting(server):
    # Several workers need shared rate-limit counters (REDIS_URL): refuse before forking any.
    from flask import Flask

    from app.config import Config, ensure_shared_limits

    probe = Flask("yishiting-config-check")
    probe.config.from_object(Config)
    try:
        ensure_shared_limits(probe, server.cfg.workers)
    except RuntimeError as refused:
        raise SystemExit(f"Yishiting refuses to start: {refused}") from None


def post_fork(server, worker):
    # With preload_app the engine was created in the master: give each worker its own pool.
    from app.extensions import db
    from wsgi import app

    with app.app_context():
        db.engine.dispose(close=False)
