"""Reads that the vote pages, the export, the permissions and the home page share."""

import functools
from typing import Any

from flask import g
from sqlalchemy import Integer, and_, bindparam, func, or_, select
from sqlalchemy.orm import Load, joinedload, load_only, selectinload

from app.accounts.models import Membership, User
from app.accounts.queries import members_of_community
from app.core import tlog
from app.extensions import db
from app.org.models import Community, Household
from app.votes import export
from app.votes.export import export_document, reconciliation  # noqa: F401 - read from here too
from app.votes.models import (
    Ballot,
    Checkpoint,
    Cosignature,
    Participation,
    Vote,
    VoteElector,
    VoteOption,
    VoteStatus,
    Witness,
)


def elector_for(vote: Vote, user: User | None) -> VoteElector | None:
    """The frozen electorate entry under which `user` may vote, if any."""
    if user is None or not getattr(user, "is_authenticated", True) or user.deleted_at is not None:
        return None
    if vote.per_household:
        household = user.household
        if household is None:
            return None
        return db.session.scalar(
            select(VoteElector).where(
                VoteElector.vote_id == vote.id, VoteElector.household_id == household.id
            )
        )
    return db.session.scalar(
        select(VoteElector).where(VoteElector.vote_id == vote.id, VoteElector.user_id == user.id)
    )


def elector_standing(vote: Vote, user: User | None) -> tuple[VoteElector | None, bool]:
    """The user's electorate entry and whether it has voted, in one indexed look-up."""
    if user is None or not getattr(user, "is_authenticated", True) or user.deleted_at is not None:
        return None, False
    if vote.per_household:
        household = user.household
        if household is None:
            return None, False
        who = household.id
    else:
        who = user.id
    row = db.session.execute(
        _standing_statement(vote.per_household), {"vote_id": vote.id, "who": who}
    ).first()
    if row is None:
        return None, False
    return row[0], row[1] is not None


@functools.cache
def _standing_statement(per_household: bool):
    """`elector_standing`'s statement, built once per kind of vote (parameters ``vote_id`` and
    ``who``, the household's or the user's id): used again, it keeps its cache key."""
    key = VoteElector.household_id if per_household else VoteElector.user_id
    return (
        select(VoteElector, Participation.id)
        .outerjoin(
            Participation,
            and_(Participation.vote_id == VoteElector.vote_id, Participation.voter_key == key),
        )
        .where(
            VoteElector.vote_id == bindparam("vote_id", type_=Integer),
            key == bindparam("who", type_=Integer),
        )
        .limit(1)
    )


def has_voted(vote: Vote, user: User | None) -> bool:
    """Whether `user` (or, in a household vote, their household) has cast a ballot in `vote`."""
    elector = elector_for(vote, user)
    if elector is None:
        return False
    key = elector.household_id if vote.per_household else elector.user_id
    return (
        db.session.scalar(
            select(Participation.id).where(
                Participation.vote_id == vote.id, Participation.voter_key == key
            )
        )
        is not None
    )


def paper_voters(vote: Vote) -> list[User]:
    """Electors (or members of elector households) who have not voted yet, in a fixed number of queries.

    Their households (and buildings) are loaded with them: the paper ballot lists each one's
    household beside the name.
    """
    voted = set(
        db.session.scalars(select(Participation.voter_key).where(Participation.vote_id == vote.id))
    )
    electors = list(db.session.scalars(select(VoteElector).where(VoteElector.vote_id == vote.id)))
    if vote.per_household:
        waiting = {e.household_id for e in electors if e.household_id not in voted}
        waiting_ids = [u.id for u in members_of_community(vote.community_id)]
    else:
        waiting_ids = [
            e.user_id for e in electors if e.user_id is not None and e.user_id not in voted
        ]
    if not waiting_ids:
        return []
    found = list(
        db.session.scalars(
            select(User)
            .where(User.id.in_(waiting_ids))
            .options(
                selectinload(User.memberships)
                .selectinload(Membership.household)
                .selectinload(Household.building)
            )
            .order_by(User.id)
        )
    )
    if vote.per_household:
        return [u for u in found if u.household is not None and u.household.id in waiting]
    return found


