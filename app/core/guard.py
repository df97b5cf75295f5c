"""Bad input stops at the door: ids beyond their column, control characters, undecodable queries.

One rule in one place, for every route and form (issue 14):
- a route's `<int:...>` id beyond a PostgreSQL `integer` column is no page (404), never a query
  that the database refuses with a 500;
- NUL and the other C0 control characters (but tab, newline and carriage return) are stripped
  from every submitted form value and query parameter before a form or view sees them;
- a query string or a form body that is not UTF-8 is refused with 400, and pages render their
  own path safely, so the error page itself never fails;
- a form body is read whole before anything parses it: beyond `MAX_CONTENT_LENGTH` it is refused
  with 413 (with or without a Content-Length: chunked uploads too), and a body shorter than its
  Content-Length, a multipart body without its closing boundary or a connection that broke
  mid-body is refused with 400, never processed as if whole;
- `request.args.get(name, type=int)` (and `form`, `values`) keeps to the column's range
  (`core/fields.py`): an out-of-range number is treated like no number.

It runs before every other request hook (CSRF, rate limits), which then see the cleaned input.
"""

import re
from urllib.parse import unquote_to_bytes

from flask import Flask, request
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import IntegerConverter

from app.core.errors import InvalidInput, NotFound
from app.core.fields import BoundedCombinedMultiDict, BoundedMultiDict, bounded_int

#: The largest value of a PostgreSQL `integer` (and of every id column here).
MAX_ID = 2**31 - 1
#: Flask-SQLAlchemy's `paginate` reads `page` and `per_page` itself, with plain `int()`.
MAX_PAGE = 100_000

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class BoundedIntegerConverter(IntegerConverter):
    """Werkzeug's `int` converter, bounded to the id columns' range unless a route says otherwise."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def strip_control(value: str) -> str:
    """`value` without NUL and other invisible control characters (keeps tab and line breaks)."""
    return _CONTROL.sub("", value)


def _cleaned(data: MultiDict) -> BoundedMultiDict:
    return BoundedMultiDict(
        (key, strip_control(value) if isinstance(value, str) else value)
        for key, values in data.lists()
        for value in values
    )


def current_path() -> str:
    """The requested path with its query, for `next=` links; never fails on odd bytes."""
    query = request.query_string.decode("utf-8", "replace")
    return f"{request.path}?{query}" if query else request.path


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

CUT_SHORT = _l("What you sent arrived incomplete, so nothing was saved. Please try again.")
NOT_UTF8 = _l("What you sent could not be read (it is not UTF-8 text). Please try again.")


def _urlencoded_is_utf8(raw: bytes) -> bool:
    try:
        for part in raw.split(b"&"):
            unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _read_whole_body() -> None:
    """Read a form body once, whole and within the limit, before anything parses it."""
    try:
        # Werkzeug applies MAX_CONTENT_LENGTH to chunked bodies too (413); form parsing later
        # reads this cached copy instead of the stream.
        raw = request.get_data(cache=True)
    except RequestEntityTooLarge:
        raise
    except Exception:  # the connection broke mid-body (client gone, bad chunk)
        raise InvalidInput(CUT_SHORT) from None
    limit = request.max_content_length
    if request.content_length is None and limit is not None and len(raw) >= limit:
        # A streamed (chunked) body: Werkzeug stops reading at the limit without an error, so a
        # body that reached it was cut there. Refuse it instead of processing a part.
        raise RequestEntityTooLarge()
    if request.content_length is not None and len(raw) < request.content_length:
        raise InvalidInput(CUT_SHORT)
    if request.mimetype == "multipart/form-data":
        boundary = request.mimetype_params.get("boundary", "").encode("latin-1", "replace")
        if raw and not raw.rstrip(b"\r\n").endswith(b"--" + boundary + b"--"):
            raise InvalidInput(CUT_SHORT)
    elif not _urlencoded_is_utf8(raw):
        raise InvalidInput(NOT_UTF8)


def register_guard(app: Flask) -> None:
    """Bound route ids and clean every request's input before any other hook sees it."""
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.add_template_global(current_path, "current_path")

    def _clean_input() -> None:
        try:
            request.query_string.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput(
                _l("The address of this page is not valid. Please check the link and try again.")
            ) from None
        # Werkzeug caches args and form on first use: replace them with their cleaned copies.
        request.__dict__["args"] = _cleaned(request.args)
        for name in ("page", "per_page"):
            if name in request.args and not bounded_int(request.args[name], low=1, high=MAX_PAGE):
                raise NotFound()  # as Flask-SQLAlchemy answers a page that does not exist
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.mimetype in FORM_TYPES:
            _read_whole_body()
            request.__dict__["form"] = _cleaned(request.form)
        sources = [request.args] if request.method == "GET" else [request.args, request.form]
        request.__dict__["values"] = BoundedCombinedMultiDict(sources)

    # First of all request hooks: CSRF and the rate limiter then read the cleaned form.
    app.before_request_funcs.setdefault(None, []).insert(0, _clean_input)
