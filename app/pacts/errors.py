"""The pacts domain's refusals: `DomainError`s, so the one handler renders them (core/errors.py)."""

from app.core.errors import Conflict, DomainError, InvalidInput, NotAllowed


class PactError(DomainError):
    """A refusal of the pacts domain; the subclasses below give its HTTP status."""


class PactInvalid(PactError, InvalidInput):
    """What the user wrote breaks a rule (empty, too long, the same as before...)."""


class PactNotAllowed(PactError, NotAllowed):
    """The user may not do this to this pact (not a resident, not the author...)."""


class PactConflict(PactError, Conflict):
    """The pact, comment or amendment is not in a state that allows this now."""


class IllegalTransition(PactConflict):
    """A pact was asked to move to a status its lifecycle does not allow from where it is."""