#: The desk lists at most this many matches; typing more of the name narrows the rest.
PAPER_MATCHES_SHOWN = 30


def _paper_haystack(user: User) -> str:
    """What a search at the paper-ballot desk matches: the name, the household and its building."""
    household = user.household
    parts = [user.display_name]
    if household is not None:
        parts += [household.label, household.label.replace(" ", ""), household.building.label]
    return " ".join(parts).casefold()


def search_paper_voters(vote: Vote, text: str) -> list[User]:
    """The voters who have not voted yet whose name, household or building holds every word of `text`.

    ``王`` finds 王秀英, ``3号楼 301`` or ``3号楼301`` that flat, ``3号楼`` everyone of that
    building. An empty `text` finds everyone still to vote.
    """
    words = text.casefold().split()
    return [u for u in paper_voters(vote) if all(w in _paper_haystack(u) for w in words)]


def paper_ballots_entered(vote: Vote) -> int:
    """How many paper ballots the secretaries have entered in this vote."""
    return (
        db.session.scalar(
            select(func.count(Ballot.id)).where(
                Ballot.vote_id == vote.id, Ballot.entered_by_id.is_not(None)
            )
        )
        or 0
    )


def participant_count(vote: Vote) -> int:
    """How many voters (or households) have taken part so far, online or on paper."""
    return (
        db.session.scalar(
            select(func.count(Participation.id)).where(Participation.vote_id == vote.id)
        )
        or 0
    )


def votes_of_project(project_id: int) -> list[Vote]:
    """The votes (drafts left out) whose ballot lists the project."""
    return list(
        db.session.scalars(
            select(Vote)
            .join(VoteOption, VoteOption.vote_id == Vote.id)
            .where(VoteOption.project_id == project_id, Vote.status != VoteStatus.DRAFT)
            .order_by(Vote.id)
        )
    )


def project_on_a_live_ballot(project_id: int) -> bool:
    """Whether an open or uncertified vote shows the project to voters."""
    busy = db.session.scalar(
        select(func.count(VoteOption.id))
        .join(Vote, Vote.id == VoteOption.vote_id)
        .where(
            VoteOption.project_id == project_id,
            Vote.status.in_([VoteStatus.OPEN, VoteStatus.CLOSED]),
        )
    )
    return bool(busy)


def ballot_count(vote: Vote) -> int:
    """How many ballots the log holds (its head on the vote row, kept under the row lock)."""
    return vote.log_size or 0


def latest_checkpoint_shown(vote: Vote, cosignatures: bool = False) -> Checkpoint | None:
    """The vote's latest checkpoint (with its cosignatures loaded in the same statement)."""
    return (
        db.session.scalars(_latest_checkpoint_statement(cosignatures), {"vote_id": vote.id})
        .unique()
        .first()
    )


@functools.cache
def _latest_checkpoint_statement(cosignatures: bool):
    stmt = (
        select(Checkpoint)
        .where(Checkpoint.vote_id == bindparam("vote_id", type_=Integer))
        .order_by(Checkpoint.size.desc(), Checkpoint.id.desc())
        .limit(1)
    )
    return stmt.options(joinedload(Checkpoint.cosignatures)) if cosignatures else stmt


#: `turnout` and `witness_status` read the latest checkpoint themselves unless given it.
UNREAD: Any = object()


def turnout(vote: Vote, checkpoint: Checkpoint | None = UNREAD) -> dict:
    """Ballots cast against the frozen electorate, and the latest checkpoint."""
    cast = ballot_count(vote)
    size = vote.electorate_size or 0
    if checkpoint is UNREAD:
        checkpoint = latest_checkpoint_shown(vote)
    return {
        "cast": cast,
        "size": size,
        "share": (cast / size) if size else 0.0,
        "checkpoint": checkpoint,
    }


