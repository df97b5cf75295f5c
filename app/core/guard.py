"""Bad input stops at the door: ids beyond their column, control characters, undecodable queries.

One rule in one place, for every route and form (issue 14):
- a route's `<int:...>` id beyond a PostgreSQL `integer` column is no page (404), never a query
  that the database refuses with a 500;
- NUL and the other C0 control characters (but tab, newline and carriage return) are stripped
  from every submitted form value and query parameter before a form or view sees them;
- a query string that is not UTF-8 is refused with 400, and pages render their own path safely,
  so the error page itself never fails.
"""

import re

from flask import Flask, request
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.routing import IntegerConverter

from app.core.errors import InvalidInput

#: The largest value of a PostgreSQL `integer` (and of every id column here).
MAX_ID = 2**31 - 1

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class BoundedIntegerConverter(IntegerConverter):
    """Werkzeug's `int` converter, bounded to the id columns' range unless a route says otherwise."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def strip_control(value: str) -> str:
    """`value` without NUL and other invisible control characters (keeps tab and line breaks)."""
    return _CONTROL.sub("", value)


def _cleaned(data: MultiDict) -> ImmutableMultiDict:
    return ImmutableMultiDict(
        (key, strip_control(value) if isinstance(value, str) else value)
        for key, values in data.lists()
        for value in values
    )


def current_path() -> str:
    """The requested path with its query, for `next=` links; never fails on odd bytes."""
    query = request.query_string.decode("utf-8", "replace")
    return f"{request.path}?{query}" if query else request.path


def register_guard(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.add_template_global(current_path, "current_path")

    @app.before_request
    def _clean_input() -> None:
        try:
            request.query_string.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput(
                _l("The address of this page is not valid. Please check the link and try again.")
            ) from None
        # Werkzeug caches args and form on first use: replace them with their cleaned copies.
        request.__dict__["args"] = _cleaned(request.args)
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.mimetype in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            request.__dict__["form"] = _cleaned(request.form)
