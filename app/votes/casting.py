"""Casting a ballot: one record appended to the log with its participation row; checkpoints.

A cast is one short transaction of a fixed number of statements, whatever the log's size: the
vote's row lock, which reads the voter's electorate entry, participation and household's
building with it (`lock_for_cast`), then one write (`append_record`): on PostgreSQL a single
INSERT of the record whose WITH clauses insert the participation, the tree nodes it completes
and the audit entry and update the vote row's head and Merkle frontier, all or nothing; on
SQLite one statement per table. Every 50th also signs a checkpoint from the frontier, checked
against the last one with O(log n) stored nodes.
"""

import functools
from datetime import datetime, timedelta
from typing import cast

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Integer,
    Select,
    Table,
    TextClause,
    and_,
    bindparam,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from app.accounts.models import Membership, MembershipStatus, User
from app.core import audit
from app.core.audit import AuditEntry
from app.core.db import begin_write, is_postgres
from app.core.errors import NotAllowed
from app.core.time import utcnow
from app.extensions import db
from app.org.models import Building, Household
from app.votes import ballot_log, signing, tree
from app.votes.common import iso, public_name, voter_label
from app.votes.errors import AlreadyVoted, InvalidChoices, VoteNotOpen
from app.votes.models import Ballot, Checkpoint, Participation, TreeNode, Vote, VoteElector
from app.votes.permissions import (
    already_voted_message,
    ballot_refusal,
    can_manage_votes,
    standing_refusal,
)

#: A checkpoint is taken after this many ballots...
CHECKPOINT_EVERY = 50
#: ...or when the last one is older than this and ballots have arrived since.
CHECKPOINT_INTERVAL = timedelta(minutes=10)


def latest_checkpoint(vote: Vote) -> Checkpoint | None:
    """The vote's most recent checkpoint."""
    return db.session.scalar(
        select(Checkpoint)
        .where(Checkpoint.vote_id == vote.id)
        .order_by(Checkpoint.size.desc(), Checkpoint.id.desc())
        .limit(1)
    )


def take_checkpoint(vote: Vote, now: datetime | None = None) -> Checkpoint:
    """Record the log's size and Merkle root now, as a note signed with the site's log key.

    The caller holds the vote's row lock. The root comes from the frontier on the vote row and
    the new tree is checked to extend the last checkpoint (a consistency proof from the stored
    nodes) before it is signed (signing.LogForked otherwise), so the app never signs two
    inconsistent histories of one vote. O(log n) hashes read, whatever the log's size.
    """
    now = now or utcnow()
    size = vote.log_size or 0
    root = tree.frontier(vote).root()
    last = latest_checkpoint(vote)
    proof = None
    if last is not None and 0 < last.size <= size:
        proof = tree.consistency_proof(vote, last.size, size)
    note = signing.sign_checkpoint(vote, last, size, root, proof)
    values = {
        "vote_id": vote.id,
        "size": size,
        "root": root.hex(),
        "at": iso(now),
        "taken_at": now,
        "note": note,
    }
    # The checkpoint and the vote row's time of it: one statement on PostgreSQL (as a cast's).
    checkpoints = _table(Checkpoint)
    if is_postgres():
        checkpoint_id = db.session.execute(_PG_CHECKPOINT, values).scalar_one()
    else:
        checkpoint_id = db.session.execute(
            insert(checkpoints).values(values).returning(checkpoints.c.id)
        ).scalar_one()
        db.session.execute(
            update(_table(Vote)).where(_table(Vote).c.id == vote.id).values(log_checkpoint_at=now)
        )
    set_committed_value(vote, "log_checkpoint_at", now)
    checkpoint = Checkpoint(id=checkpoint_id, **values)
    make_transient_to_detached(checkpoint)
    db.session.add(checkpoint)
    return checkpoint


