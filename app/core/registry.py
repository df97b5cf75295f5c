"""What domains contribute to shared pages, registered explicitly by each domain's `init_app`.

Kinds in use:
- "home_section": `(user) -> list[HomeSection]`, shown on the home page (core/home.py);
- "personal_data": `(user) -> (key, data)`, a section of a person's data export (accounts);
- "home_context": `(user) -> dict`, variables the home page template reads (accounts, org);
- "community_tools": `(user, community) -> list`, links on a community's page (accounts);
- "tick": `(now) -> str | None`, a domain's scheduled work, run by `flask tick`;
- "account_deleted": `(user) -> None`, a domain erasing what it holds about a person whose
  account is being deleted (called by accounts before the name and contact data go).

Contributions live on the app (`app.extensions`), never in module globals, so two apps in one
process (tests, the CLI) never share or double them.
"""

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app

_KEY = "yishiting.registry"


def register(app: Flask, kind: str, fn: Callable[..., Any]) -> None:
    """Add `fn` to what the app calls for `kind`, once."""
    entries = app.extensions.setdefault(_KEY, {}).setdefault(kind, [])
    if fn not in entries:
        entries.append(fn)


def registered(kind: str) -> list[Callable[..., Any]]:
    """What the current app has registered for `kind`, in registration order."""
    return list(current_app.extensions.get(_KEY, {}).get(kind, []))
