"""Vote pages, by topic: defining a vote, its lifecycle and page, ballots, receipts, witnesses."""

from . import ballots, definition, lifecycle, receipts, witnesses  # noqa: F401 - views attach to `bp`
