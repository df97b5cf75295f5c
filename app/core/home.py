"""The home page fits the user's role: each domain contributes what needs the user's attention.

A domain registers a function `(user) -> list[HomeSection]` in its `init_app` with
`register(app, "home_section", fn)` (core/registry.py); the home page calls each and shows the
non-empty sections, highest priority first. What the page's own template needs from a domain
(the user's household, the list of communities) comes from `register(app, "home_context", fn)`:
`(user) -> dict`, called for every visitor, merged into the template's variables.
"""

from dataclasses import dataclass, field
from typing import Any

from app.core.registry import registered


@dataclass
class HomeItem:
    text: str
    link: str = ""
    #: Optional badge text and kind (ok, warn, danger, info, neutral).
    badge: str = ""
    badge_kind: str = "neutral"


@dataclass
class HomeSection:
    title: str
    items: list[HomeItem] = field(default_factory=list)
    #: Link to the page that lists everything, with its label.
    more_link: str = ""
    more_label: str = ""
    #: Sections with a higher priority come first (overdue work before news).
    priority: int = 0


def sections_for(user) -> list[HomeSection]:
    """The non-empty sections every domain offers `user`, highest priority first."""
    sections: list[HomeSection] = []
    for provider in registered("home_section"):
        sections.extend(s for s in (provider(user) or []) if s.items or s.more_link)
    return sorted(sections, key=lambda s: -s.priority)


def context_for(user) -> dict[str, Any]:
    """The home template's variables that domains contribute."""
    context: dict[str, Any] = {}
    for provider in registered("home_context"):
        context.update(provider(user))
    return context