def ballots(vote: Vote) -> list[Ballot]:
    return list(
        db.session.scalars(select(Ballot).where(Ballot.vote_id == vote.id).order_by(Ballot.seq))
    )


def participation_names(vote: Vote) -> list[str]:
    return list(export.participation_names(vote.id))


def checkpoints(vote: Vote) -> list[Checkpoint]:
    return list(
        db.session.scalars(
            select(Checkpoint)
            .where(Checkpoint.vote_id == vote.id)
            .order_by(Checkpoint.size, Checkpoint.id)
        )
    )


def community_witnesses(community_id: int) -> list:
    """The witnesses a community has configured, by name."""
    return list(
        db.session.scalars(
            select(Witness).where(Witness.community_id == community_id).order_by(Witness.name)
        )
    )


def ballot_by_hash(receipt: str) -> Ballot | None:
    receipt = (receipt or "").strip().lower()
    if len(receipt) != 64 or any(ch not in "0123456789abcdef" for ch in receipt):
        return None
    return db.session.scalar(select(Ballot).where(Ballot.hash == receipt))


def ballots_by_receipt(text: str) -> list[Ballot]:
    """The ballots a receipt names: its full hash, or the short code shown beside it (its first 8 hex digits).

    A short code may, rarely, match several ballots; the caller then asks for the whole receipt.
    """
    code = "".join((text or "").split()).replace("-", "").lower()
    if len(code) == 64:
        found = ballot_by_hash(code)
        return [found] if found is not None else []
    if len(code) != 8 or any(ch not in "0123456789abcdef" for ch in code):
        return []
    # A range on the hash's unique index (LIKE alone cannot use it outside the C collation).
    stmt = select(Ballot).where(Ballot.hash >= code, Ballot.hash.like(code + "%"))
    if code != "ffffffff":
        stmt = stmt.where(Ballot.hash < f"{int(code, 16) + 1:08x}")
    return list(db.session.scalars(stmt.order_by(Ballot.hash).limit(2)))


#: What the votes list shows of each vote (not its manifest, result or log head).
LISTED = (
    Vote.title,
    Vote.status,
    Vote.method,
    Vote.electorate_kind,
    Vote.secrecy,
    Vote.opens_at,
    Vote.closes_at,
)


def community_votes(community_id: int, include_drafts: bool) -> tuple[Community | None, list[Vote]]:
    """The community (None if there is none) and its votes, latest first, in one statement;
    of each vote only the columns the list shows."""
    rows = db.session.execute(
        _community_votes_statement(include_drafts), {"community_id": community_id}
    ).all()
    if not rows:
        return None, []
    return rows[0][0], [vote for _, vote in rows if vote is not None]


@functools.cache
def _community_votes_statement(include_drafts: bool):
    on = Vote.community_id == Community.id
    if not include_drafts:
        on = and_(on, Vote.status != VoteStatus.DRAFT)
    return (
        select(Community, Vote)
        .outerjoin(Vote, on)
        .options(Load(Vote).load_only(*LISTED))
        .where(Community.id == bindparam("community_id", type_=Integer))
        .order_by(Vote.opens_at.desc(), Vote.id.desc())
    )


def vote_for_page(vote_id: int) -> Vote | None:
    """The vote with what its page shows beside it (community, station, who certified it) and,
    in the same statement, its checkpoints' and cosignatures' marks (kept for `page_marks`)."""
    row = db.session.execute(_vote_page_statement(), {"vote_id": vote_id}).first()
    if row is None:
        return None
    g.setdefault("vote_page_marks", {})[vote_id] = tuple(row[1:])
    return row[0]


def page_marks(vote: Vote) -> tuple | None:
    """What `vote_for_page` read of the vote's checkpoints and cosignatures: the newest
    checkpoint's id, the number of cosignatures and the newest one's id. Both tables only grow
    (nothing updates or deletes a checkpoint or a cosignature), so these change exactly when
    what the page shows of them does."""
    return g.get("vote_page_marks", {}).get(vote.id)


