"""Failed log-ins are limited per account as well as per address, and the owner is told.

The per-address limit (`LOGIN_RATE_LIMIT`) alone lets someone who rotates addresses (or sends
a forged `X-Forwarded-For` where the proxy can be bypassed) guess on; the per-account limit
(`LOGIN_ACCOUNT_LIMIT`) counts failed attempts for the phone number or e-mail address typed in,
normalised as log-in looks it up, from any address. Both count only failures, in the
limiter's storage (Redis when several workers run; see `app/config.py`).

When an account's limit is reached its owner gets an in-app notification (and, by their
settings, an e-mail), once per lock-out, written even though the attempt itself is refused.
"""

from datetime import timedelta

from flask import current_app, request, url_for
from sqlalchemy import select

from app.accounts.forms import normalise_phone
from app.accounts.models import User
from app.accounts.queries import user_by_identifier
from app.core.lifecycle import after_refusal
from app.core.notifications import N_, Notification, notify
from app.core.time import utcnow
from app.extensions import db

LOCKED = N_(
    "Log-in to your account was paused after several wrong passwords. If that was not you, "
    "choose a new password once you can log in again."
)
#: One notification per lock-out, however many refused attempts follow it.
NOTICE_INTERVAL = timedelta(minutes=15)


def normalised_identifier(raw: str | None) -> str:
    """The phone number or e-mail address as log-in looks it up."""
    identifier = (raw or "").strip()
    if "@" in identifier:
        return identifier.lower()
    return normalise_phone(identifier) or ""


def account_key() -> str:
    """The rate-limit key of the account a log-in attempt names (Flask-Limiter key function)."""
    return "account:" + normalised_identifier(request.form.get("identifier"))


def account_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_LIMIT"]


def failed(response) -> bool:
    """Only failed log-ins count (a success redirects with 303)."""
    return response.status_code != 303


def tell_owner_of_lockout(_limit) -> None:
    """The account's limit was hit: notify its owner once (Flask-Limiter's `on_breach`)."""
    user = user_by_identifier(request.form.get("identifier") or "")
    if user is None or not user.is_active:
        return
    user_id = user.id
    after_refusal(lambda: _notify_once(user_id))


def _notify_once(user_id: int) -> None:
    recent = db.session.scalar(
        select(Notification.id).where(
            Notification.user_id == user_id,
            Notification.message == LOCKED,
            Notification.created_at >= utcnow() - NOTICE_INTERVAL,
        )
    )
    user = db.session.get(User, user_id)
    if recent is None and user is not None:
        notify(user, LOCKED, link=url_for("accounts.login"))
