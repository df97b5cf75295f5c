"""Language choice: the user's saved preference, then the `lang` cookie, then Chinese."""

import functools

from babel import support
from flask import current_app, has_request_context, request
from flask.globals import _cv_app
from flask_babel import Babel, Domain, get_locale, get_translations
from flask_login import current_user
from werkzeug.utils import cached_property
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


#: Where `translations` keeps, in Flask-Babel's own per-context namespace, the catalogue it found
#: with the locale and domain it was found for.
_FOUND = "yishiting_translations"


def translations(lookup=get_translations) -> support.NullTranslations:
    """Flask-Babel's catalogue for this request, found once per request and locale: a page asks
    for it in every `_()` (dozens per page, in its templates and its code), and Flask-Babel's
    lookup walks through ten context-local proxies each time. The catalogue is kept beside
    Flask-Babel's own locale and domain and used only while they are the very objects it was
    found for: `refresh()` (a user changed their language) and `force_locale` (an e-mail in the
    recipient's language) replace them, so it is found again. `lookup` finds it otherwise."""
    app_ctx = _cv_app.get(None)
    if app_ctx is None:
        return lookup()
    space = app_ctx.g.__dict__.get("_flask_babel")
    found = getattr(space, _FOUND, None) if space is not None else None
    if (
        found is not None
        and found[0] is getattr(space, "babel_locale", None)
        and found[1] is getattr(space, "babel_domain", None)
    ):
        return found[2]
    catalogue = lookup()
    space = app_ctx.g.__dict__.get("_flask_babel")
    if space is not None:  # Flask-Babel made its namespace while looking the catalogue up
        locale, domain = getattr(space, "babel_locale", None), getattr(space, "babel_domain", None)
        setattr(space, _FOUND, (locale, domain, catalogue))
    return catalogue


class QuickDomain(Domain):
    """Flask-Babel's message domain, its catalogue found through `translations`: `gettext` in
    the code (`from flask_babel import gettext as _`) and lazy strings go through it too."""

    def get_translations(self):
        return translations(lambda: Domain.get_translations(self))


class AppBabel(Babel):
    """Flask-Babel with `QuickDomain` as the app's message domain."""

    @cached_property
    def domain_instance(self):
        return QuickDomain(domain=self.domain)


def install_template_gettext(app) -> None:
    """The templates' `_()`, `ngettext()`, `pgettext()` and `npgettext()` through `translations`
    (Flask-Babel installs the same callables through `get_translations`)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )


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
