"""How pacts react to votes: a ratification vote's published result adopts the pact or sends
it back to revision; a cancelled ratification vote sends it back to revision.

The votes domain knows nothing of pacts; it emits `vote_published` and `vote_cancelled`
(app/votes/signals.py) and `init_app` connects these receivers to them.
"""

from flask import Flask

from app.pacts.models import Pact
from app.pacts.operations import conclude_ratification
from app.votes.signals import vote_cancelled, vote_published


def _pact_in_ratification(vote) -> Pact | None:
    """The pact whose version `vote` ratifies, if it is still waiting in ratification."""
    version = getattr(vote, "pact_version", None)
    if version is None:
        return None
    pact = version.pact
    # Only a pact waiting in ratification is concluded (an imported or replayed vote changes nothing).
    return pact if pact.is_in_ratification else None


def on_vote_published(vote, **extra) -> None:
    """A ratification vote's result is published: adopt the pact, or return it to revision."""
    pact = _pact_in_ratification(vote)
    if pact is None:
        return
    adopted = bool((vote.result or {}).get("adopted"))
    conclude_ratification(pact, adopted, extra.get("actor") or vote.certified_by)


def on_vote_cancelled(vote, **extra) -> None:
    """A ratification vote is cancelled: the pact returns to revision."""
    pact = _pact_in_ratification(vote)
    if pact is None:
        return
    conclude_ratification(pact, False, extra.get("actor"))


def connect(app: Flask) -> None:
    """Connect the receivers (once; blinker keeps them for the process)."""
    vote_published.connect(on_vote_published)
    vote_cancelled.connect(on_vote_cancelled)
