"""Language choice: the user's saved preference, then the `lang` cookie, then Chinese."""

import functools

from babel import support
from flask import current_app, has_request_context, request
from flask_babel import get_locale
from flask_login import current_user
from wtforms.i18n import messages_path

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


@functools.cache
def wtforms_catalogue(locale: str) -> support.NullTranslations:
    """WTForms' own messages ("Not a valid choice.") in `locale`, read from disk once per
    process; Flask-WTF alone reads the catalogue again in every request that shows a form."""
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


def share_wtforms_catalogue() -> None:
    """Give this request the process's WTForms catalogue for its language (a before-request
    hook): Flask-WTF takes `request.wtforms_translations` when it is set (flask_wtf/i18n.py)."""
    if request.endpoint != "static":
        request.wtforms_translations = wtforms_catalogue(str(get_locale()))  # type: ignore[attr-defined]
