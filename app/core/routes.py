"""Shared pages: home, notifications, privacy notice, about, health."""

import logging

import redis
from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.core import bp
from app.core.home import context_for, sections_for
from app.core.notifications import Notification, mark_read
from app.core.web import safe_next
from app.extensions import db, htmx, limiter

log = logging.getLogger(__name__)


@bp.route("/")
def home():
    """Home page: what needs this user's attention, or an introduction for visitors."""
    # The user itself rather than the proxy: the sections ask dozens of questions of it.
    user = current_user._get_current_object()
    sections = sections_for(user) if user.is_authenticated else []
    return render_template("core/home.html", sections=sections, **context_for(user))


@bp.route("/notifications")
@login_required
def notifications():
    """The current user's notifications, newest first."""
    page = db.paginate(
        select(Notification)
        .where(Notification.user_id == current_user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc()),
        per_page=30,
    )
    return render_template("core/notifications.html", page=page)


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def read_notification(notification_id: int):
    """Mark one notification as read and follow its link."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != current_user.id:
        abort(404)
    mark_read(current_user, notification_id)
    if htmx:
        return render_template("core/_notification.html", n=notification)
    return redirect(safe_next(notification.link, url_for("core.notifications")), 303)


@bp.post("/notifications/read-all")
@login_required
def read_all_notifications():
    """Mark every notification as read."""
    count = mark_read(current_user)
    flash(_("%(num)d notifications marked as read.", num=count), "success")
    return redirect(url_for("core.notifications"), 303)


@bp.route("/privacy")
def privacy():
    """The privacy notice residents consent to."""
    return render_template(
        "core/privacy.html", version=current_app.config["PRIVACY_NOTICE_VERSION"]
    )


@bp.route("/about")
def about():
    """What Yishiting is."""
    return render_template("core/about.html")


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page says."""
    return redirect(url_for("static", filename="favicon.svg"), 301)


@bp.route("/healthz")
@limiter.exempt
def healthz():
    """Readiness for load balancers: the database and (when configured) Redis answer.

    No log-in, no session cookie, no rate limit; 503 with what is down when either is not.
    """
    checks = {"database": _database_answers()}
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url:
        checks["redis"] = _redis_answers(redis_url)
    healthy = all(checks.values())
    body = {
        "status": "ok" if healthy else "down",
        **{k: "ok" if v else "down" for k, v in checks.items()},
    }
    return body, 200 if healthy else 503, {"Cache-Control": "no-store"}


def _database_answers() -> bool:
    try:
        db.session.execute(select(1))
        return True
    except Exception:  # any failure means "not ready"; the reason goes to the log
        log.warning("healthz: database does not answer", exc_info=True)
        db.session.rollback()
        return False


def _redis_answers(url: str) -> bool:
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        return bool(client.ping())
    except Exception:  # any failure means "not ready"
        log.warning("healthz: redis does not answer", exc_info=True)
        return False
