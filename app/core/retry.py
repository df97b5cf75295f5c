"""Database hiccups are not errors: a request that lost its connection or a race runs once more.

A transaction that fails because the database connection was lost (SQLSTATE class 08, 57P01 …)
or because it lost a race (40001, 40P01) kept nothing: the request lifecycle rolled it back. So
the whole request (its hooks, the view and the one commit in `core/lifecycle.py`) is run again,
once, on a fresh connection. When that fails as well, or the request is not safe to repeat
(`not_repeatable()` was called, e.g. before sending mail from a request), the user gets the
"please try again" answer through the one refusal path (`core/errors.py`): a form registered
with `on_refusal` comes back with the user's input and the message, status 503, never a 500.

Connections the server closed while they rested in the pool are left out when taken, without a
round trip (`server_hung_up` in core/db.py).
"""

import logging
import time
from collections.abc import Callable

from flask import Flask, Response, g, session
from werkzeug.wrappers import Response as BaseResponse

from app.core.db import is_disconnect, is_transient
from app.core.errors import TryAgain, refusal_response
from app.extensions import db

log = logging.getLogger(__name__)

#: Seconds to wait after a lost connection before the retry takes a fresh one.
DISCONNECT_PAUSE = 0.2

_PLAIN_503 = (
    "<!doctype html><meta charset=utf-8><title>请稍后再试 / Please try again</title>"
    "<p>服务暂时中断，未保存任何内容，请重试。</p>"
    "<p>The service was interrupted for a moment and nothing was saved. Please try again.</p>"
)


def not_repeatable() -> None:
    """Mark the current request as one that must not run twice (it did something outside)."""
    g._not_repeatable = True


def _recover(error: BaseException) -> None:
    log.warning("database hiccup (%s): %s", type(error).__name__, str(error).splitlines()[0])
    try:
        db.session.rollback()
    except Exception:  # the connection is gone: closing the session below discards it
        log.debug("rollback after a lost connection failed", exc_info=True)
    try:
        # Release the broken connection (an invalidated one is discarded, not pooled); the
        # retry then loads what it needs afresh, the current user included.
        db.session.close()
    except Exception:
        log.debug("closing the session after a lost connection failed", exc_info=True)
    if is_disconnect(error):
        # The server is ending our connections (a restart, pg_terminate_backend): give it a moment
        # to finish, then drop the pool's idle ones too rather than meet each of them in turn.
        time.sleep(DISCONNECT_PAUSE)
        db.engine.dispose()


def _reset_request_state(flashes) -> None:
    # The retry is a new run of the request: nothing the first run kept on `g` (the loaded
    # user, cached roles, a registered refusal, deferred audit entries) survives it.
    g.__dict__.clear()
    if flashes is None:
        session.pop("_flashes", None)
    else:
        session["_flashes"] = list(flashes)


def _try_again(app: Flask) -> Response:
    """The 503 answer, through the refusal path (the form re-rendered) when that can render."""
    try:
        rv = refusal_response(TryAgain())
        response = app.make_response(rv)
    except Exception:  # the database is still away and the page needs it
        log.warning("try-again page could not render; plain answer", exc_info=True)
        _recover_quietly()
        g.pop("_yishiting_refusal", None)
        response = app.make_response((_PLAIN_503, 503))
    response.headers["Retry-After"] = "2"
    return app.finalize_request(response, from_error_handler=True)


def _recover_quietly() -> None:
    try:
        db.session.rollback()
    except Exception:
        log.debug("rollback failed", exc_info=True)


def register_retry(app: Flask) -> None:
    """Wrap the request dispatch so a transient database failure runs the request once more."""
    dispatch: Callable[[], BaseResponse] = app.full_dispatch_request

    def full_dispatch_request() -> BaseResponse:
        flashes = list(session.get("_flashes", [])) if "_flashes" in session else None
        try:
            return dispatch()
        except Exception as error:
            if not is_transient(error):
                raise
            _recover(error)
        if g.pop("_not_repeatable", False):
            return _try_again(app)
        _reset_request_state(flashes)
        try:
            return dispatch()
        except Exception as error:
            if not is_transient(error):
                raise
            log.warning("the retry failed as well: %s", str(error).splitlines()[0])
            _recover(error)
        return _try_again(app)

    # Overriding the bound method on this app object, as `wsgi_app` is for middleware.
    app.full_dispatch_request = full_dispatch_request  # type: ignore[method-assign,assignment]
