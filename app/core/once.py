"""One-time submission tokens: a repeated POST returns the first result instead of a duplicate.

A double-click, a phone that resends after a time-out, or a retry after a lost response posts
the same form twice. Every form that creates something carries a token made when the form was
rendered; the first POST with it runs the operation and stores where its result is (a URL);
every later POST with the same token, by the same user, for the same kind, gets that URL back
and creates nothing. A unique constraint on the token's key means two racing POSTs cannot both
create: the second waits for the first's transaction and then finds its result.

How to use it (three steps):

1. The form carries the token. A WTForms form inherits `OnceForm` (or mixes in `OnceMixin`
   before `FlaskForm`) and renders ``{{ form.once }}``; a hand-written form renders
   ``{{ once_field() }}`` (a Jinja global: a hidden input named ``once`` with a fresh token;
   ``once_field(keep=True)`` in a later step of the same form, e.g. a review page, keeps the
   token that was posted so every step and repeat shares it).
2. The view wraps the creating operation::

       url = once.submit("pacts.comment", current_user, form.once.data,
                         lambda: comment_url(ops.post_comment(...)))
       return redirect(url, 303)

   ``submit`` returns the URL that ``action`` returned, or on a repeat the stored one without
   calling ``action``. Put the checks that the first submission makes fail on a repeat (e.g.
   "already registered") inside ``action``, or ask ``once.replay(kind, user, token)`` first. A refusal raised by ``action`` keeps nothing (the token stays unused).
   Without a token (or a malformed one: e.g. a client that never rendered the form) ``action``
   simply runs, as before tokens existed.
3. Pass ``secret=True`` when the result must not be tied to the user by anyone else (a ballot's
   receipt in a secret vote): see below.

Secret results (ballots). The row holds no user id and no readable result: its key is
SHA-256 of (kind, user id, token) and the result is XORed with a SHAKE-256 stream derived from
the same three plus a different label. The token is 144 random bits that exist only in the
voter's form (the server keeps no copy), so only the holder of the token can find the row or
read the receipt in it; an operator reading the table sees hashes and noise, never which voter
holds which receipt. Each token is used once (the key is unique), so the stream is never
reused. Tokens of non-secret kinds store the user id (their rows go with the account) and the
URL in clear: a comment's address is public anyway.
"""

import hashlib
import re
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import cast

from flask import Flask, g, has_request_context, request
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from sqlalchemy import ForeignKey, String, Table, Text, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column
from wtforms import HiddenField

from app.core.time import utcnow
from app.extensions import Model, db

#: The form field (and POST parameter) that carries the token.
FIELD = "once"
#: Set in `g` to the slot's text while a page is rendered for the cache (`new_token`).
SLOT_FLAG = "once_slot"
#: What a token looks like: what `new_token` makes, within bounds for a hand-made client.
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")


class OnceSubmission(Model):
    """A used submission token and where its result is."""

    __tablename__ = "once_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 (hex) of kind, user id and token: the unique key two racing POSTs contend for.
    key: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    #: Whose token it was; None for secret kinds, whose rows must not name the user.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    #: The result's site-relative URL, or for a secret kind that URL sealed with the token (hex).
    result: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


_TABLE = cast(Table, OnceSubmission.__table__)


def new_token() -> str:
    """A fresh token (24 random bytes, URL-safe base64: 32 characters); while a page is rendered
    to be cached for many readers, the slot that each reader's fresh token replaces
    (core/fragments.py: one cached copy must never hand two readers, or two loads, one token)."""
    slot = g.get(SLOT_FLAG) if has_request_context() else None
    return slot or secrets.token_urlsafe(24)


def valid(token: str | None) -> bool:
    """Whether ``token`` looks like a token (anything else is ignored, never stored)."""
    return token is not None and TOKEN_RE.fullmatch(token) is not None


def posted_token() -> str | None:
    """The well-formed token posted with this request, if any."""
    posted = request.form.get(FIELD) if request else None
    return posted if valid(posted) else None


def once_field(keep: bool = False) -> Markup:
    """The hidden input for a hand-written form (Jinja global ``once_field``): a fresh token,
    or with ``keep=True`` the one posted with this request (a step of the same form: a review
    page, a re-render after an error), so its repeats share it. Never ``keep`` in a page that
    shows other forms than the one posted (each form needs a token of its own)."""
    value = (posted_token() if keep else None) or new_token()
    return Markup('<input type="hidden" name="%s" value="%s">') % (FIELD, escape(value))


