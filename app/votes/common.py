"""What every votes operation shares: the row lock, the permission check, published forms."""

from datetime import datetime

from sqlalchemy import func, select

from app.accounts.models import User
from app.accounts.names import mask
from app.core.db import begin_write, is_postgres
from app.core.errors import NotAllowed
from app.extensions import db
from app.votes.models import ElectorateKind, Vote, VoteElector
from app.votes.permissions import can_manage_votes


def require_manager(actor, community_id: int) -> None:
    """Refuse unless `actor` runs the votes of the community."""
    if actor is None or not can_manage_votes(actor, community_id):
        raise NotAllowed()


def lock_vote(vote: Vote) -> Vote:
    """Serialise writers on this vote: BEGIN IMMEDIATE on SQLite, SELECT ... FOR UPDATE on PostgreSQL."""
    begin_write()
    stmt = select(Vote).where(Vote.id == vote.id).execution_options(populate_existing=True)
    if is_postgres():
        stmt = stmt.with_for_update()
    return db.session.execute(stmt).scalar_one()


def iso(dt: datetime) -> str:
    """A naive-UTC datetime as published in the log: ISO 8601 with Z, whole seconds."""
    return dt.replace(microsecond=0).isoformat() + "Z"


def public_name(vote: Vote, display_name: str, building_label: str | None) -> str:
    """A voter's public name from their display name and their household's building (if any)."""
    if vote.electorate_kind == ElectorateKind.DEPUTIES:
        return display_name
    name = mask(display_name)
    return f"{name} · {building_label}" if building_label is not None else name


def voter_public_name(vote: Vote, user: User) -> str:
    """How a voter appears publicly: deputies by name, residents masked with their building."""
    if vote.electorate_kind == ElectorateKind.DEPUTIES:
        return user.display_name
    household = user.household
    return public_name(
        vote, user.display_name, household.building.label if household is not None else None
    )


def voter_label(vote: Vote, user: User, elector: VoteElector, public: str | None = None) -> str:
    """The voter's label in the log and the participation list, unique within the electorate.

    A deputy is named; a resident or household is masked, so their label carries the elector's
    number in the frozen electorate list (``沈** · 4号楼 · #12``). Votes opened before electors
    were numbered keep the public name. ``public``: the public name when the caller read it
    already (`public_name`).
    """
    name = public if public is not None else voter_public_name(vote, user)
    if elector.number is None:
        return name
    if vote.electorate_kind == ElectorateKind.DEPUTIES and not _name_shared(vote, elector):
        return name
    return f"{name} · #{elector.number}"


def _name_shared(vote: Vote, elector: VoteElector) -> bool:
    """Whether another deputy of the frozen electorate has the same display name."""
    user = elector.user
    others = db.session.scalar(
        select(func.count(VoteElector.id))
        .join(User, User.id == VoteElector.user_id)
        .where(
            VoteElector.vote_id == vote.id,
            VoteElector.id != elector.id,
            User.display_name == user.display_name,
        )
    )
    return bool(others)


def params_given(params: dict | None) -> dict:
    """The rules the secretary gave, without the empty ones."""
    return {k: v for k, v in (params or {}).items() if v is not None and v != ""}
