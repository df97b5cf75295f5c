"""The paper-ballot desk: the secretary's running count, the room's head count, her wording.

At a meeting the secretary types in the paper ballots handed in by voters present in the room.
Everything here speaks to her about the voter ("王秀英 has already voted"), never to the voter.
"""

from flask_babel import lazy_gettext as _l

from app.accounts.models import User
from app.core import audit
from app.core.errors import DomainError, InvalidInput
from app.votes import queries
from app.votes.common import lock_vote, require_manager
from app.votes.errors import AlreadyVoted, InvalidChoices, NotEligible
from app.votes.models import Vote


def desk_count(vote: Vote) -> dict:
    """The desk's running count.

    ``entered``: paper ballots entered in this vote so far (by any secretary). ``present``: the
    electors the secretary counted in the room (到场), None until she gives it. ``electorate``:
    the frozen electorate; ``took_part``: voters (or households) who voted, online or on paper.
    """
    return {
        "entered": queries.paper_ballots_entered(vote),
        "present": vote.present_count,
        "electorate": vote.electorate_size or 0,
        "took_part": queries.participant_count(vote),
    }


def set_present_count(vote: Vote, present: int | None, actor: User) -> Vote:
    """Record how many electors are present in the room, as the secretary counted them."""
    require_manager(actor, vote.community_id)
    vote = lock_vote(vote)
    size = vote.electorate_size or 0
    if present is None or not 0 <= present <= size:
        raise InvalidInput(
            _l("Give the number of voters present, from 0 to %(n)d (the electorate).", n=size),
            code="present_out_of_range",
        )
    vote.present_count = present
    audit.record(
        "vote.present_count",
        vote,
        community=vote.community_id,
        actor=actor,
        detail=f"{present} present for the paper ballots",
    )
    return vote


def paper_refusal(vote: Vote, voter: User, error: DomainError) -> DomainError:
    """The same refusal, worded for the secretary entering `voter`'s paper ballot."""
    name = voter.display_name
    if isinstance(error, AlreadyVoted):
        message = (
            _l(
                "The household of %(name)s has already voted in this vote; nothing was saved.",
                name=name,
            )
            if vote.per_household
            else _l("%(name)s has already voted in this vote; nothing was saved.", name=name)
        )
        return AlreadyVoted(message)
    if isinstance(error, NotEligible):
        return NotEligible(_l("%(name)s is not in this vote's electorate.", name=name))
    if isinstance(error, InvalidChoices):
        return InvalidChoices(choices_message(vote, error.code), error.code)
    return error


def choices_message(vote: Vote, code: str):
    """Why the choices typed in do not fit the vote, said to the secretary."""
    if code == "too_many":
        k = (vote.manifest or {}).get("params", {}).get("max_choices")
        return _l("This ballot approves more projects than allowed (at most %(k)s).", k=k)
    if code == "missing_item":
        return _l("Mark yes, no or abstain for every project, as on the paper ballot.")
    if code == "bad_answer":
        return _l("Mark yes, no or abstain, as on the paper ballot.")
    return _l("These choices do not fit this vote; check them against the paper ballot.")
