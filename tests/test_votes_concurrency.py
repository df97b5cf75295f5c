"""Racing ballots: many threads and many processes cast at once, for distinct voters and the same ones.

Afterwards there is one ballot per distinct eligible voter who tried, nobody twice, and the
chain and Merkle root verify.
"""

import multiprocessing
import os
import random
import threading

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.core.db import begin_write
from app.extensions import db
from app.votes import ballot_log, queries
from app.votes import operations as ops
from app.votes.models import ElectorateKind, Method, Participation, Secrecy, Vote
from tests import votes_factories as vf
from tests.votes_data import oracle

N_RESIDENTS = 24


def _cast_many(app, vote_id: int, attempts: list[tuple[int, list[str]]]) -> dict:
    """Cast each (user id, approvals) in its own transaction, as separate requests would."""
    outcome = {"cast": 0, "refused": 0, "errors": []}
    with app.app_context():
        for user_id, approve in attempts:
            try:
                begin_write()
                vote = db.session.get(Vote, vote_id)
                user = db.session.get(User, user_id)
                ops.cast_ballot(vote, user, {"approve": approve})
                db.session.commit()
                outcome["cast"] += 1
            except ops.VoteError:
                db.session.rollback()
                outcome["refused"] += 1
            except Exception as error:  # noqa: BLE001 - reported to the test, which fails on it
                db.session.rollback()
                outcome["errors"].append(repr(error))
        db.session.remove()
    return outcome


def _setup():
    w = vf.world(n_deputies=0, n_residents=N_RESIDENTS, n_projects=4)
    outsider = vf.make.user("resident", vf.make.community())
    vote = vf.vote(
        w, electorate=ElectorateKind.RESIDENTS, secrecy=Secrecy.SECRET, method=Method.EQUAL_SHARES
    )
    vote_id = vote.id
    db.session.commit()
    rng = random.Random(7)
    option_ids = vf.ids(w.projects)
    # Every resident is tried three times (the same voter racing with themself), plus an outsider.
    attempts = [
        (r.id, rng.sample(option_ids, rng.randint(0, 3))) for r in w.residents for _ in range(3)
    ]
    attempts += [(outsider.id, [option_ids[0]])] * 3
    rng.shuffle(attempts)
    return w, vote_id, attempts


def _check(vote_id: int, expected_voters: int):
    # End the test's own read transaction: on SQLite (WAL) it would still see its old snapshot.
    db.session.rollback()
    vote = db.session.get(Vote, vote_id)
    ballots = queries.ballots(vote)
    keys = list(
        db.session.scalars(select(Participation.voter_key).where(Participation.vote_id == vote_id))
    )
    assert len(ballots) == expected_voters
    assert len(keys) == len(set(keys)) == expected_voters
    assert [b.seq for b in ballots] == list(range(expected_voters))
    secretary = db.session.get(User, vote.created_by_id)
    ops.close_vote(vote, secretary)
    ops.publish_vote(vote, secretary)
    db.session.commit()
    doc = queries.export_document(vote)
    assert oracle.check_export(doc) == []
    assert doc["result"]["root"] == ballot_log.merkle_root([b.hash for b in ballots])


def test_many_threads_cast_at_once(app):
    w, vote_id, attempts = _setup()
    n_threads = 8
    chunks = [attempts[i::n_threads] for i in range(n_threads)]
    results = [None] * n_threads

    def run(i):
        results[i] = _cast_many(app, vote_id, chunks[i])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert all(r is not None for r in results)
    assert [e for r in results for e in r["errors"]] == []
    assert sum(r["cast"] for r in results) == N_RESIDENTS
    assert sum(r["refused"] for r in results) == len(attempts) - N_RESIDENTS
    _check(vote_id, N_RESIDENTS)


def _process_worker(app, vote_id, attempts, queue):
    with app.app_context():
        # A fresh pool in the child: connections must never cross a fork.
        db.engine.dispose(close=False)
    queue.put(_cast_many(app, vote_id, attempts))


@pytest.mark.skipif(os.name != "posix", reason="uses fork")
def test_many_processes_cast_at_once(app):
    w, vote_id, attempts = _setup()
    n_procs = 4
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    procs = [
        context.Process(target=_process_worker, args=(app, vote_id, attempts[i::n_procs], queue))
        for i in range(n_procs)
    ]
    db.session.remove()
    db.engine.dispose()
    for p in procs:
        p.start()
    results = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    assert [e for r in results for e in r["errors"]] == []
    assert sum(r["cast"] for r in results) == N_RESIDENTS
    _check(vote_id, N_RESIDENTS)
    assert db.session.scalar(select(func.count(Participation.id))) == N_RESIDENTS
