"""What the vote views share: the loader and small helpers."""

from datetime import datetime

from flask import abort
from flask_login import current_user

from app.core.errors import NotFound
from app.core.time import to_local
from app.extensions import db
from app.votes.models import Vote
from app.votes.permissions import can_manage_votes, can_see


def get_vote(vote_id: int) -> Vote:
    """The vote, or 404; drafts exist only for those who manage the community's votes."""
    vote = db.session.get(Vote, vote_id)
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
