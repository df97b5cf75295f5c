"""Both catalogues are complete for every domain."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

import i18n  # noqa: E402


def test_every_string_has_a_chinese_and_an_english_translation():
    assert i18n.missing() == []


def test_chinese_catalogue_folder_is_the_one_babel_reads():
    root = Path(__file__).resolve().parents[1] / "app" / "translations"
    assert (root / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po").exists()
    assert not (root / "zh_CN").exists()


def test_no_string_is_translated_two_ways_by_two_domains():
    # Flask-Babel merges the catalogues: the last one would silently win on every page.
    assert i18n.collisions() == []


def test_wtforms_own_messages_come_in_the_readers_language_read_from_disk_once(app, monkeypatch):
    from babel import support
    from flask_wtf import FlaskForm
    from werkzeug.datastructures import MultiDict
    from wtforms import SelectChoice, SelectField

    from app.core import i18n as app_i18n

    class Form(FlaskForm):
        class Meta:
            csrf = False

        kind = SelectField(choices=[SelectChoice("a", "A")])

    loads = []
    real_load = support.Translations.load

    def counted_load(dirname=None, locales=None, domain=None):
        if domain == "wtforms":
            loads.append(str(locales[0]))
        return real_load(dirname, locales, domain)

    monkeypatch.setattr(support.Translations, "load", counted_load)
    app_i18n.wtforms_catalogue.cache_clear()
    errors = []
    for lang in ("zh_Hans_CN", "en", "zh_Hans_CN", "en"):
        # An app context of its own, as every real request has (Flask-Babel keeps the locale there).
        with app.app_context(), app.test_request_context("/", headers={"Cookie": f"lang={lang}"}):
            app.preprocess_request()
            form = Form(formdata=MultiDict({"kind": "zzz"}))
            assert not form.validate()
            errors.append(form.kind.errors)
    assert errors == [["不是有效的选择。"], ["Not a valid choice."]] * 2
    assert loads == ["zh_Hans_CN", "en"]


def _render(app, source: str) -> str:
    return app.jinja_env.from_string(source).render()


def test_templates_follow_a_language_changed_within_the_request(app):
    # A user who switches language (or logs in) sees the very next page in it: Flask-Babel's
    # refresh() forgets the locale, and the templates' catalogue must be found again.
    from flask_babel import refresh

    with app.app_context(), app.test_request_context("/", headers={"Cookie": "lang=zh_Hans_CN"}):
        assert _render(app, '{{ _("Log in") }}') == "登录"
        from flask import request

        request.cookies = {"lang": "en"}  # what the next page reads after the switch
        refresh()
        assert _render(app, '{{ _("Log in") }}') == "Log in"


def test_an_email_rendered_in_another_language_does_not_change_the_page_around_it(app):
    # force_locale (an e-mail in its recipient's language) inside a Chinese request: the e-mail
    # is English, the page before and after it Chinese.
    from flask_babel import force_locale

    with app.app_context(), app.test_request_context("/", headers={"Cookie": "lang=zh_Hans_CN"}):
        before = _render(app, '{{ _("Log in") }}')
        with force_locale("en"):
            inside = _render(app, '{{ _("Log in") }}')
        after = _render(app, '{{ _("Log in") }}')
    assert (before, inside, after) == ("登录", "Log in", "登录")


def test_template_plurals_come_in_the_readers_language(app):
    source = '{{ ngettext("%(num)d household", "%(num)d households", 2) }} {{ _("%(size)d ballots", size=3) }}'
    with app.app_context(), app.test_request_context("/", headers={"Cookie": "lang=en"}):
        english = _render(app, source)
    with app.app_context(), app.test_request_context("/", headers={"Cookie": "lang=zh_Hans_CN"}):
        chinese = _render(app, source)
    assert (english, chinese) == ("2 households 3 ballots", "2户 3 张选票")


def test_messages_in_the_code_follow_the_language_too(app):
    # `gettext` in views and operations goes through the same once-per-request catalogue.
    from flask import request
    from flask_babel import force_locale, gettext, lazy_gettext, refresh

    with app.app_context(), app.test_request_context("/", headers={"Cookie": "lang=zh_Hans_CN"}):
        before = gettext("Log in")
        with force_locale("en"):
            inside = (gettext("Log in"), str(lazy_gettext("Log in")))
        request.cookies = {"lang": "en"}
        refresh()
        after = gettext("Log in")
    assert (before, inside, after) == ("登录", ("Log in", "Log in"), "Log in")
