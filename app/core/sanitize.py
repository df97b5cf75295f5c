"""The one sanitiser: a small markdown subset to safe HTML (markdown-it-py, then nh3)."""

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": True}).enable(
    ["linkify", "strikethrough"]
)
# Images are off: a remote image would leak the reader's IP address.
_markdown.disable("image")

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "hr",
    "del",
    "s",
}

_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes={"a": {"href", "title"}},
    url_schemes={"http", "https", "mailto"},
    link_rel="nofollow noopener noreferrer ugc",
)


#: Changes whenever the pipeline above would turn the same text into different HTML (another
#: tag allowed, a markdown rule switched): cached fragments carry it in their keys.
SANITIZER_VERSION = "1"

#: Distinct texts whose HTML a process keeps: a busy pact page shows ~120 comments, a clause
#: page ~100, so a few thousand cover every page residents are reading at once.
MARKDOWN_CACHE_SIZE = 8192


@lru_cache(maxsize=MARKDOWN_CACHE_SIZE)
def _sanitised(text: str) -> str:
    # Keyed by the text itself (a text's HTML never changes for one SANITIZER_VERSION, which a
    # process cannot change while running), so an edited comment simply has a new key.
    return _cleaner.clean(_markdown.render(text))


def render_markdown(text: str | None) -> Markup:
    """Render user-written markdown as sanitised HTML; the only source of `Markup` for user text.

    Each distinct text is rendered once per process: markdown and nh3 cost ~60 µs a comment,
    which a page of comments otherwise paid on every view."""
    if not text:
        return Markup("")
    return Markup(_sanitised(text))  # noqa: S704 - nh3 has sanitised it


def plain_text(text: str | None) -> str:
    """User text with every tag removed, for places that show no formatting (titles, e-mails)."""
    return nh3.clean(text or "", tags=set())
