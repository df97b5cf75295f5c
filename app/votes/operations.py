"""Every write of the votes domain, by topic: definition, lifecycle, casting.

Each operation takes the acting user and checks that they may act (`NotAllowed` otherwise),
locks the vote it changes, raises a `VoteError` (a `DomainError`) when the vote's rules say no,
flushes, audits and emits the domain's signals. The request lifecycle commits.
"""

from app.votes.casting import (
    CHECKPOINT_EVERY,
    CHECKPOINT_INTERVAL,
    cast_ballot,
    check_choices,
    checkpoint_due,
    invalid_ballot_message,
    latest_checkpoint,
    review_ballot,
    take_checkpoint,
)
from app.votes.common import iso, voter_public_name
from app.votes.definition import create_ratification, create_vote, update_vote
from app.votes.errors import AlreadyVoted, InvalidChoices, NotEligible, VoteError, VoteNotOpen
from app.votes.lifecycle import (
    build_manifest,
    cancel_vote,
    close_vote,
    elector_users,
    electorate_members,
    open_vote,
    publish_vote,
    tick,
)
from app.votes.queries import elector_for, has_voted

__all__ = [
    "CHECKPOINT_EVERY",
    "CHECKPOINT_INTERVAL",
    "AlreadyVoted",
    "InvalidChoices",
    "NotEligible",
    "VoteError",
    "VoteNotOpen",
    "build_manifest",
    "cancel_vote",
    "cast_ballot",
    "check_choices",
    "checkpoint_due",
    "close_vote",
    "create_ratification",
    "create_vote",
    "elector_for",
    "elector_users",
    "electorate_members",
    "has_voted",
    "invalid_ballot_message",
    "iso",
    "latest_checkpoint",
    "open_vote",
    "publish_vote",
    "review_ballot",
    "take_checkpoint",
    "tick",
    "update_vote",
    "voter_public_name",
]