@functools.cache
def _vote_page_statement():
    cosignatures = (
        select(Cosignature.id)
        .join(Checkpoint, Checkpoint.id == Cosignature.checkpoint_id)
        .where(Checkpoint.vote_id == Vote.id)
    )
    return (
        select(
            Vote,
            select(func.max(Checkpoint.id)).where(Checkpoint.vote_id == Vote.id).scalar_subquery(),
            cosignatures.with_only_columns(func.count(Cosignature.id)).scalar_subquery(),
            cosignatures.with_only_columns(func.max(Cosignature.id)).scalar_subquery(),
        )
        .where(Vote.id == bindparam("vote_id", type_=Integer))
        .options(
            joinedload(Vote.community), joinedload(Vote.station), joinedload(Vote.certified_by)
        )
    )


def open_votes_awaiting(user) -> list[Vote]:
    """Open votes in whose frozen electorate `user` is, and in which they (or their household) have not voted."""
    household = user.household
    params = {"user_id": user.id}
    if household is not None:
        params["household_id"] = household.id
    return list(db.session.scalars(_awaiting_statement(household is not None), params))


@functools.cache
def _awaiting_statement(with_household: bool):
    """`open_votes_awaiting`'s statement, built once per shape (parameters ``user_id`` and, for
    a member of a household, ``household_id``)."""
    conditions = [VoteElector.user_id == bindparam("user_id", type_=Integer)]
    if with_household:
        conditions.append(VoteElector.household_id == bindparam("household_id", type_=Integer))
    key = func.coalesce(VoteElector.household_id, VoteElector.user_id)
    return (
        select(Vote)
        .join(VoteElector, VoteElector.vote_id == Vote.id)
        .outerjoin(
            Participation,
            and_(Participation.vote_id == Vote.id, Participation.voter_key == key),
        )
        .where(Vote.status == VoteStatus.OPEN, or_(*conditions), Participation.id.is_(None))
        .order_by(Vote.closes_at)
        # What the home page lists of each (not the manifest, the log's frontier, the policy).
        .options(load_only(Vote.id, Vote.title, Vote.closes_at, raiseload=True))
    )


def votes_to_close_or_certify(community_ids: list[int]) -> list[Vote]:
    """Open and closed votes of these communities, soonest closing first (the secretary's list)."""
    return list(
        db.session.scalars(
            select(Vote)
            .where(
                Vote.community_id.in_(community_ids),
                Vote.status.in_([VoteStatus.OPEN, VoteStatus.CLOSED]),
            )
            .order_by(Vote.closes_at)
        )
    )


def witness_status(vote: Vote, latest: Checkpoint | None = UNREAD) -> dict | None:
    """The latest signed checkpoint and, per witness of the policy, when it cosigned it (or None).

    `latest`, the latest checkpoint if the caller has read it: when it is signed (or there is
    none) it is the latest signed one, and no second read is needed."""
    if not vote.witness_policy:
        return None
    if latest is not UNREAD and (latest is None or latest.note is not None):
        checkpoint = latest
    else:
        checkpoint = (
            db.session.scalars(
                select(Checkpoint)
                .where(Checkpoint.vote_id == vote.id, Checkpoint.note.is_not(None))
                .order_by(Checkpoint.size.desc(), Checkpoint.id.desc())
                .limit(1)
                .options(joinedload(Checkpoint.cosignatures))
            )
            .unique()
            .first()
        )
    policy = tlog.parse_policy(vote.witness_policy)
    got = {c.witness: c.cosigned_at for c in checkpoint.cosignatures} if checkpoint else {}
    witnesses = [(name, got.get(name)) for name in policy.witnesses]
    quorum = None
    if policy.quorum in policy.groups:
        quorum = policy.groups[policy.quorum][0]
    return {
        "checkpoint": checkpoint,
        "witnesses": witnesses,
        "cosigned": sum(1 for _, at in witnesses if at is not None),
        "quorum": quorum,
        "met": policy.quorum_met(set(got)),
    }
