"""The published vote of `make bench`: 100,000 ballots, bulk-loaded as the app writes them.

The vote is created and opened by the app's operations (its manifest, its frozen electorate),
the records are made by the app's `ballot_log.make_record` (so the hash chain, the receipts
and the export are the app's own), the participation rows carry the app's voter labels, and
the vote is closed and published by the app (final checkpoint, Merkle root, tally). Only the
casting itself is skipped: one INSERT per 5,000 rows instead of a transaction per ballot, no
intermediate checkpoint every 50 ballots and no "vote.cast" audit entry per ballot. Where the
app keeps the log as a stored tree (`app.votes.tree`), its nodes and the head on the vote row
are written as its own `append` would.

Before closing, the app's own checkpoint (`casting.take_checkpoint` under the vote's lock) is
timed once at full size: what a voter waits for on every 50th ballot.
"""

from __future__ import annotations

import random
import time
import types
from datetime import timedelta


def _labels(builder, vote, voters: list[int]) -> list[str]:
    """Each voter's label in the log and the participation list, as `voter_label` makes it.

    The app's function is called for the first few voters; the same format is then applied
    to the rest without loading 100,000 users one by one (checked against the app's on a
    sample; the app's function is used for every voter if they differ)."""
    from sqlalchemy import select

    from app.accounts.models import Membership, User
    from app.accounts.names import mask
    from app.extensions import db
    from app.org.models import Building, Household
    from app.votes.common import voter_label
    from app.votes.models import VoteElector

    rows = db.session.execute(
        select(User.id, User.display_name, Building.id, VoteElector.number)
        .join(Membership, Membership.user_id == User.id)
        .join(Household, Household.id == Membership.household_id)
        .join(Building, Building.id == Household.building_id)
        .join(VoteElector, VoteElector.user_id == User.id)
        .where(VoteElector.vote_id == vote.id)
    ).all()
    by_user = {r[0]: r for r in rows}
    buildings = {b.id: b.label for b in db.session.scalars(select(Building))}

    def guess(uid: int) -> str:
        _, name, building, number = by_user[uid]
        return f"{mask(name)} · {buildings[building]} · #{number}"

    electors = {
        e.user_id: e
        for e in db.session.scalars(
            select(VoteElector).where(
                VoteElector.vote_id == vote.id, VoteElector.user_id.in_(voters[:20])
            )
        )
    }
    sample = [voter_label(vote, db.session.get(User, u), electors[u]) for u in voters[:20]]
    if sample == [guess(u) for u in voters[:20]]:
        return [guess(u) for u in voters]
    builder.out["notes"].append("voter labels made by voter_label one by one (format changed)")
    all_electors = {
        e.user_id: e
        for e in db.session.scalars(select(VoteElector).where(VoteElector.vote_id == vote.id))
    }
    return [voter_label(vote, db.session.get(User, u), all_electors[u]) for u in voters]


class StoredTree:
    """For app code that keeps the log as a stored Merkle tree (`app.votes.tree`: nodes in
    rows, the head and frontier on the vote row): what its `append` writes per record, here
    batched; its own `append` one record at a time when the batched form does not fit."""

    def __init__(self, vote) -> None:
        self.rows: list[dict] = []
        self.tree = self.front = None
        try:
            from app.votes import tree
        except ImportError:
            return
        self.tree = tree
        try:
            from app.core import merkle
            from app.votes.models import TreeNode

            self.merkle, self.model = merkle, TreeNode
            self.front = tree.frontier(vote)
            self.front.append  # noqa: B018 - the batched form needs it
        except (ImportError, AttributeError):
            self.front = None

    def add(self, vote, leaf: str) -> None:
        if self.tree is None:
            return
        if self.front is None:
            self.tree.append(vote, leaf)
            return
        node = self.merkle.node_number
        self.rows += [
            {"vote_id": vote.id, "node": node(level, index), "hash": h.hex()}
            for level, index, h in self.front.append(bytes.fromhex(leaf))
        ]

    def flush(self) -> None:
        from sqlalchemy import insert

        from app.extensions import db

        if self.rows:
            db.session.execute(insert(self.model), self.rows)
            self.rows = []

    def finish(self, vote, head: str) -> None:
        self.flush()
        if self.front is not None:
            vote.log_size = self.front.size
            vote.log_head = head
            vote.log_frontier = [h.hex() for h in self.front.hashes]


