"""Who may do what with votes, and whether a user may cast a ballot now.

Views, templates, operations and the CLI all ask these; `cast_ballot` refuses with exactly the
refusal `ballot_refusal` names, so the review page and the cast never disagree.
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l

from app.accounts.models import Role
from app.accounts.permissions import roles_in
from app.core.errors import DomainError
from app.votes import queries
from app.votes.errors import AlreadyVoted, NotEligible, VoteNotOpen
from app.votes.models import Vote

#: Roles that define, open, close, certify and cancel a community's votes.
MANAGERS = frozenset({Role.SECRETARY})


def can_manage_votes(user, community) -> bool:
    """Whether `user` runs the votes of `community` (its secretary)."""
    return bool(MANAGERS & roles_in(user, community))


def can_see(user, vote: Vote) -> bool:
    """A draft exists only for those who manage the community's votes; every other vote is public."""
    return not vote.is_draft or can_manage_votes(user, vote.community_id)


def can_enter_paper_ballots(user, vote: Vote, now: datetime) -> bool:
    """The secretary types in the paper ballots of voters present in the room while it is open."""
    return can_manage_votes(user, vote.community_id) and vote.can_receive_ballots(now)


def already_voted_message(vote: Vote):
    if vote.per_household:
        return _l("Your household has already voted; a ballot, once cast, is final.")
    return _l("You have already voted in this vote; a ballot, once cast, is final.")


def ballot_refusal(vote: Vote, user, now: datetime) -> DomainError | None:
    """Why `user` cannot cast a ballot in `vote` now, or None when they can."""
    if not vote.can_receive_ballots(now):
        return VoteNotOpen(_l("This vote is not open for ballots."))
    elector, voted = queries.elector_standing(vote, user)
    return standing_refusal(vote, elector, voted)


def standing_refusal(vote: Vote, elector, voted: bool) -> DomainError | None:
    """The refusal for an elector entry (or none) that has (or has not) voted."""
    if elector is None:
        return NotEligible(_l("You are not in this vote's electorate, so you cannot vote in it."))
    if voted:
        return AlreadyVoted(already_voted_message(vote))
    return None


def can_cast(user, vote: Vote, now: datetime) -> bool:
    """Whether `user` may cast a ballot in `vote` now."""
    return ballot_refusal(vote, user, now) is None


#: Roles that choose the witnesses who cosign a community's ballot logs.
WITNESS_MANAGERS = frozenset({Role.SECRETARY, Role.ADMIN})


def can_manage_witnesses(user, community) -> bool:
    """The community's secretary, or an administrator, adds and removes its witnesses."""
    return bool(WITNESS_MANAGERS & roles_in(user, community))
