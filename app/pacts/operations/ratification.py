"""Sending a pact to a ratification vote: the votes domain holds the vote, pacts the pact.

Pacts sit above votes, so this operation asks votes for a draft ratification vote on the
pact's latest version and then moves the pact to ratification. The vote's published result
(or its cancellation) comes back through the votes signals (signals.py).
"""

from datetime import datetime

from flask_babel import lazy_gettext as _

from app.pacts.errors import PactConflict
from app.pacts.models import Pact
from app.pacts.operations.common import require_manage
from app.pacts.operations.lifecycle import begin_ratification
from app.votes import operations as vote_ops
from app.votes.models import ElectorateKind, Secrecy, Vote


def send_to_ratification(
    pact: Pact,
    actor,
    *,
    opens_at: datetime,
    closes_at: datetime,
    electorate_kind: ElectorateKind | str = ElectorateKind.RESIDENTS,
    secrecy: Secrecy | str = Secrecy.SECRET,
    params: dict | None = None,
) -> Vote:
    """Create the draft ratification vote on the latest version; the pact moves to ratification."""
    require_manage(pact, actor)
    version = pact.latest_version
    if not pact.in_revision or version is None:
        raise PactConflict(
            _("Only a pact in revision with a published version can go to ratification.")
        )
    vote = vote_ops.create_ratification(
        pact.community,
        actor,
        title=str(_("%(title)s, version %(n)d", title=pact.title, n=version.number)),
        pact_version_id=version.id,
        opens_at=opens_at,
        closes_at=closes_at,
        electorate_kind=electorate_kind,
        secrecy=secrecy,
        params=params,
    )
    begin_ratification(pact, actor)
    return vote
