"""What the pacts operations share: text checks, permission checks, followers and links."""

from flask_babel import lazy_gettext as _
from sqlalchemy import select

from app.accounts.models import User
from app.accounts.names import mask
from app.core import audit
from app.extensions import db
from app.pacts import permissions
from app.pacts.errors import PactConflict, PactInvalid, PactNotAllowed
from app.pacts.models import Amendment, Clause, Comment, Pact, PactFollow

TITLE_MAX = 200
REASON_MAX = 300


def pact_link(pact: Pact, anchor: str = "") -> str:
    """The pact page, for notifications (stored as a site-relative link, also from the CLI)."""
    return f"/pacts/{pact.id}" + (f"#{anchor}" if anchor else "")


def comment_link(comment: Comment) -> str:
    """Where the comment is shown: its clause's page, or the pact page for the whole pact."""
    if comment.clause_id:
        return f"/pacts/{comment.pact_id}/clauses/{comment.clause_id}#comment-{comment.id}"
    return f"/pacts/{comment.pact_id}#comment-{comment.id}"


def amendment_link(amendment: Amendment) -> str:
    """Amendments are shown on their clause's page."""
    return f"/pacts/{amendment.pact_id}/clauses/{amendment.clause_id}#amendment-{amendment.id}"


def followers(pact: Pact, exclude=None) -> list:
    """Everyone who follows `pact`, but `exclude` (the one who acted)."""
    users = db.session.scalars(
        select(User)
        .join(PactFollow, PactFollow.user_id == User.id)
        .where(PactFollow.pact_id == pact.id)
    ).all()
    return [u for u in users if exclude is None or u.id != exclude.id]


def check_text(text: str, maximum: int, what) -> str:
    """The text stripped, or a refusal when it is empty or longer than `maximum`."""
    text = (text or "").strip()
    if not text:
        raise PactInvalid(_("%(what)s cannot be empty.", what=what))
    if len(text) > maximum:
        raise PactInvalid(
            _("%(what)s is too long (at most %(max)d characters).", what=what, max=maximum)
        )
    return text


def require_manage(pact_or_community, actor) -> None:
    """Refuse unless `actor` manages the community's pacts."""
    community = getattr(pact_or_community, "community_id", None)
    if community is None:
        community = pact_or_community
    if not permissions.can_manage(actor, community):
        raise PactNotAllowed()


def require_participation(pact: Pact, user, clause: Clause | None = None) -> None:
    """Refuse unless `user` is a resident, the consultation is open and `clause` is current."""
    if not permissions.can_participate(user, pact.community_id):
        raise PactNotAllowed(_("Only residents of this community can take part in its pact."))
    if not pact.consultation_is_open():
        raise PactConflict(
            _("The consultation is closed; positions, comments and amendments are no longer taken.")
        )
    if clause is not None:
        require_own_clause(pact, clause)
        latest = pact.latest_version
        if latest is None or clause.version_id != latest.id:
            raise PactConflict(
                _("This clause is from an older version; take part on the current version.")
            )


def require_own_clause(pact: Pact, clause: Clause) -> None:
    """Refuse a clause of another pact."""
    if clause.version.pact_id != pact.id:
        raise PactInvalid(_("This clause belongs to another pact."))


def display_name(user) -> str:
    """How a participant is named in notifications."""
    return mask(user.display_name)


def add_follow(pact: Pact, user) -> None:
    """`user` follows `pact` (once)."""
    if user is None:
        return
    exists = db.session.scalar(
        select(PactFollow.id).where(PactFollow.pact_id == pact.id, PactFollow.user_id == user.id)
    )
    if not exists:
        db.session.add(PactFollow(pact_id=pact.id, user_id=user.id))
        db.session.flush()


def follow_pact(pact: Pact, user) -> None:
    """Follow a pact: be told of new versions, the end of consultation and answers."""
    if not permissions.can_follow(user, pact):
        raise PactNotAllowed()
    add_follow(pact, user)
    audit.record("pact.follow", pact, community=pact.community_id, actor=user)


def unfollow_pact(pact: Pact, user) -> None:
    """Stop following a pact."""
    follow = db.session.scalar(
        select(PactFollow).where(PactFollow.pact_id == pact.id, PactFollow.user_id == user.id)
    )
    if follow is not None:
        db.session.delete(follow)
        db.session.flush()
    audit.record("pact.unfollow", pact, community=pact.community_id, actor=user)
