"""Friendly, translated error pages that never show a stack trace."""

import logging

from flask import Flask, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_htmx import make_response as htmx_response
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.extensions import db, htmx

log = logging.getLogger(__name__)

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
    405: (_l("Not allowed"), _l("This page cannot be used that way.")),
    413: (_l("Too large"), _l("What you sent is too large. Please shorten it and try again.")),
    429: (
        _l("Too many attempts"),
        _l("You have tried too often in a short time. Please wait a minute and try again."),
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


def register_error_handlers(app: Flask) -> None:
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
            return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
        code = error.code or 500
        return render_error(code if code in MESSAGES else 400)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        if app.config.get("PROPAGATE_TEST_ERRORS"):
            raise error
        return render_error(500)
