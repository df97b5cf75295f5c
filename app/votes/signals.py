"""Signals the votes domain emits, for the domains above it (pacts) to react to.

Every signal's sender is the Vote, sent after the operation flushed the change (inside the same
transaction, so a receiver's writes commit or roll back with it):

- `vote_opened`: it has just opened (manifest and electorate frozen).
- `vote_closed`: it has just closed and been counted (result still sealed).
- `vote_published`: its certified result has just been published; keyword `actor` (who
  certified it). A ratification's pact is concluded by the pacts domain's receiver.
- `vote_cancelled`: it has just been cancelled; keyword `actor`. A cancelled ratification sends
  its pact back to revision (pacts' receiver).
"""

from blinker import Namespace

_signals = Namespace()
vote_opened = _signals.signal("vote-opened")
vote_closed = _signals.signal("vote-closed")
vote_published = _signals.signal("vote-published")
vote_cancelled = _signals.signal("vote-cancelled")
