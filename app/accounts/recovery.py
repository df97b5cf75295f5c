"""Getting back into an account: a code given in person, or a link sent by e-mail.

1. **Code** (for residents without e-mail): a secretary of the resident's community, or an
   admin for anyone, issues a one-time code of 8 digits, shown once to print or read out. Only
   its hash is kept; it works once, for RESET_CODE_HOURS, stops working when a newer one is
   issued, and after MAX_CODE_FAILURES wrong codes typed for the account. The resident enters
   phone, code and a new password on a public page. The resident is told in-app that a code
   was issued.
2. **Link** (for an account with an e-mail address): a signed link (itsdangerous) that expires
   after RESET_LINK_MAX_AGE seconds and carries a fingerprint of the current password hash, so
   it stops working once the password changed (single use) without storing anything. It is
   queued in the e-mail outbox in the request's transaction and sent by the next `flask tick`.
   The request page answers the same whether or not the address has an account.

Every issue, use and change is audited.
"""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from flask import current_app, url_for
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select, update
from werkzeug.security import generate_password_hash

from app.accounts.models import ResetCode, User
from app.accounts.passwords import password_problem
from app.accounts.permissions import can_issue_reset_code
from app.accounts.queries import user_by_email, user_by_phone
from app.core import audit
from app.core.errors import InvalidInput, NotAllowed
from app.core.lifecycle import after_refusal
from app.core.notifications import N_, notify
from app.core.outbox import queue_mail, site_url
from app.core.time import utcnow
from app.extensions import db

RESET_CODE_HOURS = 24
CODE_DIGITS = 8
#: Wrong codes typed for one account before its newest code stops working.
MAX_CODE_FAILURES = 5
#: Codes older than this are not looked at any more (an old code is simply "wrong").
CODE_MEMORY = timedelta(days=30)
SALT = "yishiting-password-reset"

WRONG_CODE = _l("The phone number or the code is wrong. Check both against your slip.")
CODE_ISSUED = N_(
    "A code to choose a new password was issued for your account by your residents' committee. "
    "If you did not ask for one, tell them."
)
PASSWORD_CHANGED = N_(
    "The password of your account was changed. If that was not you, ask your residents' "
    "committee for a reset code at once."
)


def _code_hash(code: str) -> str:
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    return generate_password_hash(code, method=method)


def digits(code: str | None) -> str:
    """The code as typed, without spaces or dashes (the slip prints it as 1234 5678)."""
    return "".join(ch for ch in (code or "") if ch.isdigit())


def issue_reset_code(member: User, *, actor: User) -> tuple[ResetCode, str]:
    """Give `member` a new one-time code (older unused ones stop working); returns it in clear."""
    if not can_issue_reset_code(actor, member):
        raise NotAllowed()
    now = utcnow()
    db.session.execute(
        update(ResetCode)
        .where(
            ResetCode.user_id == member.id,
            ResetCode.used_at.is_(None),
            ResetCode.voided_at.is_(None),
        )
        .values(voided_at=now)
        .execution_options(synchronize_session=False)
    )
    code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
    reset = ResetCode(
        user_id=member.id,
        code_hash=_code_hash(code),
        issued_by_id=actor.id,
        issued_at=now,
        expires_at=now + timedelta(hours=RESET_CODE_HOURS),
    )
    db.session.add(reset)
    db.session.flush()
    membership = member.active_membership
    audit.record(
        "password.reset_code.issue",
        member,
        community=membership.community if membership else None,
        actor=actor,
        detail=f"reset code for {member.display_name}, valid {RESET_CODE_HOURS} h",
    )
    notify(member, CODE_ISSUED, link=url_for("accounts.reset_with_code_page"))
    return reset, code


def _recent_codes(user: User) -> list[ResetCode]:
    return list(
        db.session.scalars(
            select(ResetCode)
            .where(ResetCode.user_id == user.id, ResetCode.issued_at >= utcnow() - CODE_MEMORY)
            .order_by(ResetCode.id.desc())
            .limit(MAX_CODE_FAILURES)
        )
    )


def _count_failure(user_id: int) -> None:
    """A wrong code for this account: its newest usable code counts it, and stops at the limit."""
    now = utcnow()
    newest = db.session.scalar(
        select(ResetCode)
        .where(
            ResetCode.user_id == user_id,
            ResetCode.used_at.is_(None),
            ResetCode.voided_at.is_(None),
            ResetCode.expires_at > now,
        )
        .order_by(ResetCode.id.desc())
        .limit(1)
    )
    if newest is None:
        return
    newest.failures += 1
    if newest.failures >= MAX_CODE_FAILURES:
        newest.voided_at = now
        audit.record(
            "password.reset_code.void",
            newest.user,
            detail=f"{MAX_CODE_FAILURES} wrong codes typed",
        )