def checkpoint_due(vote: Vote, size: int, now: datetime) -> bool:
    """Every 50 ballots, or 10 minutes after the last checkpoint if ballots arrived since.

    Read from the vote row (the caller knows the last checkpoint is smaller than ``size``).
    """
    if size == 0:
        return False
    if size % CHECKPOINT_EVERY == 0:
        return True
    since = vote.log_checkpoint_at or vote.opened_at or now
    return now - since >= CHECKPOINT_INTERVAL


def invalid_ballot_message(vote: Vote, error):
    """The voter-facing reason a ballot's choices were refused."""
    code = getattr(error, "code", "") or ""
    k = (vote.manifest or {}).get("params", {}).get("max_choices")
    if "too_many" in code or "max" in code:
        return _l("You chose more projects than allowed (at most %(k)s).", k=k)
    if "unknown" in code:
        return _l("Your ballot names a project that is not on this vote.")
    if "missing" in code:
        return _l("Please answer yes, no or abstain for every project.")
    if "duplicate" in code:
        return _l("Your ballot names the same project twice.")
    if "empty" in code or "none" in code:
        return _l("Please choose at least one project.")
    if "answer" in code or "value" in code:
        return _l("Please answer yes, no or abstain.")
    return _l("This ballot is not valid for this vote.")


def check_choices(vote: Vote, choices: dict) -> dict:
    """The choices normalised for the vote's method, or InvalidChoices with a clear message."""
    try:
        return ballot_log.validate_choices(
            vote.method.value,
            vote.option_ids()
            if vote.manifest is None
            else [o["id"] for o in vote.manifest["options"]],
            vote.manifest["params"] if vote.manifest else vote.params,
            choices,
        )
    except ballot_log.InvalidBallot as error:
        raise InvalidChoices(
            invalid_ballot_message(vote, error), getattr(error, "code", "invalid")
        ) from error


def review_ballot(vote: Vote, voter: User, choices: dict, now: datetime | None = None) -> dict:
    """Everything a cast would check, without writing: the normalised choices to show for review."""
    refusal = ballot_refusal(vote, voter, now or utcnow())
    if refusal is not None:
        raise refusal
    return check_choices(vote, choices)


def lock_for_cast(vote: Vote, user: User) -> tuple[Vote, VoteElector | None, bool, str | None]:
    """The vote under its row lock, the user's electorate entry, whether it has voted and the
    building of the user's household, in one statement (see `lock_vote` for the lock).

    On PostgreSQL the vote row is read as the lock holder left it (its chain head is the last
    word); the participation is read as of the statement's start, so a second ballot of the
    same voter racing this one can look unvoted here: the participations' unique key refuses
    it when it is written (`cast_ballot` answers AlreadyVoted), as it always did.
    """
    begin_write()
    if user is None or not getattr(user, "is_authenticated", True) or user.deleted_at is not None:
        uid = -1  # nobody: no electorate entry, no household
    else:
        uid = user.id
    stmt = _lock_statement(vote.per_household, is_postgres())
    locked, elector, voted, building = db.session.execute(
        stmt, {"uid": uid, "vote_id": vote.id}
    ).one()
    return locked, elector, voted is not None, building.label if building is not None else None


@functools.cache
def _lock_statement(per_household: bool, postgres: bool) -> Select:
    """`lock_for_cast`'s statement, built once (its parameters: ``uid`` and ``vote_id``)."""
    uid = bindparam("uid", type_=Integer)
    household = and_(Membership.user_id == uid, Membership.status == MembershipStatus.ACTIVE)
    if per_household:
        who, key = VoteElector.household_id == Membership.household_id, VoteElector.household_id
    else:
        who, key = VoteElector.user_id == uid, VoteElector.user_id
    stmt = (
        select(Vote, VoteElector, Participation.id, Building)
        .select_from(Vote)
        .outerjoin(Membership, household)
        .outerjoin(Household, Household.id == Membership.household_id)
        .outerjoin(Building, Building.id == Household.building_id)
        .outerjoin(VoteElector, and_(VoteElector.vote_id == Vote.id, who))
        .outerjoin(
            Participation, and_(Participation.vote_id == Vote.id, Participation.voter_key == key)
        )
        .where(Vote.id == bindparam("vote_id", type_=Integer))
        .limit(1)
        .execution_options(populate_existing=True)
    )
    return stmt.with_for_update(of=Vote) if postgres else stmt


