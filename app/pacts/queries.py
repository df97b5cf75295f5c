"""Reads that pact pages share; each runs a fixed number of queries whatever the data size."""

import functools

from sqlalchemy import Integer, and_, bindparam, func, select
from sqlalchemy.orm import joinedload, load_only, selectinload

from app.accounts.models import Membership, Role, RoleAssignment, User
from app.extensions import db
from app.org.models import Building, Household
from app.pacts.consensus import ClauseConsensus, GroupCount, clause_consensus
from app.pacts.loading import load_pact, pact_with_community  # noqa: F401 - read from here too
from app.pacts.models import (
    Amendment,
    AmendmentStatus,
    Clause,
    Comment,
    CommentAgree,
    CommentReport,
    Pact,
    PactStatus,
    PactVersion,
    Position,
)

#: Threads per page, and replies shown under each thread before "more replies": few enough that
#: the first page of a pact with sixty clauses stays under 60 KB (issue 13); the rest is one
#: link (or one htmx swap) away.
THREADS_PER_PAGE = 10
REPLIES_SHOWN = 2
#: The pact page shows its own discussion under sixty clauses: fewer threads there.
PACT_THREADS_PER_PAGE = 5
REPLIES_PER_PAGE = 50


def _author_loader():
    # public_name() needs the author's household and building: load them with the comments.
    return (
        selectinload(Comment.author)
        .selectinload(User.memberships)
        .joinedload(Membership.household)
        .joinedload(Household.building)
    )


def pacts_of_community(community_id: int, include_drafts: bool) -> list[Pact]:
    stmt = (
        select(Pact).where(Pact.community_id == community_id).options(selectinload(Pact.versions))
    )
    if not include_drafts:
        stmt = stmt.where(Pact.status != PactStatus.DRAFTING)
    return list(db.session.scalars(stmt.order_by(Pact.created_at.desc(), Pact.id.desc())))


def pacts_of_communities(community_ids: list[int]) -> list[Pact]:
    """The pacts (not drafts) of several communities in one query, in the order of their ids'
    community and newest first (the home page lists them for every community of a user)."""
    if not community_ids:
        return []
    order = {cid: i for i, cid in enumerate(community_ids)}
    rows = db.session.scalars(_pacts_of_communities_statement(), {"ids": community_ids}).all()
    return sorted(rows, key=lambda p: order[p.community_id])


@functools.cache
def _pacts_of_communities_statement():
    return (
        select(Pact)
        .where(
            Pact.community_id.in_(bindparam("ids", expanding=True)),
            Pact.status != PactStatus.DRAFTING,
        )
        .order_by(Pact.created_at.desc(), Pact.id.desc())
        # What the home page shows of each: its title and consultation window (not its summary).
        .options(
            load_only(
                Pact.id,
                Pact.community_id,
                Pact.title,
                Pact.status,
                Pact.consultation_opens_at,
                Pact.consultation_closes_at,
                raiseload=True,
            )
        )
    )


def waiting_counts(
    pact_ids: list[int],
) -> tuple[dict[int, int], dict[int, int], dict[int, int]]:
    """pact id -> open amendments, -> visible threads no secretary of its community answered
    (threads a secretary opened need none), -> open reports: three queries for all pacts."""
    if not pact_ids:
        return {}, {}, {}
    amendments = dict(
        db.session.execute(
            select(Amendment.pact_id, func.count(Amendment.id))
            .where(Amendment.pact_id.in_(pact_ids), Amendment.status == AmendmentStatus.OPEN)
            .group_by(Amendment.pact_id)
        ).all()
    )
    secretaries = select(RoleAssignment.user_id).where(
        RoleAssignment.role == Role.SECRETARY, RoleAssignment.community_id == Pact.community_id
    )
    comments = dict(
        db.session.execute(
            select(Comment.pact_id, func.count(Comment.id))
            .join(Pact, Pact.id == Comment.pact_id)
            .where(
                Comment.pact_id.in_(pact_ids),
                Comment.root_id.is_(None),
                Comment.answered_at.is_(None),
                Comment.hidden_at.is_(None),
                Comment.withdrawn_at.is_(None),
                Comment.author_id.not_in(secretaries.scalar_subquery()),
            )
            .group_by(Comment.pact_id)
        ).all()
    )
    reports = dict(
        db.session.execute(
            select(Comment.pact_id, func.count(CommentReport.id))
            .join(Comment, Comment.id == CommentReport.comment_id)
            .where(Comment.pact_id.in_(pact_ids), CommentReport.resolved_at.is_(None))
            .group_by(Comment.pact_id)
        ).all()
    )
    return amendments, comments, reports


def community_household_count(community_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count(Household.id))
            .join(Building)
            .where(Building.community_id == community_id)
        )
        or 0
    )