class OnceMixin:
    """Adds the hidden ``once`` field, filled with a fresh token when the form is rendered."""

    once = HiddenField(default=new_token)


class OnceForm(OnceMixin, FlaskForm):
    """A FlaskForm with the submission token."""


def _digest(label: str, kind: str, user_id: int, token: str, size: int = 32) -> bytes:
    material = "\0".join((label, kind, str(user_id), token)).encode()
    return hashlib.shake_256(material).digest(size)


def _key(kind: str, user_id: int, token: str) -> str:
    return hashlib.sha256("\0".join(("key", kind, str(user_id), token)).encode()).hexdigest()


def _seal(text: str, kind: str, user_id: int, token: str) -> str:
    data = text.encode()
    stream = _digest("seal", kind, user_id, token, len(data))
    return bytes(a ^ b for a, b in zip(data, stream, strict=True)).hex()


def _unseal(sealed: str, kind: str, user_id: int, token: str) -> str:
    data = bytes.fromhex(sealed)
    stream = _digest("seal", kind, user_id, token, len(data))
    return bytes(a ^ b for a, b in zip(data, stream, strict=True)).decode()


def _stored(kind: str, user_id: int, token: str, secret: bool) -> str | None:
    row = db.session.scalar(
        select(OnceSubmission)
        .where(OnceSubmission.key == _key(kind, user_id, token))
        .execution_options(populate_existing=True)
    )
    if row is None or not row.result:
        return None
    return _unseal(row.result, kind, user_id, token) if secret else row.result


def replay(kind: str, user, token: str | None, *, secret: bool = False) -> str | None:
    """The stored URL when this token was already used (so a view can answer a repeat before
    checks that the first submission itself made fail, e.g. "already registered"), else None."""
    if token is None or not valid(token):
        return None
    return _stored(kind, user.id, token, secret)


def submit(
    kind: str, user, token: str | None, action: Callable[[], str], *, secret: bool = False
) -> str:
    """Run ``action`` once per (kind, user, token) and return its URL; a repeat gets the stored URL.

    ``kind`` names the form ("votes.ballot", "pacts.comment", ...), at most 40 characters.
    The claim, the action and the stored result are one savepoint of the request's transaction:
    a refusal raised by ``action`` undoes the claim too, and a second POST racing the first
    blocks on the unique key until the first commits, then answers with its result. A first
    POST costs the savepoint, the claim's INSERT and the result's UPDATE around the action.
    """
    if token is None or not valid(token):
        return action()
    key = _key(kind, user.id, token)
    with db.session.begin_nested():
        # The claim: a new row, or none when the key is taken (by a repeat, or by a racing POST
        # whose transaction this one waited for). No look-up first: a first POST is the rule.
        claim = db.session.execute(
            _insert_new()
            .values(key=key, kind=kind, user_id=None if secret else user.id, created_at=utcnow())
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(_TABLE.c.id)
        ).scalar()
        if claim is not None:
            url = action()
            db.session.execute(
                update(_TABLE)
                .where(_TABLE.c.id == claim)
                .values(result=_seal(url, kind, user.id, token) if secret else url)
            )
            return url
    found = _stored(kind, user.id, token, secret)
    if found is None:  # pragma: no cover - a committed claim always has its result
        raise RuntimeError(f"submission token of {kind} used without a result")
    return found


def _insert_new():
    """INSERT ... ON CONFLICT for this database (SQLite and PostgreSQL both have it)."""
    if db.engine.dialect.name == "postgresql":
        return postgresql.insert(_TABLE)
    return sqlite.insert(_TABLE)


def forget_user(user) -> None:
    """`account_deleted` hook: the person's (non-secret) tokens go with the account."""
    db.session.execute(delete(OnceSubmission).where(OnceSubmission.user_id == user.id))


#: How long a used token answers a repeat: far beyond any resend or retry, and no longer, so the
#: table does not grow for ever (a ballot's receipt page stays reachable by its hash anyway).
KEEP_FOR = timedelta(days=30)


def prune(now: datetime) -> str | None:
    """`tick` job: forget the tokens used more than `KEEP_FOR` ago."""
    result = db.session.execute(
        delete(OnceSubmission).where(OnceSubmission.created_at < now - KEEP_FOR)
    )
    gone = int(getattr(result, "rowcount", 0))
    return f"{gone} used submission tokens forgotten" if gone else None


def init_app(app: Flask) -> None:
    """Make ``once_field()`` available to every template."""
    app.jinja_env.globals["once_field"] = once_field