def published_vote(builder, n: int) -> dict:
    """Create, open, fill with `n` ballots, time a checkpoint, close and publish; return what
    the checks need: the vote, a receipt, its seq."""
    from shape import quiet_notifications
    from sqlalchemy import insert

    from app.core.time import utcnow
    from app.extensions import db
    from app.projects import operations as pops
    from app.votes import ballot_log, casting
    from app.votes import operations as vops
    from app.votes.common import iso
    from app.votes.models import Ballot, ElectorateKind, Method, Participation, Secrecy

    rng = random.Random(100_000)
    community, secretary = builder.vote_community_, builder.vote_secretary
    voters = builder.bulk_residents(community, n, "03", buildings=40)
    projects = [
        pops.create_project(
            community,
            title=f"大票决项目{i + 1}",
            estimated_cost=50_000 * (i + 1),
            proponent="居民",
            actor=secretary,
        )
        for i in range(8)
    ]
    now = utcnow()
    vote = vops.create_vote(
        community,
        title=f"基准票决（已公布，{n:,}张选票）",
        electorate_kind=ElectorateKind.RESIDENTS,
        station_id=None,
        method=Method.APPROVAL,
        secrecy=Secrecy.SECRET,
        params={"max_choices": 3, "seats": 3},
        opens_at=now,
        closes_at=now + timedelta(days=3),
        projects=projects,
        actor=secretary,
    )
    with quiet_notifications():
        vops.open_vote(vote, secretary, now=now)
    db.session.commit()
    started = time.perf_counter()
    labels = _labels(builder, vote, voters)
    options = [str(p.id) for p in projects]
    normalised: dict = {}
    prev = str(vote.manifest_hash)
    opened = vote.opened_at or now
    ballots, participations = [], []
    receipt = None
    stored = StoredTree(vote)
    every = getattr(casting, "CHECKPOINT_EVERY", 50)
    last_checkpoint = n - every if n > every else -1
    for seq, (uid, label) in enumerate(zip(voters, labels, strict=True)):
        picked = tuple(sorted(rng.sample(options, rng.randint(1, 3))))
        if picked not in normalised:
            normalised[picked] = casting.check_choices(vote, {"approve": list(picked)})
        at = opened + timedelta(seconds=1 + seq * 2)
        record = ballot_log.make_record(
            seq=seq,
            vote=vote.id,
            cast_at=iso(at),
            voter=None if vote.is_secret else label,
            choices=normalised[picked],
            nonce=ballot_log.new_nonce(),
            prev=prev,
        )
        prev = record["hash"]
        stored.add(vote, prev)
        if seq == n // 3:
            receipt = {"hash": record["hash"], "seq": seq}
        participations.append(
            {
                "vote_id": vote.id,
                "voter_key": uid,
                "user_id": uid,
                "household_id": None,
                "name": label,
                "at": at,
            }
        )
        ballots.append(
            {k: record[k] for k in ("seq", "cast_at", "voter", "choices", "nonce", "prev", "hash")}
            | {"vote_id": vote.id}
        )
        if len(ballots) == 5000 or seq == n - 1 or seq == last_checkpoint - 1:
            db.session.execute(insert(Participation), participations)
            db.session.execute(insert(Ballot), ballots)
            stored.flush()
            ballots, participations = [], []
        if seq == last_checkpoint - 1:
            # A server has signed a checkpoint every `every` ballots: the timed one proves
            # that it extends this one, as every cast's checkpoint does.
            stored.finish(vote, prev)
            casting.take_checkpoint(vote, None)
    stored.finish(vote, prev)
    db.session.commit()
    loaded = time.perf_counter() - started
    print(f"    {n:,} ballots bulk-loaded in {loaded:.1f} s", flush=True)
    return {"vote": vote.id, "receipt": receipt, "ballots": n, "owner": secretary.id}


def publish_big_vote(builder, big: dict) -> dict:
    """Time a checkpoint of the vote `published_vote` filled, then close and publish it; the
    builder calls this once its other threads are done, so that nothing else runs meanwhile."""
    from shape import quiet_notifications

    from app.accounts.models import User
    from app.extensions import db
    from app.votes import casting
    from app.votes import operations as vops
    from app.votes.common import lock_vote
    from app.votes.models import Vote

    vote = db.session.get(Vote, big["vote"])
    checkpoint = _time_checkpoint(vote, lock_vote, casting)
    db.session.commit()
    secretary = db.session.get(User, big["owner"])
    vops.close_vote(vote, secretary)
    db.session.commit()
    with quiet_notifications():
        vops.publish_vote(vote, secretary)
    db.session.commit()
    builder.page(f"result page ({big['ballots']:,} ballots)", f"/votes/{vote.id}", None)
    return checkpoint


#: Checkpoints timed after the first; the median is reported.
WARM_RUNS = 5


def _time_checkpoint(vote, lock_vote, casting) -> dict:
    """The app's checkpoint at full size, as a cast takes it, under the vote's lock.

    A server takes its checkpoints warm (every 50th ballot in a long-running worker), each
    proved to extend the one 50 ballots before (the loader signed it), so the figure is the
    median of WARM_RUNS after a first one; all but the last are rolled back, so each does the
    same work, and the last is kept: the vote is then closed with it. The first (statement
    compilation and the log key loaded in this process) is reported beside it.

    The runs have an app context, and so a session, of their own, as a cast's request has: in
    the builder's session each rollback would expire its thousands of objects, and the next
    run would reload some of them (the organiser's roles, a clause) inside the count.
    """
    from flask import current_app
    from sqlalchemy import event

    from app.extensions import db

    count = [0]

    def counted(*_a, **_kw):
        count[0] += 1

    # lock_vote reads only the id; an expired ORM object would reload itself inside the count.
    target = types.SimpleNamespace(id=vote.id)
    db.session.commit()
    with current_app.app_context():
        event.listen(db.engine, "before_cursor_execute", counted)
        try:
            runs = []
            for i in range(1 + WARM_RUNS):
                if i:
                    db.session.rollback()
                count[0] = 0
                started = time.perf_counter()
                casting.take_checkpoint(lock_vote(target), None)
                runs.append((time.perf_counter() - started, count[0]))
            db.session.commit()
            seconds, statements = sorted(runs[1:])[WARM_RUNS // 2]
            return {
                "seconds": seconds,
                "statements": statements,
                "first_seconds": runs[0][0],
                "warm_runs": WARM_RUNS,
            }
        except Exception as error:  # noqa: BLE001 - later code may have changed the checkpoint
            db.session.rollback()
            return {"error": f"{type(error).__name__}: {error}"[:200]}
        finally:
            event.remove(db.engine, "before_cursor_execute", counted)
