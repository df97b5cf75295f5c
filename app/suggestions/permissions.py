"""Who may do what with suggestions: predicates built on the roles a user holds per community.

Each predicate takes the acting user explicitly, so views, templates, operations, the CLI and
tests all ask the same question. The model's `can_*` methods add the suggestion's state.
"""

from typing import TYPE_CHECKING

from app.accounts.models import Role
from app.accounts.permissions import body_ids_handled_by, roles_in

if TYPE_CHECKING:
    from app.suggestions.models import Suggestion


def _signed_in(user) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False))


def can_submit(user, community) -> bool:
    """A resident of the community may make a suggestion online."""
    return Role.RESIDENT in roles_in(user, community)


def can_record(user, community) -> bool:
    """A secretary or a deputy serving the community may record a resident's suggestion for them."""
    return bool({Role.SECRETARY, Role.DEPUTY} & roles_in(user, community))


def can_triage(user, community) -> bool:
    """The community's secretary accepts, routes, re-routes, declines and closes suggestions."""
    return Role.SECRETARY in roles_in(user, community)


def handles_body(user, body_id: int | None) -> bool:
    """Whether `user` answers for the body `body_id`."""
    return _signed_in(user) and body_id is not None and body_id in body_ids_handled_by(user)


def can_answer(user, suggestion: "Suggestion") -> bool:
    """A handler of the body the suggestion is routed to answers it."""
    return handles_body(user, suggestion.body_id) and Role.HANDLER in roles_in(
        user, suggestion.community_id
    )


def can_rate(user, suggestion: "Suggestion") -> bool:
    """Only the resident who made the suggestion rates its answer."""
    return suggestion.is_submitter(user)


def can_see_text(user, suggestion: "Suggestion") -> bool:
    """The details are for the submitter, whoever recorded it, the secretary and the body's handlers."""
    if not _signed_in(user):
        return False
    if user.id in (suggestion.submitter_id, suggestion.recorded_by_id):
        return True
    return can_triage(user, suggestion.community_id) or handles_body(user, suggestion.body_id)


def can_set_time_limits(user, community) -> bool:
    """The community's secretary sets its time limits per category."""
    return can_triage(user, community)
