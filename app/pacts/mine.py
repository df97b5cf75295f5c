"""What the viewer has done on a pact that its pages show them, read in one statement."""

import functools
from typing import Any

from sqlalchemy import Integer, bindparam, literal_column, null, select, union_all

from app.extensions import db
from app.pacts.models import (
    Amendment,
    AmendmentEndorsement,
    Clause,
    Comment,
    CommentAgree,
    Pact,
    PactFollow,
    PactVersion,
    Position,
    Stance,
)


class Mine:
    """What the viewer has done on one pact that its pages show them: whether they follow it,
    their positions on one version's clauses, their +1s, their endorsements and the amendments
    they proposed.

    Read in one statement the first time anything is asked (a page asked four questions in four
    statements); an anonymous viewer has done nothing and costs none. A user's +1s and
    endorsements are few, so all of theirs on the pact are read, whatever page of comments is
    shown."""

    def __init__(self, pact: Pact, version: PactVersion | None, user) -> None:
        self._pact_id = pact.id
        self._version_id = version.id if version is not None else None
        self._user_id = user.id if getattr(user, "is_authenticated", False) else None
        self._loaded = False
        self.following = False
        self.positions: dict[int, Stance] = {}
        self.agreed: set[int] = set()
        self.endorsed: set[int] = set()
        #: The amendments they proposed (their own show their full name and a withdraw button).
        self.authored: set[int] = set()

    def load(self) -> "Mine":
        if self._loaded or self._user_id is None:
            return self
        self._loaded = True
        params = {"uid": self._user_id, "pact_id": self._pact_id}
        if self._version_id is not None:
            params["version_id"] = self._version_id
        statement = _statement(self._version_id is not None)
        for kind, ident, stance in db.session.execute(statement, params):
            if kind == "f":
                self.following = True
            elif kind == "a":
                self.agreed.add(ident)
            elif kind == "e":
                self.endorsed.add(ident)
            elif kind == "w":
                self.authored.add(ident)
            else:
                self.positions[ident] = Stance(stance)
        return self


@functools.cache
def _statement(with_positions: bool):
    """`Mine.load`'s one statement, built once per shape (parameters ``uid``, ``pact_id`` and
    ``version_id``): a statement used again keeps its compiled form and cache key."""
    uid = bindparam("uid", type_=Integer)
    pact_id = bindparam("pact_id", type_=Integer)
    parts: list[Any] = [
        select(literal_column("'f'"), PactFollow.id, null()).where(
            PactFollow.pact_id == pact_id, PactFollow.user_id == uid
        ),
        select(literal_column("'a'"), CommentAgree.comment_id, null())
        .join(Comment, Comment.id == CommentAgree.comment_id)
        .where(CommentAgree.user_id == uid, Comment.pact_id == pact_id),
        select(literal_column("'e'"), AmendmentEndorsement.amendment_id, null())
        .join(Amendment, Amendment.id == AmendmentEndorsement.amendment_id)
        .where(AmendmentEndorsement.user_id == uid, Amendment.pact_id == pact_id),
        select(literal_column("'w'"), Amendment.id, null()).where(
            Amendment.author_id == uid, Amendment.pact_id == pact_id
        ),
    ]
    if with_positions:
        parts.append(
            select(literal_column("'p'"), Position.clause_id, Position.stance)
            .join(Clause, Clause.id == Position.clause_id)
            .where(
                Clause.version_id == bindparam("version_id", type_=Integer),
                Position.user_id == uid,
            )
        )
    return union_all(*parts)
