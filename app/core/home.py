"""The home page fits the user's role: each domain contributes what needs the user's attention.

A domain registers a function `(user) -> list[HomeSection]` with `home_section`; the
home page calls each and shows the non-empty sections in registration order.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


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


_providers: list[Callable] = []


def home_section(fn: Callable) -> Callable:
    """Register a provider of home-page sections."""
    if fn not in _providers:
        _providers.append(fn)
    return fn


def sections_for(user) -> list[HomeSection]:
    sections: list[HomeSection] = []
    for provider in _providers:
        sections.extend(s for s in (provider(user) or []) if s.items or s.more_link)
    return sorted(sections, key=lambda s: -s.priority)
