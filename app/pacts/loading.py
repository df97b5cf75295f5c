"""The pact as its pages and actions load it: one statement with its versions and community,
and for a page also what its reader did on it and the clause it shows."""

import functools

from flask import g
from sqlalchemy import Integer, bindparam, null, select
from sqlalchemy.orm import joinedload, selectinload

from app.core.db import is_postgres
from app.core.errors import NotFound
from app.extensions import db
from app.pacts.mine import all_of_pact, remember_read
from app.pacts.models import Clause, Pact, PactVersion


def load_pact(
    pact_id: int,
    clauses: bool = True,
    *,
    reader_id: int | None = None,
    clause_id: int | None = None,
) -> Pact:
    """The pact with its versions, clauses and community, or `NotFound`.

    `clauses=False` leaves the clauses to be loaded when used: the pact and clause pages,
    served from the cache, mostly never touch them (loading every version's clauses was two
    fifths of an anonymous pact page; the clause page needs one clause).

    A page (not an action) also asks, in the same statement, for what its reader `reader_id`
    has done on the pact (`pacts/mine.py`, read by `Mine` without a statement of its own) and
    for the clause `clause_id` it shows (then in the session: `db.get_or_404` reads none)."""
    # Without the clauses, the few versions come joined to the pact: one statement, not two.
    statement = _pact_statement(
        clauses, reader_id is not None, clause_id is not None, is_postgres()
    )
    params = {"pact_id": pact_id, "uid": reader_id, "clause_id": clause_id}
    row = db.session.execute(statement, params).unique().first()
    if row is None:
        raise NotFound()
    pact = row[0]
    if reader_id is not None:
        remember_read(pact.id, reader_id, row[1])
    if clause_id is not None and row[2] is not None:
        # The session holds what it loaded weakly: kept here, the clause is found in it.
        g.setdefault("pact_page_clauses", []).append(row[2])
    return pact


@functools.cache
def _pact_statement(clauses: bool, with_mine: bool, with_clause: bool, postgres: bool):
    """`load_pact`'s statement, built once per shape (parameters ``pact_id`` and, as asked,
    ``uid`` and ``clause_id``): a statement used again keeps its compiled form and cache key."""
    versions = (
        selectinload(Pact.versions).selectinload(PactVersion.clauses)
        if clauses
        else joinedload(Pact.versions)
    )
    columns: list = [Pact, all_of_pact(postgres) if with_mine else null()]
    statement = select(*columns)
    if with_clause:
        statement = statement.add_columns(Clause).outerjoin(
            Clause, Clause.id == bindparam("clause_id", type_=Integer)
        )
    return statement.where(Pact.id == bindparam("pact_id", type_=Integer)).options(
        versions, joinedload(Pact.community)
    )


@functools.cache
def _pact_with_community_statement():
    return (
        select(Pact)
        .where(Pact.id == bindparam("pact_id", type_=Integer))
        .options(joinedload(Pact.community))
    )


def pact_with_community(pact_id: int) -> Pact | None:
    """The pact and its community in one statement, nothing else (a cached page's key)."""
    return db.session.scalar(_pact_with_community_statement(), {"pact_id": pact_id})
