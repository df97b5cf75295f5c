"""The one sanitiser: a small markdown subset to safe HTML (markdown-it-py, then nh3)."""

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


def render_markdown(text: str | None) -> Markup:
    """Render user-written markdown as sanitised HTML; the only source of `Markup` for user text."""
    if not text:
        return Markup("")
    return Markup(_cleaner.clean(_markdown.render(text)))  # noqa: S704 - nh3 has just sanitised it


def plain_text(text: str | None) -> str:
    """User text with every tag removed, for places that show no formatting (titles, e-mails)."""
    return nh3.clean(text or "", tags=set())
