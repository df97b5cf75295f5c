"""Casting a ballot: one record appended to the log with its participation row; checkpoints.

A cast is one short transaction of a fixed number of statements, whatever the log's size: the
vote's row lock (which also holds the chain head and the Merkle frontier), one look-up of the
voter's electorate entry and participation, the participation, the record, the tree nodes it
completes, the head's update and the audit entry. Every 50th also signs a checkpoint from the
frontier, checked against the last one with O(log n) stored nodes.
"""

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.core import audit
from app.core.errors import NotAllowed
from app.core.time import utcnow
from app.extensions import db
from app.votes import ballot_log, signing, tree
from app.votes.common import iso, lock_vote, voter_label
from app.votes.errors import AlreadyVoted, InvalidChoices, VoteNotOpen
from app.votes.models import Ballot, Checkpoint, Participation, Vote
from app.votes.permissions import (
    already_voted_message,
    ballot_refusal,
    can_manage_votes,
    standing_refusal,
)
from app.votes.queries import elector_standing

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
    checkpoint = Checkpoint(
        vote_id=vote.id,
        size=size,
        root=root.hex(),
        at=iso(now),
        taken_at=now,
        note=note,
    )
    db.session.add(checkpoint)
    vote.log_checkpoint_at = now
    db.session.flush()
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
    vote = lock_vote(vote)
    now = now or utcnow()
    if entered_by is not None and not can_manage_votes(entered_by, vote.community_id):
        raise NotAllowed()  # only the community's secretary enters paper ballots
    if not vote.can_receive_ballots(now):
        raise VoteNotOpen(_l("This vote is not open for ballots."))
    # Under the row lock no other ballot of this vote is being cast: the participation read
    # here is the last word (the unique constraint stays as the database's own guard).
    elector, voted = elector_standing(vote, voter_user)
    refusal = standing_refusal(vote, elector, voted)
    if refusal is not None:
        raise refusal
    assert elector is not None  # noqa: S101 - standing_refusal refused a missing one
    key = elector.household_id if vote.per_household else elector.user_id
    normalised = check_choices(vote, choices)

    seq = vote.log_size or 0
    name = voter_label(vote, voter_user, elector)
    record = ballot_log.make_record(
        seq=seq,
        vote=vote.id,
        cast_at=iso(now),
        voter=None if vote.is_secret else name,
        choices=normalised,
        nonce=ballot_log.new_nonce(),
        prev=vote.log_head or str(vote.manifest_hash),
    )
    db.session.add(
        Participation(
            vote_id=vote.id,
            voter_key=key,
            user_id=voter_user.id,
            household_id=elector.household_id,
            name=name,
            at=now,
        )
    )
    try:
        ballot = append_record(vote, record, entered_by)
    except IntegrityError as error:
        if "participations" not in str(error.orig):
            raise  # not a second ballot: the log's head and its ballots disagree
        raise AlreadyVoted(already_voted_message(vote)) from error
    if checkpoint_due(vote, seq + 1, now):
        take_checkpoint(vote, now)
    # In a secret vote the audit log must not tie a voter to a record: it names neither the seq
    # nor (for a ballot cast online) the voter, whose time would match the record's cast_at.
    # Who took part is in the participation list; the secretary who typed in a paper ballot saw
    # its choices anyway, so that entry still says who entered it and for whom.
    which = "" if vote.is_secret else f" #{seq}"
    if entered_by is not None:
        audit.record(
            "vote.paper_ballot",
            vote,
            community=vote.community_id,
            actor=entered_by,
            detail=f"paper ballot{which} entered by user {entered_by.id} for user {voter_user.id}",
        )
    else:
        audit.record(
            "vote.cast",
            vote,
            community=vote.community_id,
            actor=voter_user,
            detail=f"ballot{which}",
            anonymous=vote.is_secret,
        )
    return ballot


def append_record(vote: Vote, record: dict, entered_by: User | None = None) -> Ballot:
    """Insert the record as the log's next ballot and add it to the stored tree and the head.

    The caller holds the vote's row lock and made ``record`` with ``seq = vote.log_size`` and
    ``prev = vote.log_head`` (the manifest hash for the first).
    """
    ballot = Ballot(
        vote_id=vote.id,
        seq=record["seq"],
        cast_at=record["cast_at"],
        voter=record["voter"],
        choices=record["choices"],
        nonce=record["nonce"],
        prev=record["prev"],
        hash=record["hash"],
        entered_by_id=entered_by.id if entered_by is not None else None,
    )
    db.session.add(ballot)
    tree.append(vote, record["hash"])  # flushes the participation and the ballot first
    return ballot
