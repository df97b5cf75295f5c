"""The refusals of the votes domain: members of the one `DomainError` family (core/errors.py)."""

from app.core.errors import Conflict, InvalidInput, NotAllowed


class VoteError(Conflict):
    """A vote action refused by the vote's rules or state (409 unless a subclass says otherwise)."""

    code = "refused"

    def __init__(self, message=None, code: str | None = None, **kwargs):
        super().__init__(message, code=code, **kwargs)


class NotEligible(VoteError, NotAllowed):
    """The voter is not in the vote's frozen electorate."""

    status = 403
    code = "not_eligible"


class AlreadyVoted(VoteError):
    """The voter (or their household) has already cast a ballot; a ballot is final."""

    status = 409
    code = "already_voted"


class VoteNotOpen(VoteError):
    """The vote does not receive ballots now."""

    status = 409
    code = "not_open"


class InvalidChoices(VoteError, InvalidInput):
    """The ballot's choices do not fit the vote's method and rules."""

    status = 400
    code = "invalid"