def consensus_for_version(version: PactVersion, community_id: int) -> dict[int, ClauseConsensus]:
    """clause id -> its consensus figures; three queries for the whole version."""
    rows = db.session.execute(
        select(Position.clause_id, Household.building_id, Position.stance, func.count(Position.id))
        .join(Clause, Clause.id == Position.clause_id)
        .join(Household, Household.id == Position.household_id)
        .where(Clause.version_id == version.id)
        .group_by(Position.clause_id, Household.building_id, Position.stance)
    ).all()
    per_clause: dict[int, dict[int, dict[str, int]]] = {}
    for clause_id, building_id, stance, n in rows:
        per_clause.setdefault(clause_id, {}).setdefault(building_id, {})[str(stance)] = n
    households = dict(
        db.session.execute(
            select(Position.clause_id, func.count(func.distinct(Position.household_id)))
            .join(Clause, Clause.id == Position.clause_id)
            .where(Clause.version_id == version.id, Position.household_id.is_not(None))
            .group_by(Position.clause_id)
        ).all()
    )
    all_households = community_household_count(community_id)
    result = {}
    for clause in version.clauses:
        groups: dict[object, GroupCount] = {
            b: GroupCount(
                support=c.get("support", 0), oppose=c.get("oppose", 0), suggest=c.get("suggest", 0)
            )
            for b, c in per_clause.get(clause.id, {}).items()
        }
        result[clause.id] = clause_consensus(groups, households.get(clause.id, 0), all_households)
    return result


def secretary_ids(community_id: int) -> set[int]:
    """Who answers for the residents' committee: their comments carry a "secretary" badge."""
    return set(
        db.session.scalars(
            select(RoleAssignment.user_id).where(
                RoleAssignment.role == Role.SECRETARY, RoleAssignment.community_id == community_id
            )
        )
    )


def building_labels(community_id: int) -> dict[int, str]:
    return {
        b.id: b.label
        for b in db.session.scalars(select(Building).where(Building.community_id == community_id))
    }


def comment_counts(version: PactVersion) -> dict[int, int]:
    """clause id -> number of visible comments on it."""
    return dict(
        db.session.execute(  # type: ignore[arg-type]  # the join makes clause_id non-null
            select(Comment.clause_id, func.count(Comment.id))
            .join(Clause, Clause.id == Comment.clause_id)
            .where(
                Clause.version_id == version.id,
                Comment.withdrawn_at.is_(None),
                Comment.hidden_at.is_(None),
            )
            .group_by(Comment.clause_id)
        ).all()
    )


def amendment_counts(version: PactVersion) -> dict[int, int]:
    return dict(
        db.session.execute(
            select(Amendment.clause_id, func.count(Amendment.id))
            .join(Clause, Clause.id == Amendment.clause_id)
            .where(Clause.version_id == version.id)
            .group_by(Amendment.clause_id)
        ).all()
    )


def _page(stmt, page: int, per_page: int):
    """`db.paginate` of `stmt`, a page past the end showing the last page (as links may age)."""
    result = db.paginate(stmt, page=max(page, 1), per_page=per_page, error_out=False, count=True)
    if result.pages and result.page > result.pages:
        result = db.paginate(stmt, page=result.pages, per_page=per_page, error_out=False)
    return result


def thread_page(pact: Pact, clause: Clause | None, page: int, user=None) -> dict:
    """One page of threads (pact-level when `clause` is None) with their first replies."""
    base = select(Comment).where(Comment.pact_id == pact.id, Comment.root_id.is_(None))
    base = (
        base.where(Comment.clause_id == clause.id)
        if clause is not None
        else base.where(Comment.clause_id.is_(None))
    )
    pagination = _page(
        base.options(_author_loader()).order_by(Comment.created_at, Comment.id),
        page,
        THREADS_PER_PAGE if clause is not None else PACT_THREADS_PER_PAGE,
    )
    roots = list(pagination.items)
    replies = first_replies([r.id for r in roots])
    comments = roots + [c for lst in replies.values() for c in lst]
    return {
        "threads": roots,
        "replies": replies,
        "pagination": pagination,
        "total": pagination.total,
        "agreed": agreed_ids(comments, user),
        "positions": author_positions(comments),
    }


def first_replies(root_ids: list[int]) -> dict[int, list[Comment]]:
    """The first REPLIES_SHOWN replies of each thread, in one query (a window function)."""
    if not root_ids:
        return {}
    numbered = (
        select(
            Comment.id,
            func.row_number()
            .over(partition_by=Comment.root_id, order_by=(Comment.created_at, Comment.id))
            .label("n"),
        )
        .where(Comment.root_id.in_(root_ids))
        .subquery()
    )
    rows = db.session.scalars(
        select(Comment)
        .join(numbered, and_(numbered.c.id == Comment.id, numbered.c.n <= REPLIES_SHOWN))
        .options(_author_loader())
        .order_by(Comment.created_at, Comment.id)
    ).all()
    out: dict[int, list[Comment]] = {rid: [] for rid in root_ids}
    for c in rows:
        if c.root_id is not None:
            out[c.root_id].append(c)
    return out


def replies_page(root: Comment, page: int, user=None) -> dict:
    """One page of a thread's replies, oldest first."""
    pagination = _page(
        select(Comment)
        .where(Comment.root_id == root.id)
        .options(_author_loader())
        .order_by(Comment.created_at, Comment.id),
        page,
        REPLIES_PER_PAGE,
    )
    rows = list(pagination.items)
    return {
        "replies": rows,
        "pagination": pagination,
        "total": pagination.total,
        "agreed": agreed_ids(rows, user),
        "positions": author_positions(rows),
    }


