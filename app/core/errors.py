"""Refusals and error pages: one `DomainError` family, one handler, never a stack trace.

Operations and model methods raise a `DomainError` (a lazily translated message, an HTTP status
and a machine code) when a rule or a permission says no. The request lifecycle
(`core/lifecycle.py`) rolls the transaction back and `_refused` below renders it, the same way
in every domain:

- a view that showed a form registers how to re-render it with `on_refusal(render, form)`
  before it calls the operation; the form comes back with the user's input and the message;
- an htmx request gets that same partial (or the message alone) with `HX-Retarget`;
- any other action gets the one error page, with the message.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_htmx import make_response as htmx_response
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException

from app.core.db import is_transient
from app.extensions import db, htmx

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A rule or a permission refused an action; nothing it did is kept.

    `message` is shown to the user in their language (pass a `lazy_gettext` string, with its
    variables as keyword arguments of `lazy_gettext`); `status` is the HTTP status of the answer;
    `code` is a stable machine-readable name for tests, logs and API clients.
    """

    status: int = 400
    code: str = "refused"
    default_message: Any = _l("This action is not possible.")

    def __init__(self, message: Any = None, *, status: int | None = None, code: str | None = None):
        self.message = message if message is not None else self.default_message
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code
        super().__init__(str(self.message))

    def __str__(self) -> str:
        return str(self.message)


class InvalidInput(DomainError):
    """What the user entered breaks a rule (a form can show it beside the fields)."""

    status = 400
    code = "invalid"


class NotAllowed(DomainError):
    """The user may not do this here (per community, station or body)."""

    status = 403
    code = "not_allowed"
    default_message = _l("Your account does not have permission to do this in this community.")


class NotFound(DomainError):
    """The object does not exist, or is not visible to this user."""

    status = 404
    code = "not_found"
    default_message = _l("The page you asked for does not exist, or has been removed.")


class Conflict(DomainError):
    """The object's state does not allow this now (an illegal transition, a duplicate)."""

    status = 409
    code = "conflict"


class TryAgain(DomainError):
    """The database was briefly unreachable or busy; the user's input was kept (core/retry.py)."""

    status = 503
    code = "try_again"
    default_message = _l(
        "The service was interrupted for a moment and nothing was saved. Please try again."
    )


#: A value the database refused (too long, out of range) that no validator caught.
VALUE_REFUSED = _l(
    "A value you entered is too long or out of range. Please check it and try again."
)


@dataclass
class _Refusal:
    render: Callable[[], Any]
    form: Any = None
    field: str | None = None


class PageErrors:
    """Where `on_refusal` puts a refusal's message on a page that has no WTForms form."""

    def __init__(self) -> None:
        self.form_errors: list[str] = []

    def __contains__(self, name: str) -> bool:
        return False

    @property
    def first(self) -> str | None:
        return self.form_errors[0] if self.form_errors else None

    @property
    def message(self) -> str | None:
        return " ".join(self.form_errors) or None


def on_refusal(render: Callable[[], Any], form: Any = None, field: str | None = None) -> None:
    """If the operation this view calls next is refused, answer with `render()`.

    `render` re-renders the page or partial that holds `form`; the refusal's message is added to
    `form`'s errors (to `field`'s when given, else the form-level errors) before it runs, so the
    user sees their own input again with the reason beside it.
    """
    g._yishiting_refusal = _Refusal(render, form, field)


def _add_form_error(form: Any, field: str | None, message: str) -> None:
    if field is not None and field in form:
        form[field].errors = [*form[field].errors, message]
    else:
        form.form_errors = [*form.form_errors, message]


MESSAGES = {
    400: (
        _l("Something in the request was not right"),
        _l("Please go back, check what you entered and try again."),
    ),
    401: (_l("Please log in"), _l("You need to log in to do that.")),
    403: (
        _l("Not allowed"),
        _l("Your account does not have permission to do this in this community."),
    ),
    404: (_l("Page not found"), _l("The page you asked for does not exist, or has been removed.")),
    # A 405 is nearly always a form's address opened as a page (a bookmark, a reload, a link
    # pasted from the address bar): nothing to do with permissions.
    405: (
        _l("This address is not a page"),
        _l(
            "This address belongs to a button or form on another page and cannot be opened on its "
            "own. Please go back and use the button there, or start again from the home page."
        ),
    ),
    409: (
        _l("Not possible now"),
        _l("This cannot be done in the state it is in now. Please reload the page to see why."),
    ),
    413: (_l("Too large"), _l("What you sent is too large. Please shorten it and try again.")),
    429: (
        _l("Too many attempts"),
        _l("You have tried too often in a short time. Please wait a minute and try again."),
    ),
    503: (
        _l("Please try again"),
        _l("The service was interrupted for a moment and nothing was saved. Please try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l(
            "An error occurred on our side. Nothing you entered has been lost; please try again later."
        ),
    ),
}


def render_error(code: int, detail: str | None = None):
    title, message = MESSAGES.get(code, MESSAGES[500])
    if htmx:
        # htmx does not swap error responses by default: retarget to the message area.
        body = render_template(
            "errors/_message.html", code=code, title=title, message=detail or message
        )
        return htmx_response(body, code, retarget="#messages", reswap="innerHTML")
    return (
        render_template("errors/error.html", code=code, title=title, message=detail or message),
        code,
    )


def _refused(error: DomainError):
    """Render a refused action; the lifecycle has already rolled its transaction back."""
    db.session.rollback()
    message = str(error.message)
    log.info("refused %s %s: %s (%s)", request.method, request.path, error.code, message)
    refusal: _Refusal | None = g.pop("_yishiting_refusal", None)
    if refusal is not None:
        if refusal.form is not None:
            _add_form_error(refusal.form, refusal.field, message)
        body = refusal.render()
        if htmx:
            # The same partial the page includes, swapped where the request aimed it;
            # static/js/app.js lets htmx swap a 4xx that carries X-Refusal.
            target = request.headers.get("HX-Target")
            response = htmx_response(body, error.status, retarget=f"#{target}" if target else None)
            response.headers["X-Refusal"] = error.code
            return response
        return body, error.status
    return render_error(error.status if error.status in MESSAGES else 400, message)


#: The refusal path, for callers outside an error handler (core/retry.py's "try again").
refusal_response = _refused


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(DomainError, _refused)

    @app.errorhandler(CSRFError)
    def _csrf(error):
        return render_error(
            400,
            str(
                _l(
                    "Your form had expired or did not come from this site. Please reload the page and try again; nothing was saved."
                )
            ),
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if error.code == 401 and request.method == "GET" and not htmx:
            query = request.query_string.decode("utf-8", "replace")
            target = f"{request.path}?{query}" if query else request.path
            return redirect(url_for("accounts.login", next=target))
        code = error.code or 500
        return render_error(code if code in MESSAGES else 400)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if is_transient(error):
            raise error  # core/retry.py retries the request once, or answers "try again"
        db.session.rollback()
        if isinstance(error, DataError):
            # The last line of defence: a field without its validator (core/fields.py).
            log.warning(
                "database refused a value on %s %s: %s", request.method, request.path, error
            )
            return _refused(InvalidInput(VALUE_REFUSED))
        log.exception("unhandled error on %s %s", request.method, request.path)
        if app.config.get("PROPAGATE_TEST_ERRORS"):
            raise error
        return render_error(500)
