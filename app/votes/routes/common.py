"""What the vote views share: the loader and small helpers."""

from collections.abc import Callable
from datetime import datetime

from flask import abort, current_app
from flask_login import current_user

from app.core.errors import NotFound
from app.core.time import to_local
from app.extensions import db, limiter
from app.votes.models import Vote
from app.votes.permissions import can_manage_votes, can_see

#: Receipt look-ups per client address (the public check, the receipt page, its proof and QR
#: code): enough for a room of residents behind one address, too few to walk the short codes.
RECEIPT_RATE_LIMIT = "60 per minute;600 per hour"


def _receipt_limit() -> str:
    return str(current_app.config.get("RECEIPT_RATE_LIMIT") or RECEIPT_RATE_LIMIT)


#: One budget shared by every receipt look-up of an address.
receipt_lookups = limiter.shared_limit(_receipt_limit, scope="votes.receipts")


def get_vote(vote_id: int, loaded: Callable[[int], Vote | None] | None = None) -> Vote:
    """The vote, or 404; drafts exist only for those who manage the community's votes.

    `loaded`: a read of the vote with what a page shows beside it (the vote page's,
    `queries.vote_for_page`), instead of the vote alone."""
    vote = loaded(vote_id) if loaded is not None else db.session.get(Vote, vote_id)
    if vote is None or not can_see(current_user, vote):
        raise NotFound()
    return vote


def require_manager(community_id: int) -> None:
    """403 unless the current user runs the community's votes (login_required gives the 401)."""
    if not can_manage_votes(current_user, community_id):
        abort(403)


def local_input(dt: datetime | None) -> datetime | None:
    """A stored UTC time as the naive local time a datetime-local field shows."""
    return to_local(dt).replace(tzinfo=None) if dt else None