def agreed_ids(comments: list[Comment], user) -> set[int]:
    return agreed_ids_of([c.id for c in comments], user)


def agreed_ids_of(comment_ids: list[int], user) -> set[int]:
    """Which of these comments `user` gave a +1."""
    if not comment_ids or user is None or not getattr(user, "is_authenticated", False):
        return set()
    return set(
        db.session.scalars(
            select(CommentAgree.comment_id).where(
                CommentAgree.user_id == user.id, CommentAgree.comment_id.in_(comment_ids)
            )
        )
    )


def author_positions(comments: list[Comment]) -> dict[tuple[int, int], str]:
    """(author id, clause id) -> the stance each comment's author holds on its clause."""
    pairs = {(c.author_id, c.clause_id) for c in comments if c.clause_id is not None}
    if not pairs:
        return {}
    rows = db.session.execute(
        select(Position.user_id, Position.clause_id, Position.stance).where(
            Position.clause_id.in_({p[1] for p in pairs}),
            Position.user_id.in_({p[0] for p in pairs}),
        )
    ).all()
    return {(u, c): str(s) for u, c, s in rows}


def amendments_of_clause(clause: Clause) -> list[Amendment]:
    return list(db.session.scalars(_amendments_statement(), {"clause_id": clause.id}))


@functools.cache
def _amendments_statement():
    return (
        select(Amendment)
        .where(Amendment.clause_id == bindparam("clause_id", type_=Integer))
        .options(
            selectinload(Amendment.author)
            .selectinload(User.memberships)
            .joinedload(Membership.household)
            .joinedload(Household.building)
        )
        .order_by(Amendment.created_at, Amendment.id)
    )


def open_reports(community_id: int) -> list[CommentReport]:
    return list(
        db.session.scalars(
            select(CommentReport)
            .join(Comment)
            .join(Pact, Pact.id == Comment.pact_id)
            .where(Pact.community_id == community_id, CommentReport.resolved_at.is_(None))
            .options(joinedload(CommentReport.comment).joinedload(Comment.pact))
            .order_by(CommentReport.created_at)
        )
    )


def change_sources(
    old: PactVersion, between: list[PactVersion]
) -> tuple[dict[int, list[Amendment]], dict[int, int]]:
    """For a comparison of `old` with a later version (`between` = the versions after `old` up to it):
    lineage -> the amendments that landed in those versions, and lineage -> comments on the
    clause in the versions they replaced."""
    new_ids = [v.id for v in between]
    amendments: dict[int, list[Amendment]] = {}
    for a in db.session.scalars(
        select(Amendment)
        .where(Amendment.applied_version_id.in_(new_ids))
        .options(joinedload(Amendment.clause))
        .order_by(Amendment.id)
    ):
        amendments.setdefault(a.clause.lineage, []).append(a)
    source_ids = [old.id] + [v.id for v in between[:-1]]
    counts = dict(
        db.session.execute(
            select(Clause.lineage, func.count(Comment.id))
            .join(Comment, Comment.clause_id == Clause.id)
            .where(
                Clause.version_id.in_(source_ids),
                Comment.hidden_at.is_(None),
                Comment.withdrawn_at.is_(None),
            )
            .group_by(Clause.lineage)
        ).all()
    )
    return amendments, counts


def open_amendments(pact: Pact) -> list[Amendment]:
    """Amendments still waiting for the secretary's answer, oldest first, with their clause."""
    return list(
        db.session.scalars(
            select(Amendment)
            .where(Amendment.pact_id == pact.id, Amendment.status == AmendmentStatus.OPEN)
            .options(joinedload(Amendment.clause).joinedload(Clause.version))
            .order_by(Amendment.created_at, Amendment.id)
        )
    )


def unanswered_threads(pact: Pact, secretaries: set[int]) -> list[tuple[Clause | None, int]]:
    """(clause or None for the whole pact, number of visible threads without an answer), in
    clause order: what the secretary still has to answer (threads they opened need none)."""
    rows = db.session.execute(
        select(Comment.clause_id, func.count(Comment.id))
        .where(
            Comment.pact_id == pact.id,
            Comment.root_id.is_(None),
            Comment.answered_at.is_(None),
            Comment.hidden_at.is_(None),
            Comment.withdrawn_at.is_(None),
            Comment.author_id.not_in(secretaries or {0}),
        )
        .group_by(Comment.clause_id)
    ).all()
    clauses = {
        c.id: c
        for c in db.session.scalars(
            select(Clause)
            .where(Clause.id.in_([cid for cid, _n in rows if cid is not None]))
            .options(joinedload(Clause.version))
        )
    }
    out = [(clauses.get(cid) if cid is not None else None, n) for cid, n in rows]
    return sorted(
        out,
        key=lambda x: (
            x[0] is not None,
            x[0].version.number if x[0] else 0,
            x[0].position if x[0] else 0,
        ),
    )
