"""Signals the votes domain emits, for the domains above it (pacts) to react to.

- `vote_published` (sender = the Vote): its certified result has just been published.
- `vote_cancelled` (sender = the Vote): it has just been cancelled.
"""

from blinker import Namespace

_signals = Namespace()
vote_published = _signals.signal("vote-published")
vote_cancelled = _signals.signal("vote-cancelled")
