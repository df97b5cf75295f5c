"""Every page of the demo, as every role, in both languages, writes dates one way (issue 11).

The crawl starts at the home page and follows the site's own links (a few pages per endpoint,
so 300 clauses cost what two do), as a visitor, a resident, a secretary, a deputy and an admin,
once in Chinese and once in English. Each page's visible text (tags, scripts and attribute
values stripped) must hold no ISO date, no time with seconds, no date written another way
than the language's one (2026年12月11日 / Dec 11, 2026), and none of the stray separators the
issue found ("· v2", "; .").
"""

import re
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.demo import load_demo
from tests.factories import login_as, logout

PER_ENDPOINT = 2
MAX_PAGES = 260

ROLES = {
    "visitor": None,
    "resident": "13800000001",
    "secretary": "13800000110",
    "deputy": "13800000120",
    "admin": "13800000100",
}

ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
SECONDS = re.compile(r"\b\d{1,2}:\d{2}:\d{2}\b")
SLASH_DATE = re.compile(r"\b\d{1,4}/\d{1,2}/\d{2,4}\b")
ZH_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")
EN_DATE = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* \d{1,2}, \d{4}\b")
STRAY = re.compile(r"· v\d|; \.|;\s*。|，\s*\.")


class _Text(HTMLParser):
    """The text a reader sees, and the site's own GET links."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._skip += 1
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.parts))


def _problems(text: str, lang: str) -> list[str]:
    found = []
    for name, pattern in (("ISO date", ISO_DAY), ("seconds", SECONDS), ("slash date", SLASH_DATE)):
        found += [f"{name}: {m.group(0)}" for m in pattern.finditer(text)]
    other = EN_DATE if lang == "zh_Hans_CN" else ZH_DATE
    found += [f"other language's date: {m.group(0)}" for m in other.finditer(text)]
    found += [f"stray separator: {m.group(0)!r}" for m in STRAY.finditer(text)]
    return found


def _endpoint(app, path: str) -> str | None:
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _args = adapter.match(path, method="GET")
    except Exception:  # noqa: BLE001 - a link the map does not know is not ours to crawl
        return None
    return endpoint


def _crawl(app, client, lang: str) -> tuple[dict[str, list[str]], set[str]]:
    seen_per_endpoint: dict[str, int] = {}
    visited: set[str] = set()
    queue = ["/"]
    problems: dict[str, list[str]] = {}
    while queue and len(visited) < MAX_PAGES:
        path = queue.pop(0)
        if path in visited:
            continue
        endpoint = _endpoint(app, urlsplit(path).path)
        if endpoint is None or endpoint == "static":
            continue
        if seen_per_endpoint.get(endpoint, 0) >= PER_ENDPOINT:
            continue
        seen_per_endpoint[endpoint] = seen_per_endpoint.get(endpoint, 0) + 1
        visited.add(path)
        response = client.get(path)
        if response.status_code >= 500:
            problems[path] = [f"status {response.status_code}"]
            continue
        if not response.content_type.startswith("text/html"):
            continue
        parser = _Text()
        parser.feed(response.get_data(as_text=True))
        found = _problems(parser.text, lang)
        if found:
            problems[path] = found
        for href in parser.links:
            href = urldefrag(href)[0]
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not href.startswith("/"):
                continue
            if href not in visited:
                queue.append(href)
    return problems, set(seen_per_endpoint)


@pytest.mark.parametrize("lang", ["zh_Hans_CN", "en"])
def test_every_page_writes_dates_one_way(app, client, db, lang):
    load_demo()
    db.session.commit()
    all_problems: dict[str, list[str]] = {}
    endpoints: set[str] = set()
    for role, phone in ROLES.items():
        logout(client)
        client.set_cookie("lang", lang)
        if phone is not None:
            user = db.session.scalar(select(User).where(User.phone == phone))
            user.locale = lang
            login_as(client, user)
        problems, seen = _crawl(app, client, lang)
        endpoints |= seen
        all_problems |= {f"{role} {path}": found for path, found in problems.items()}
    assert not all_problems, "\n".join(f"{k}: {v}" for k, v in sorted(all_problems.items()))
    # The crawl really reached the pages with dates on them.
    assert {
        "core.home",
        "pacts.show",
        "pacts.clause",
        "hearings.session",
        "votes.vote_page",
        "suggestions.suggestion",
        "accounts.audit_log",
    } <= endpoints, sorted(endpoints)
