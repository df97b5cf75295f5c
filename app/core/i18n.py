"""Language choice: the user's saved preference, then the `lang` cookie, then Chinese."""

from flask import current_app, has_request_context, request
from flask_login import current_user

LANG_COOKIE = "lang"
TEXT_COOKIE = "text_size"


def select_locale() -> str:
    """The language of this request (Flask-Babel's locale selector)."""
    if not has_request_context():
        # CLI commands and background jobs: notifications are translated when shown.
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return str(current_user.locale)
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie is not None and cookie in languages:
        return cookie
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def large_text() -> bool:
    """Whether pages are shown in the large-text mode."""
    if not has_request_context():
        return False
    if current_user and current_user.is_authenticated:
        return bool(current_user.large_text)
    return request.cookies.get(TEXT_COOKIE) == "large"
