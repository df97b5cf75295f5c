"""What the viewer has done on a pact that its pages show them, read in one statement."""

import functools
import json
from typing import Any

from flask import g
from sqlalchemy import (
    ColumnElement,
    Integer,
    Text,
    bindparam,
    cast,
    func,
    literal_column,
    null,
    select,
    union_all,
)

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
        read = g.get(READ_WITH_PACT, {}).get((self._pact_id, self._user_id))
        if read is None:  # not read with the pact (`loading.load_pact`): read here
            params = {"uid": self._user_id, "pact_id": self._pact_id}
            read = list(db.session.execute(_doings(), params))
        # A position counts on the version shown; the rest holds for the pact as a whole.
        rows = [(k, i, s) for k, i, s, v in read if v is None or v == self._version_id]
        for kind, ident, stance in rows:
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
def _doings():
    """Everything the reader did on the pact, a row (kind, id, stance, version id of a
    position's clause) each, for every version (parameters ``uid`` and ``pact_id``): `Mine`'s
    one statement, or a subquery of the pact's own (`all_of_pact`). Built once: a statement used
    again keeps its compiled form and cache key."""
    uid = bindparam("uid", type_=Integer)
    pact_id = bindparam("pact_id", type_=Integer)
    nothing, no_version = cast(null(), Text), cast(null(), Integer)  # typed for PostgreSQL
    parts: list[Any] = [
        select(
            literal_column("'f'").label("k"),
            PactFollow.id.label("i"),
            nothing.label("s"),
            no_version.label("v"),
        ).where(PactFollow.pact_id == pact_id, PactFollow.user_id == uid),
        select(literal_column("'a'"), CommentAgree.comment_id, nothing, no_version)
        .join(Comment, Comment.id == CommentAgree.comment_id)
        .where(CommentAgree.user_id == uid, Comment.pact_id == pact_id),
        select(literal_column("'e'"), AmendmentEndorsement.amendment_id, nothing, no_version)
        .join(Amendment, Amendment.id == AmendmentEndorsement.amendment_id)
        .where(AmendmentEndorsement.user_id == uid, Amendment.pact_id == pact_id),
        select(literal_column("'w'"), Amendment.id, nothing, no_version).where(
            Amendment.author_id == uid, Amendment.pact_id == pact_id
        ),
        select(literal_column("'p'"), Position.clause_id, Position.stance, Clause.version_id)
        .join(Clause, Clause.id == Position.clause_id)
        .join(PactVersion, PactVersion.id == Clause.version_id)
        .where(PactVersion.pact_id == pact_id, Position.user_id == uid),
    ]
    return union_all(*parts)


#: Where `loading.load_pact` leaves what it read of a reader's doings with the pact, by
#: (pact id, user id): rows of (kind, id, stance, version id of a position's clause).
READ_WITH_PACT = "pact_mine_read"


def remember_read(pact_id: int, user_id: int, text: str | None) -> None:
    """Keep for `Mine.load` the rows `all_of_pact` read as JSON text with the pact."""
    rows = [tuple(r) for r in json.loads(text or "[]")]
    g.setdefault(READ_WITH_PACT, {})[(pact_id, user_id)] = rows


def all_of_pact(postgres: bool):
    """`_doings` as JSON text in one scalar subquery of the pact's own statement (parameters
    ``uid`` and ``pact_id``): one round trip for the pact and the reader's doings with it."""
    m = _doings().subquery("m")
    rows: ColumnElement[str] = (
        cast(func.json_agg(func.json_build_array(m.c.k, m.c.i, m.c.s, m.c.v)), Text)
        if postgres
        else func.json_group_array(func.json_array(m.c.k, m.c.i, m.c.s, m.c.v))
    )
    return select(rows).scalar_subquery()
