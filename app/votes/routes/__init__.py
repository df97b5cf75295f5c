"""Vote pages, by topic: defining a vote, its lifecycle and page, ballots, paper ballots, receipts, witnesses."""

from . import ballots, definition, lifecycle, paper, receipts, witnesses  # noqa: F401 - views attach to `bp`