def reset_with_code(phone: str | None, code: str, new_password: str) -> User:
    """Set a new password with a phone number and an unused, unexpired code of that account."""
    user = user_by_phone(phone) if phone else None
    typed = digits(code)
    if user is None or not user.is_active or len(typed) != CODE_DIGITS:
        raise InvalidInput(WRONG_CODE)
    match = next((c for c in _recent_codes(user) if c.matches(typed)), None)
    if match is None:
        user_id = user.id
        after_refusal(lambda: _count_failure(user_id))
        raise InvalidInput(WRONG_CODE)
    problem = password_problem(new_password, email=user.email, name=user.display_name)
    if problem:
        raise InvalidInput(problem)
    match.use(utcnow())
    _set_password(user, new_password, "password.reset_code.use", "with a reset code")
    return user


def _set_password(user: User, password: str, action: str, detail: str) -> None:
    user.set_password(password)
    db.session.flush()
    audit.record(action, user, actor=user, detail=detail)


def change_password(user: User, current: str, new_password: str) -> User:
    """The user chooses a new password, giving the current one."""
    if not user.check_password(current):
        raise InvalidInput(_l("The current password is wrong."))
    _set_password(user, new_password, "password.change", "on the account page")
    notify(user, PASSWORD_CHANGED, link=url_for("accounts.profile"))
    return user


# --- the e-mailed link -------------------------------------------------------------------


class _SignerAt(TimestampSigner):
    """A signer whose clock reads `at` (how tests make a link that has expired)."""

    def __init__(self, *args, at: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.at = at

    def get_timestamp(self) -> int:
        return self.at


def _serializer(issued_at: datetime | None = None) -> URLSafeTimedSerializer:
    keys = [*current_app.config.get("SECRET_KEY_FALLBACKS", []), current_app.secret_key]
    if issued_at is None:
        return URLSafeTimedSerializer(keys, salt=SALT)
    at = int(issued_at.replace(tzinfo=UTC).timestamp())
    return URLSafeTimedSerializer(keys, salt=SALT, signer=_SignerAt, signer_kwargs={"at": at})


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:24]


def link_token(user: User, *, issued_at: datetime | None = None) -> str:
    """A signed token for `user`'s reset link, valid until the password changes or it expires."""
    return str(_serializer(issued_at).dumps([user.id, _fingerprint(user)]))


def user_of_link(token: str) -> User:
    """The account a reset link is for; refused if it expired, was used or was altered."""
    max_age = current_app.config.get("RESET_LINK_MAX_AGE", 2 * 3600)
    try:
        user_id, fingerprint = _serializer().loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise InvalidInput(
            _l("This link has expired: links work for 2 hours. Ask for a new one below.")
        ) from exc
    except (BadSignature, ValueError, TypeError) as exc:
        raise InvalidInput(_l("This link is not valid. Ask for a new one below.")) from exc
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.is_active or fingerprint != _fingerprint(user):
        raise InvalidInput(
            _l("This link has already been used: each link works once. Ask for a new one below.")
        )
    return user


def reset_with_link(token: str, new_password: str) -> User:
    """Set a new password through an e-mailed link (which then stops working)."""
    user = user_of_link(token)
    _set_password(user, new_password, "password.reset_link.use", "with an e-mailed link")
    return user


def request_reset_link(email: str) -> None:
    """E-mail a reset link to the account with this address, if there is one (say nothing)."""
    user = user_by_email((email or "").strip().lower())
    if user is None or not user.is_active or not user.email:
        return
    now = utcnow()
    link = site_url(url_for("accounts.reset_with_link_page", token=link_token(user)))
    locale = user.locale or current_app.config.get("BABEL_DEFAULT_LOCALE", "en")
    with force_locale(locale):
        subject = gettext("Yishiting: choose a new password")
        body = "\n\n".join(
            [
                gettext("Someone (we hope you) asked to choose a new password for your account."),
                gettext("Open this link within 2 hours to choose it (it works once):"),
                link,
                gettext("If you did not ask for this, ignore this e-mail: your password stays."),
            ]
        )
    queue_mail(user, f"reset:{user.id}:{now.isoformat()}", now, subject, body, locale)
    # No actor: whoever asked is not known (anyone may type an address).
    audit.record("password.reset_link.send", user, detail="reset link e-mailed")
