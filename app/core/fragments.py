"""Work done once per change, not once per view: rendered fragments and figures in the cache.

A key names what its value was made from, including a revision that every write changes in the
same transaction (the pacts domain keeps one per pact, app/pacts/freshness.py). A write therefore
never has to find and delete what it made stale: the next reader asks for a new key, misses, and
renders from the database. Old entries simply age out. Nothing here is ever stale after a write,
in one process (SimpleCache) or across workers and hosts (Redis, when REDIS_URL is set).

Every key also carries the reader's language, the sanitiser's version and a digest of the
templates, so a deploy that changes a template or the sanitiser never serves the old HTML.

Each process also keeps a bounded copy of the entries it read or wrote (least recently used out
first), so a page seen again costs no round trip to Redis: what is stored under a key never
changes (a write makes a new key), so the copy cannot be older than the shared entry.

A request that has itself written (its session flushed changes a cached page shows) reads and
stores nothing here: what it renders may include work that is still to be committed or rolled
back.
"""

import hashlib
import logging
import pickle
import re
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from cachetools import LRUCache
from flask import current_app, has_request_context
from flask_babel import get_locale
from markupsafe import Markup

from app.core import once
from app.core.sanitize import SANITIZER_VERSION
from app.core.time import utcnow
from app.extensions import cache, db

log = logging.getLogger(__name__)

#: Set on a session (its `info`) once it has flushed changes that cached pages show.
WROTE = "cached_pages_written"

_templates_digest: str | None = None
#: Template indentation: a newline and the blanks after it (one newline renders the same).
_INDENT = re.compile(r"\n\s+")
#: Where blanks are content: preformatted text (a comment's code block) and text areas.
_VERBATIM = re.compile(r"(<pre[\s>].*?</pre>|<textarea[\s>].*?</textarea>)", re.S)


def compact(html: str) -> str:
    """`html` without its template indentation (a third of a clause list), except where blanks
    are content: a newline followed by blanks renders as the newline alone."""
    parts = _VERBATIM.split(html)
    return "".join(p if i % 2 else _INDENT.sub("\n", p) for i, p in enumerate(parts))


def templates_digest() -> str:
    """A short digest of every template of the app: the same in every worker of one deploy."""
    global _templates_digest
    if _templates_digest is None:
        digest = hashlib.sha256()
        root = Path(__file__).resolve().parent.parent
        for path in sorted(root.glob("**/templates/**/*.html")):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
        _templates_digest = digest.hexdigest()[:12]
    return _templates_digest


def mark_written(session=None) -> None:
    """This session changed what cached pages show: its request bypasses the cache."""
    (session or db.session()).info[WROTE] = True


def _enabled() -> bool:
    if not current_app.config.get("FRAGMENT_CACHE", True):
        return False
    return not db.session().info.get(WROTE, False)


def cache_key(kind: str, parts: Iterable[Any]) -> str:
    locale = str(get_locale()) if has_request_context() else "-"
    head = f"{kind}:{templates_digest()}:s{SANITIZER_VERSION}:{locale}"
    return head + ":" + ":".join(str(p) for p in parts)


class LocalCopies:
    """This process's bounded copy of shared cache entries, by key, least recently used out first.

    Text (the rendered fragments and pages) is kept as it is, since it cannot be changed; any
    other value as its pickle, so each reader gets a copy of its own, as from Redis. `limit` is
    in bytes of what is kept; 0 keeps nothing.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._entries: LRUCache = LRUCache(max(limit, 1), getsizeof=lambda entry: entry[0])
        self._lock = threading.Lock()  # a gunicorn worker serves with threads

    def get(self, key: str) -> Any:
        with self._lock:
            entry = self._entries.get(key)
        if entry is None:
            return None
        return entry[1] if entry[2] else pickle.loads(entry[1])  # noqa: S301 - our own pickle

    def put(self, key: str, value: Any) -> None:
        if not self.limit:
            return
        as_is = isinstance(value, str)
        kept = value if as_is else pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
        size = sys.getsizeof(kept)
        if size > self.limit:
            return
        with self._lock:
            self._entries[key] = (size, kept, as_is)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def local_copies() -> LocalCopies:
    """The copies this process keeps for the current app, sized by FRAGMENT_LOCAL_BYTES."""
    local = current_app.extensions.get("fragment_copies")
    if local is None:
        local = LocalCopies(int(current_app.config.get("FRAGMENT_LOCAL_BYTES", 0)))
        current_app.extensions["fragment_copies"] = local
    return local


def forget_local_copies() -> None:
    """Drop this process's copies (the shared cache was emptied, e.g. between tests)."""
    local_copies().clear()


def _read(key: str, usable: Callable[[Any], bool] = lambda _value: True) -> Any:
    """The value under `key`: this process's copy if it is `usable`, else the shared one (then
    copied here; another worker may have replaced what time made stale)."""
    local = local_copies()
    value = local.get(key)
    if value is None or not usable(value):
        value = cache.get(key)
        if value is not None:
            local.put(key, value)
    return value


