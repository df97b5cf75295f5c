"""Who may do what with a community's pacts: `can_<action>(user, ...)` predicates on `roles_in`.

Views, templates, operations and the CLI all ask these; nothing else decides who may act.
The roles: the community's secretary manages and moderates its pacts, its residents take part.
"""

from typing import TYPE_CHECKING

from app.accounts.models import Role
from app.accounts.permissions import roles_in

if TYPE_CHECKING:
    from app.pacts.models import Comment, Pact


def _community(community) -> int:
    return community if isinstance(community, int) else community.id


def can_manage(user, community) -> bool:
    """Write, publish and steer the community's pacts, answer amendments (its secretary)."""
    return Role.SECRETARY in roles_in(user, _community(community))


def can_moderate(user, community) -> bool:
    """Hide reported comments and dismiss reports (the community's secretary)."""
    return Role.SECRETARY in roles_in(user, _community(community))


def can_participate(user, community) -> bool:
    """Take positions, comment, amend and endorse in the community's pacts (its residents)."""
    return Role.RESIDENT in roles_in(user, _community(community))


def can_view(user, pact: "Pact") -> bool:
    """Everything after drafting is public; a draft only for those who manage the pact."""
    return pact.is_public or can_manage(user, pact.community_id)


def can_follow(user, pact: "Pact") -> bool:
    """Any signed-in user who may see the pact, also from outside its community (issue 14).

    Intended: following is reading, not taking part. A public pact (anything after drafting) is
    readable by anyone without an account, and what followers are told is only its public
    lifecycle (consultation opened or ended, a version published, sent to ratification,
    adopted, superseded, repealed), so an outsider learns nothing a visitor could not read.
    It serves the subdistrict and deputies of a station that serves several communities,
    neighbouring communities and a resident whose membership is still pending. Positions,
    comments and amendments stay with the community's residents (`can_participate`). A draft
    can be followed only by who may see it and by the community's residents (to be told when
    it opens for consultation; its page stays closed to them until then).
    """
    if not getattr(user, "is_authenticated", False):
        return False
    return can_view(user, pact) or can_participate(user, pact.community_id)


def can_take_part(user, pact: "Pact") -> bool:
    """A resident, while the consultation window is open."""
    return can_participate(user, pact.community_id) and pact.consultation_is_open()


def can_answer(user, pact: "Pact", reply: bool = True) -> bool:
    """The secretary answers in threads during consultation and the revision after it."""
    return can_manage(user, pact.community_id) and pact.secretary_may_answer(reply=reply)


def can_report(user, comment: "Comment") -> bool:
    """Residents (and the secretary) report a community's comments to its secretary."""
    community = comment.pact.community_id
    return can_participate(user, community) or can_manage(user, community)