def cast_ballot(
    vote: Vote,
    voter_user: User,
    choices: dict,
    entered_by: User | None = None,
    now: datetime | None = None,
) -> Ballot:
    """Append one ballot to the log, with its participation row, in one transaction.

    The voter casts their own ballot, or the community's secretary (`entered_by`) enters the
    paper ballot of a voter present in the room. Refused ballots change nothing: no
    participation, no record, the chain does not advance.
    """
    vote, elector, voted, building = lock_for_cast(vote, voter_user)
    now = now or utcnow()
    if entered_by is not None and not can_manage_votes(entered_by, vote.community_id):
        raise NotAllowed()  # only the community's secretary enters paper ballots
    if not vote.can_receive_ballots(now):
        raise VoteNotOpen(_l("This vote is not open for ballots."))
    refusal = standing_refusal(vote, elector, voted)
    if refusal is not None:
        raise refusal
    assert elector is not None  # noqa: S101 - standing_refusal refused a missing one
    key = elector.household_id if vote.per_household else elector.user_id
    normalised = check_choices(vote, choices)

    seq = vote.log_size or 0
    name = voter_label(
        vote, voter_user, elector, public_name(vote, voter_user.display_name, building)
    )
    record = ballot_log.make_record(
        seq=seq,
        vote=vote.id,
        cast_at=iso(now),
        voter=None if vote.is_secret else name,
        choices=normalised,
        nonce=ballot_log.new_nonce(),
        prev=vote.log_head or str(vote.manifest_hash),
    )
    participation = {
        "vote_id": vote.id,
        "voter_key": key,
        "user_id": voter_user.id,
        "household_id": elector.household_id,
        "name": name,
        "at": now,
    }
    # In a secret vote the audit log must not tie a voter to a record: it names neither the seq
    # nor (for a ballot cast online) the voter, whose time would match the record's cast_at.
    # Who took part is in the participation list; the secretary who typed in a paper ballot saw
    # its choices anyway, so that entry still says who entered it and for whom.
    which = "" if vote.is_secret else f" #{seq}"
    if entered_by is not None:
        entry = audit.values(
            "vote.paper_ballot",
            vote,
            community=vote.community_id,
            actor=entered_by,
            detail=f"paper ballot{which} entered by user {entered_by.id} for user {voter_user.id}",
        )
    else:
        entry = audit.values(
            "vote.cast",
            vote,
            community=vote.community_id,
            actor=voter_user,
            detail=f"ballot{which}",
            anonymous=vote.is_secret,
        )
    try:
        ballot = append_record(vote, record, entered_by, participation=participation, entry=entry)
    except IntegrityError as error:
        if "participations" not in str(error.orig):
            raise  # not a second ballot: the log's head and its ballots disagree
        raise AlreadyVoted(already_voted_message(vote)) from error
    audit.logged(entry)
    if checkpoint_due(vote, seq + 1, now):
        take_checkpoint(vote, now)
    return ballot