def _write(key: str, value: Any) -> None:
    local_copies().put(key, value)
    cache.set(key, value)


def remember(
    kind: str,
    parts: Iterable[Any],
    compute: Callable[[], Any],
    keep: Callable[[Any], bool] | None = None,
) -> Any:
    """The value stored under the key made of `kind` and `parts`, computed (and stored) on a miss.

    A computed value that `keep` refuses is returned without being stored. A cache that fails
    (Redis down) costs the computation, never the page."""
    if not _enabled():
        return compute()
    key = cache_key(kind, parts)
    try:
        value = _read(key)
    except Exception:  # a broken cache must not break the page
        log.warning("cache unavailable, computing %s", kind, exc_info=True)
        return compute()
    if value is not None:
        return value
    value = compute()
    if keep is not None and not keep(value):
        return value
    try:
        _write(key, value)
    except Exception:
        log.warning("cache unavailable, %s not stored", kind, exc_info=True)
    return value


def fragment(kind: str, parts: Iterable[Any], render: Callable[[], str]) -> Markup:
    """Rendered HTML stored under `kind` and `parts` (strings, so any cache backend keeps them)."""
    return Markup(remember(kind, parts, lambda: compact(str(render()))))  # noqa: S704 - our own rendered template


def slot(name: str) -> str:
    """What stands for a reader's own value `name` in a cached page (their CSRF token, a form's
    one-time token, the page's path): derived from the secret key, so the same in every worker
    and not something a commenter can type on purpose."""
    secret = str(current_app.secret_key).encode()
    return name + hashlib.sha256(secret + f"{name}-slot".encode()).hexdigest()[:24]


def _csrf_slot() -> str:
    return slot("csrf")


def _once_slot() -> str:
    """What stands for a form's one-time submission token in a cached page (core/once.py)."""
    return slot("once")


def _rendered_with_csrf_slot(render: Callable[[], Any]) -> Any:
    """What `render` returns with slots standing for the reader's CSRF token and for each form's
    one-time token (compacted)."""
    from flask import g

    had, had_once = g.get("csrf_token"), g.get(once.SLOT_FLAG)
    g.csrf_token = _csrf_slot()  # Flask-WTF's csrf_token() returns what g holds for this request
    setattr(g, once.SLOT_FLAG, _once_slot())
    try:
        value = render()
    finally:
        for name, value_before in (("csrf_token", had), (once.SLOT_FLAG, had_once)):
            if value_before is None:
                g.pop(name, None)
            else:
                setattr(g, name, value_before)
    return compact(str(value)) if isinstance(value, str) else value


def _with_reader_csrf(html: str) -> str:
    """The cached HTML with the reader's CSRF token and a fresh one-time token for each form."""
    from flask_wtf.csrf import generate_csrf

    slot = _csrf_slot()
    if slot in html:
        html = html.replace(slot, generate_csrf())
    once_slot = _once_slot()
    if once_slot in html:
        html = re.sub(once_slot, lambda _m: once.new_token(), html)
    return html


def fragment_with_csrf(kind: str, parts: Iterable[Any], render: Callable[[], str]) -> Markup:
    """Like `fragment`, for HTML with forms: stored with a slot for the CSRF token, which is the
    reader's own in what comes back."""
    html = remember(kind, parts, lambda: _rendered_with_csrf_slot(render))
    return Markup(_with_reader_csrf(html))  # noqa: S704 - our own rendered template


def page(kind: str, parts: Iterable[Any], render: Callable[[], Any]) -> Any:
    """A whole page stored under `kind` and `parts`, the reader's CSRF token put in per request.

    For pages that are the same for every reader who gets them (an anonymous visitor's), apart
    from the CSRF token of the forms every page carries (language, text size): the page is
    rendered once with a slot for the token. `render` may return something that is not text
    (a redirect): that is returned as it is and not stored. A reader with flashed messages
    waiting gets a page of their own (the messages are shown once, to them)."""
    from flask import session

    if not _enabled() or session.get("_flashes"):
        return render()
    value = remember(
        kind, parts, lambda: _rendered_with_csrf_slot(render), keep=lambda v: isinstance(v, str)
    )
    if not isinstance(value, str):
        return value
    return _with_reader_csrf(value)


def remember_until(kind: str, parts: Iterable[Any], compute: Callable[[], tuple[Any, Any]]) -> Any:
    """Like `remember`, for a value that time alone makes stale: `compute` returns the value and
    the moment (naive UTC) it stops being true (a day count ticks, a flag turns overdue); a copy
    found after that moment is computed again and replaces it."""
    if not _enabled():
        return compute()[0]
    key = cache_key(kind, parts)
    now = utcnow()
    try:
        found = _read(key, usable=lambda copy: now < copy[1])
    except Exception:  # a broken cache must not break the page
        log.warning("cache unavailable, computing %s", kind, exc_info=True)
        return compute()[0]
    if found is not None and now < found[1]:
        return found[0]
    value, until = compute()
    try:
        _write(key, (value, until))
    except Exception:
        log.warning("cache unavailable, %s not stored", kind, exc_info=True)
    return value
