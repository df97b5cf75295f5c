"""Request hooks shared by every page: security headers, template helpers, write transactions."""

from urllib.parse import urlsplit

from flask import Flask, current_app, g, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup, escape

from app.core.dates import (
    iso_local,
    show_date,
    show_date_range,
    show_dates_in,
    show_datetime,
    show_list,
    show_range,
    show_time,
)
from app.core.fragments import fragment_with_csrf, slot
from app.core.guard import current_path
from app.core.i18n import large_text, share_wtforms_catalogue
from app.core.notifications import unread_count_once
from app.core.sanitize import render_markdown

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def is_safe_next(target: str | None) -> bool:
    """Only a site-relative path: one leading slash, no scheme, host, backslash or control char."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None, default: str) -> str:
    """`target` if it is a safe site-relative path, else `default`."""
    return target if target is not None and is_safe_next(target) else default


def site_header() -> Markup:
    """The header of every page: rendered once per kind of reader (signed in or not, their
    count of unread notifications, text size; the language is in every key) and kept in the
    cache; the reader's CSRF token and the page's path (the language and text-size forms come
    back to it) are put in per request."""
    signed_in = bool(current_user.is_authenticated)
    unread = unread_count_once(current_user) if signed_in else 0
    path = slot("path")
    html = fragment_with_csrf(
        "site-header",
        (int(signed_in), unread, int(large_text())),
        lambda: render_template("_site_header.html", next_path=path),
    )
    return Markup(str(html).replace(path, str(escape(_back_path()))))  # noqa: S704 - escaped


#: `page_part`'s renders, by template, language and the app's root path.
_PARTS: dict[tuple[str, str, str], Markup] = {}


def page_part(template: str) -> Markup:
    """A part of every page that is the same for every reader in one language (the head's links,
    the footer): rendered once per process, language and root path, not on every page. Only
    templates without a reader's data (nor a CSRF token) may be parts."""
    key = (template, str(get_locale()), request.script_root)
    part = _PARTS.get(key)
    if part is None:
        part = Markup(render_template(template))  # noqa: S704 - our own template
        if len(_PARTS) < 64:  # a few templates in a few languages; any other root is not kept
            _PARTS[key] = part
    return part


def _back_path() -> str:
    """Where the header's language and text-size forms bring the reader back to: this page, or
    for a form shown again with its errors (a POST) the page the form was on, never the POST's
    address (which a GET answers with 405)."""
    if request.method in ("GET", "HEAD"):
        return current_path()
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host:
        return url_for("core.home")
    path = referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return safe_next(path, url_for("core.home"))


def register_web_hooks(app: Flask) -> None:
    """Security headers, template globals and filters shared by every page.

    Who the user is (Flask-Login's user loader, `public_name`) is accounts' to register.
    """
    app.before_request(share_wtforms_catalogue)

    @app.after_request
    def _security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.add("Vary", "HX-Request")
        if current_app.config.get("ENV_NAME") == "production":
            headers.setdefault("Strict-Transport-Security", current_app.config["HSTS"])
        if request.endpoint != "static" and (
            current_user.is_authenticated or g.get("personal_data")
        ):
            headers["Cache-Control"] = "no-store"
        return response

    app.add_template_global(site_header, "site_header")
    app.add_template_global(page_part, "page_part")

    @app.context_processor
    def _template_globals():
        locale = str(get_locale() or "zh_Hans_CN")
        return {
            "current_locale": locale,
            "html_lang": "zh-Hans" if locale.startswith("zh") else "en",
            "large_text": large_text(),
            "unread_notifications": (
                unread_count_once(current_user) if current_user.is_authenticated else 0
            ),
        }

    @app.template_filter("markdown")
    def _markdown(text):
        return render_markdown(text)

    # The one way to write a date (core/dates.py): every template uses these filters.
    app.add_template_filter(show_date, "date")
    app.add_template_filter(show_time, "time")
    app.add_template_filter(show_datetime, "datetime")
    app.add_template_filter(show_range, "timerange")
    app.add_template_filter(show_date_range, "daterange")
    app.add_template_filter(iso_local, "isodatetime")
    app.add_template_filter(show_list, "join_list")
    app.add_template_filter(show_dates_in, "dates_in")