def append_record(
    vote: Vote,
    record: dict,
    entered_by: User | None = None,
    *,
    participation: dict | None = None,
    entry: dict | None = None,
) -> Ballot:
    """Insert the record as the log's next ballot, with its tree nodes, the vote row's new head
    and (when given) its participation row and audit entry: one statement on PostgreSQL (each
    insert and the update a data-modifying WITH of it), one per table on SQLite.

    The caller holds the vote's row lock and made ``record`` with ``seq = vote.log_size`` and
    ``prev = vote.log_head`` (the manifest hash for the first). The ballot comes back as a
    persistent object of the session, as if it had been read.
    """
    values = {
        "vote_id": vote.id,
        "seq": record["seq"],
        "cast_at": record["cast_at"],
        "voter": record["voter"],
        "choices": record["choices"],
        "nonce": record["nonce"],
        "prev": record["prev"],
        "hash": record["hash"],
        "entered_by_id": entered_by.id if entered_by is not None else None,
    }
    nodes, head = tree.grow(vote, record["hash"])
    if is_postgres():
        params = {
            **values,
            **head,
            "nodes": [n["node"] for n in nodes],
            "hashes": [n["hash"] for n in nodes],
            **{f"p_{k}": v for k, v in (participation or {}).items()},
            **{f"a_{k}": v for k, v in (entry or {}).items()},
        }
        ballot_id = db.session.execute(
            _pg_append(participation is not None, entry is not None), params
        ).scalar_one()
    else:
        if participation is not None:
            db.session.execute(insert(_table(Participation)), participation)
        db.session.execute(insert(_table(TreeNode)), nodes)
        db.session.execute(
            update(_table(Vote)).where(_table(Vote).c.id == bindparam("vote_id")),
            {**head, "vote_id": vote.id},
        )
        if entry is not None:
            db.session.execute(insert(_table(AuditEntry)), entry)
        ballot_id = db.session.execute(_sqlite_ballot(), values).scalar_one()
    for name, value in head.items():
        set_committed_value(vote, name, value)
    ballot = Ballot(id=ballot_id, **values)
    make_transient_to_detached(ballot)
    db.session.add(ballot)
    return ballot


def _table(model) -> Table:
    return cast(Table, model.__table__)


@functools.cache
def _sqlite_ballot():
    ballots = _table(Ballot)
    return insert(ballots).returning(ballots.c.id)


_PARTICIPATION = ("vote_id", "voter_key", "user_id", "household_id", "name", "at")
_AUDIT = ("at", "actor_id", "action", "object_type", "object_id", "community_id", "detail", "ip")
_BALLOT = (
    "vote_id",
    "seq",
    "cast_at",
    "voter",
    "choices",
    "nonce",
    "prev",
    "hash",
    "entered_by_id",
)


@functools.cache
def _pg_append(participation: bool, entry: bool) -> TextClause:
    """`append_record`'s one statement on PostgreSQL: every write a data-modifying WITH of the
    ballot's INSERT (all or none, one round trip); the tree nodes from two arrays, so the text
    is the same whatever their number and is compiled once."""

    def columns(names, prefix=""):
        return ", ".join(names), ", ".join(f":{prefix}{n}" for n in names)

    parts = []
    if participation:
        cols, binds = columns(_PARTICIPATION, "p_")
        parts.append(f"p AS (INSERT INTO participations ({cols}) VALUES ({binds}))")  # noqa: S608
    parts.append(
        "n AS (INSERT INTO vote_tree_nodes (vote_id, node, hash) SELECT :vote_id, x.node, x.hash"
        " FROM unnest(CAST(:nodes AS integer[]), CAST(:hashes AS varchar[])) AS x(node, hash))"
    )
    parts.append(
        "h AS (UPDATE votes SET log_size = :log_size, log_head = :log_head,"
        " log_frontier = :log_frontier WHERE id = :vote_id)"
    )
    if entry:
        cols, binds = columns(_AUDIT, "a_")
        parts.append(f"a AS (INSERT INTO audit_entries ({cols}) VALUES ({binds}))")  # noqa: S608
    cols, binds = columns(_BALLOT)
    # only this module's constants go into the text (S608): every value is a bound parameter
    sql = f"WITH {', '.join(parts)} INSERT INTO ballots ({cols}) VALUES ({binds}) RETURNING id"  # noqa: S608
    return text(sql).bindparams(
        bindparam("choices", type_=Ballot.__table__.c.choices.type),
        bindparam("log_frontier", type_=Vote.__table__.c.log_frontier.type),
    )


#: `take_checkpoint`'s one statement on PostgreSQL.
_PG_CHECKPOINT = text(
    "WITH v AS (UPDATE votes SET log_checkpoint_at = :taken_at WHERE id = :vote_id)"
    " INSERT INTO vote_checkpoints (vote_id, size, root, at, taken_at, note)"
    " VALUES (:vote_id, :size, :root, :at, :taken_at, :note) RETURNING id"
)
