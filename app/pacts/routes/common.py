"""What the pact views share: loaders that 404, the viewer's permissions, where to go back to."""

from collections.abc import Callable, Iterator

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

from app.core.errors import NotFound
from app.core.web import safe_next
from app.extensions import db
from app.pacts import permissions
from app.pacts import queries as q
from app.pacts.mine import Mine
from app.pacts.models import Amendment, Clause, Comment, Pact, PactVersion


def comment_limit() -> str:
    return current_app.config.get("PACT_COMMENT_RATE_LIMIT", "10 per minute;60 per hour")


def user_key() -> str:
    return str(current_user.get_id())


def load_pact(
    pact_id: int, clauses: bool = True, *, page: bool = False, clause_id: int | None = None
) -> Pact:
    """The pact, or 404; drafts exist only for those who manage the community's pacts.
    `clauses=False`: its clauses loaded only when used (see `queries.load_pact`). A `page`
    (the pact's, a clause's: `clause_id`) reads in the same statement what its signed-in reader
    did on the pact and the clause it shows."""
    reader = current_user.id if page and current_user.is_authenticated else None
    pact = q.load_pact(pact_id, clauses, reader_id=reader, clause_id=clause_id)
    if not permissions.can_view(current_user, pact):
        raise NotFound()
    return pact


def managed_pact(pact_id: int) -> Pact:
    """The pact, or 404; 403 unless the current user manages it."""
    pact = q.load_pact(pact_id)
    if not permissions.can_manage(current_user, pact.community_id):
        abort(403)
    return pact


def clause_of(pact: Pact, clause_id: int) -> Clause:
    """A clause of `pact`, or 404 (a draft's clause only for those who manage the pact)."""
    clause = db.get_or_404(Clause, clause_id)
    if clause.version.pact_id != pact.id:
        raise NotFound()
    if not clause.version.is_published and not permissions.can_manage(
        current_user, pact.community_id
    ):
        raise NotFound()
    return clause


def comment_of(comment_id: int) -> Comment:
    """A comment of a pact the current user may see, or 404."""
    comment = db.get_or_404(Comment, comment_id)
    if not permissions.can_view(current_user, comment.pact):
        raise NotFound()
    return comment


def amendment_of(amendment_id: int) -> Amendment:
    """An amendment of a pact the current user may see, or 404."""
    amendment = db.get_or_404(Amendment, amendment_id)
    if not permissions.can_view(current_user, amendment.pact):
        raise NotFound()
    return amendment


def back(default: str):
    """Redirect to the page the form came from (a site-relative `next`), or to `default`."""
    return redirect(safe_next(request.form.get("next") or "", default), 303)


def comment_url(comment: Comment) -> str:
    anchor = f"#comment-{comment.id}"
    if comment.clause_id:
        return (
            url_for("pacts.clause", pact_id=comment.pact_id, clause_id=comment.clause_id) + anchor
        )
    return url_for("pacts.show", pact_id=comment.pact_id) + anchor


def amendment_url(amendment: Amendment) -> str:
    return (
        url_for("pacts.clause", pact_id=amendment.pact_id, clause_id=amendment.clause_id)
        + f"#amendment-{amendment.id}"
    )


class LazyIds:
    """A set of ids read from the database the first time it is asked anything."""

    def __init__(self, load: Callable[[], set[int]]) -> None:
        self._load = load
        self._ids: set[int] | None = None

    @property
    def ids(self) -> set[int]:
        if self._ids is None:
            self._ids = self._load()
        return self._ids

    def __contains__(self, item: object) -> bool:
        return item in self.ids

    def __iter__(self) -> Iterator[int]:
        return iter(self.ids)

    def __len__(self) -> int:
        return len(self.ids)


class _Following:
    """Whether the viewer follows the pact, read (with the rest of `Mine`) when first asked."""

    def __init__(self, mine: Mine) -> None:
        self._mine = mine

    def __bool__(self) -> bool:
        return self._mine.load().following


def viewer_context(pact: Pact, version: PactVersion | None = None) -> dict:
    """What the current user may do on the pact's pages, for the templates; with `version`,
    their own positions on its clauses come with the rest of what they did (`mine`)."""
    user = current_user
    mine = Mine(pact, version, user)
    return {
        "can_manage": permissions.can_manage(user, pact.community_id),
        # The secretary replies in threads to answer them (during consultation and revision).
        "can_answer": permissions.can_answer(user, pact),
        # Read only if used: a page served from the cache never asks (the badges are cached).
        "secretary_ids": LazyIds(lambda: q.secretary_ids(pact.community_id)),
        "can_moderate": permissions.can_moderate(user, pact.community_id),
        "is_resident": permissions.can_participate(user, pact.community_id),
        "can_take_part": permissions.can_take_part(user, pact),
        "mine": mine,
        "following": _Following(mine),
    }


def selected_version(pact: Pact) -> PactVersion | None:
    """The version asked for in `?version=`, else the latest (or the draft, for the secretary)."""
    can_manage = permissions.can_manage(current_user, pact.community_id)
    number = request.args.get("version", type=int)
    if number is not None:
        version = pact.version(number)
        if version is None or (not version.is_published and not can_manage):
            raise NotFound()
        return version
    return pact.latest_version or (pact.draft_version if can_manage else None)
