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
