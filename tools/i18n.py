#!/usr/bin/env python3
"""Translation catalogues, one per domain, merged by Flask-Babel at run time.

    python tools/i18n.py update [core|pacts|hearings|votes|suggestions|projects]
                                   # extract strings, update the catalogue(s), fill English
    python tools/i18n.py compile   # .po -> .mo (run by `make`, never committed)
    python tools/i18n.py check     # exit 1 listing any string without a Chinese translation,
                                   # or translated differently by two domains

Each domain owns its catalogue so that work on one domain never touches another's file.
"""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"
LOCALES = ("zh_Hans_CN", "en")
KEYWORDS = ["-k", "_l", "-k", "lazy_gettext", "-k", "N_", "-k", "lazy_ngettext:1,2"]

#: catalogue folder -> the source paths whose strings it holds.
DOMAINS = {
    APP / "translations": [
        APP / "core",
        APP / "accounts",
        APP / "org",
        APP / "__init__.py",
        APP / "cli.py",
        APP / "demo.py",
    ],
    APP / "pacts" / "translations": [APP / "pacts"],
    APP / "hearings" / "translations": [APP / "hearings"],
    APP / "votes" / "translations": [APP / "votes"],
    APP / "suggestions" / "translations": [APP / "suggestions"],
    APP / "projects" / "translations": [APP / "projects"],
    APP / "reports" / "translations": [APP / "reports"],
}


def pybabel(*args: str) -> None:
    exe = Path(sys.executable).with_name("pybabel")
    subprocess.run([str(exe), "-q", *args], check=True, cwd=ROOT)  # noqa: S603 - our own tool


def update(only: str | None = None) -> None:
    for folder, sources in DOMAINS.items():
        name = "core" if folder == APP / "translations" else folder.parent.name
        if only and only != name:
            continue
        existing = [str(p.relative_to(ROOT)) for p in sources if p.exists()]
        if not existing:
            continue
        folder.mkdir(parents=True, exist_ok=True)
        pot = folder / "messages.pot"
        pybabel(
            "extract",
            "-F",
            "babel.cfg",
            *KEYWORDS,
            "--no-location",
            "--sort-output",
            "--omit-header",
            "-o",
            str(pot),
            *existing,
        )
        for locale in LOCALES:
            po = folder / locale / "LC_MESSAGES" / "messages.po"
            if po.exists():
                pybabel(
                    "update",
                    "-i",
                    str(pot),
                    "-d",
                    str(folder),
                    "-l",
                    locale,
                    "--no-fuzzy-matching",
                    "--ignore-obsolete",
                )
            else:
                pybabel("init", "-i", str(pot), "-d", str(folder), "-l", locale)
            clear_header_fuzzy(po)
        fill_english(folder / "en" / "LC_MESSAGES" / "messages.po")
        pot.unlink()


def clear_header_fuzzy(po: Path) -> None:
    """`pybabel init` marks the header fuzzy, and `compile` then skips the whole catalogue."""
    text = po.read_text(encoding="utf-8")
    head, sep, rest = text.partition('msgid ""')
    if "#, fuzzy" in head:
        po.write_text(head.replace("#, fuzzy\n", "") + sep + rest, encoding="utf-8")


def fill_english(po: Path) -> None:
    """English is the source language: each English msgstr is its msgid."""
    with po.open("rb") as f:
        catalog = read_po(f, locale="en")
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple | list):
            message.string = tuple(message.id)
        else:
            message.string = message.id
        message.flags.discard("fuzzy")
    catalog.fuzzy = False
    with po.open("wb") as f:
        write_po(f, catalog, width=0, omit_header=False, no_location=True)


def compile_all() -> None:
    for folder in DOMAINS:
        if (folder / "zh_Hans_CN").exists():
            pybabel("compile", "-d", str(folder), "--statistics")


def missing() -> list[str]:
    """Every msgid, in any catalogue, without a usable Chinese (or English) translation."""
    problems = []
    for folder in DOMAINS:
        for locale in LOCALES:
            po = folder / locale / "LC_MESSAGES" / "messages.po"
            if not po.exists():
                continue
            with po.open("rb") as f:
                catalog = read_po(f, locale=locale)
            if catalog.fuzzy:
                problems.append(
                    f"{po.relative_to(ROOT)}: the header is fuzzy, so compile would skip it"
                )
            for message in catalog:
                if not message.id:
                    continue
                strings = (
                    message.string if isinstance(message.string, tuple | list) else [message.string]
                )
                if message.fuzzy or not all(strings):
                    problems.append(f"{po.relative_to(ROOT)}: {message.id!r}")
    return problems


def collisions() -> list[str]:
    """msgids that two catalogues translate differently into Chinese.

    Flask-Babel merges the catalogues and the last one wins, so such a string would read
    differently from what its own domain's translator chose.
    """
    seen: dict[str, tuple[str, str]] = {}
    problems = []
    for folder in DOMAINS:
        po = folder / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"
        if not po.exists():
            continue
        with po.open("rb") as f:
            catalog = read_po(f, locale="zh_Hans_CN")
        for message in catalog:
            if not message.id or not message.string:
                continue
            key = message.id if isinstance(message.id, str) else message.id[0]
            string = message.string if isinstance(message.string, str) else message.string[0]
            where = str(po.relative_to(ROOT))
            if key in seen and seen[key][0] != string:
                problems.append(
                    f"{key!r}: {seen[key][1]} says {seen[key][0]!r}, {where} says {string!r}"
                )
            seen.setdefault(key, (string, where))
    return problems


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    if command == "update":
        update(argv[2] if len(argv) > 2 else None)
    elif command == "compile":
        compile_all()
    elif command == "check":
        problems = missing()
        for p in problems:
            print("untranslated:", p)
        clashes = collisions()
        for p in clashes:
            print("translated differently:", p)
        problems += clashes
        return 1 if problems else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
