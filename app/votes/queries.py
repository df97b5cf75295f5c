"""Reads that the vote pages, the export and the home page share."""

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.votes import ballot_log
from app.votes.models import (
    Ballot,
    Checkpoint,
    Participation,
    Project,
    Vote,
    VoteElector,
    VoteStatus,
)


def ballot_count(vote: Vote) -> int:
    return db.session.scalar(select(func.count(Ballot.id)).where(Ballot.vote_id == vote.id)) or 0


def turnout(vote: Vote) -> dict:
    """Ballots cast against the frozen electorate, and the latest checkpoint."""
    cast = ballot_count(vote)
    size = vote.electorate_size or 0
    checkpoint = db.session.scalar(
        select(Checkpoint)
        .where(Checkpoint.vote_id == vote.id)
        .order_by(Checkpoint.size.desc(), Checkpoint.id.desc())
        .limit(1)
    )
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
    return sorted(
        db.session.scalars(select(Participation.name).where(Participation.vote_id == vote.id))
    )


def checkpoints(vote: Vote) -> list[Checkpoint]:
    return list(
        db.session.scalars(
            select(Checkpoint)
            .where(Checkpoint.vote_id == vote.id)
            .order_by(Checkpoint.size, Checkpoint.id)
        )
    )


def export_document(vote: Vote) -> dict:
    """The vote's ballot log in the `yishiting-ballot-log/1` format."""
    return ballot_log.build_export(
        vote.manifest,
        [b.record() for b in ballots(vote)],
        [c.as_dict() for c in checkpoints(vote)],
        participation_names(vote),
        vote.result,
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
    return list(
        db.session.scalars(
            select(Ballot).where(Ballot.hash.like(code + "%")).order_by(Ballot.id).limit(2)
        )
    )


def community_votes(community_id: int, include_drafts: bool) -> list[Vote]:
    stmt = select(Vote).where(Vote.community_id == community_id)
    if not include_drafts:
        stmt = stmt.where(Vote.status != VoteStatus.DRAFT)
    return list(db.session.scalars(stmt.order_by(Vote.opens_at.desc(), Vote.id.desc())))


def community_projects(community_id: int) -> list[Project]:
    """The community's projects, newest first, with their progress updates loaded in one more query."""
    return list(
        db.session.scalars(
            select(Project)
            .where(Project.community_id == community_id)
            .options(selectinload(Project.updates))
            .order_by(Project.created_at.desc(), Project.id.desc())
        )
    )


def open_votes_awaiting(user) -> list[Vote]:
    """Open votes in whose frozen electorate `user` is, and in which they (or their household) have not voted."""
    household = user.household
    conditions = [VoteElector.user_id == user.id]
    if household is not None:
        conditions.append(VoteElector.household_id == household.id)
    rows = db.session.execute(
        select(Vote, VoteElector)
        .join(VoteElector, VoteElector.vote_id == Vote.id)
        .where(Vote.status == VoteStatus.OPEN, or_(*conditions))
        .order_by(Vote.closes_at)
    ).all()
    waiting = []
    for vote, elector in rows:
        key = elector.household_id if elector.household_id is not None else elector.user_id
        voted = db.session.scalar(
            select(Participation.id).where(
                Participation.vote_id == vote.id, Participation.voter_key == key
            )
        )
        if voted is None:
            waiting.append(vote)
    return waiting
