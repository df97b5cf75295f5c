"""Vote pages, by topic: defining a vote, its lifecycle and page, ballots and receipts."""

from . import ballots, definition, lifecycle  # noqa: F401 - views attach to `bp`
