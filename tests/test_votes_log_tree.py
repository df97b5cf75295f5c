"""The ballot log's stored Merkle tree: the same roots and proofs as the whole computation, read in O(log n).

The frontier kept on the vote row and the perfect subtrees stored as ballots arrive
(app/core/merkle.py, app/votes/tree.py) must give exactly what RFC 6962 computed from every
leaf gives: roots of every prefix, inclusion proofs for every index, consistency proofs for
every pair of sizes. A cast and a receipt check then take a fixed number of statements.
"""

import json
import os
import random

import pytest
from sqlalchemy import event, select

from app.core import merkle
from app.extensions import db
from app.votes import ballot_log, casting, queries, receipts, tree
from app.votes import operations as ops
from app.votes.common import iso, lock_vote
from app.votes.models import ElectorateKind, Method, Participation, Secrecy, TreeNode, Vote
from tests import votes_factories as vf
from tests.votes_data.logs import shared_file

# --- the frontier and stored nodes against the full computation ---------------------------------


def _store(leaves: list[bytes]) -> tuple[merkle.Frontier, dict]:
    frontier, nodes = merkle.Frontier(), {}
    for leaf in leaves:
        for level, index, h in frontier.append(leaf):
            nodes[(level, index)] = h
    return frontier, nodes


def _leaves(n: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    return [rng.randbytes(32) for _ in range(n)]


def test_stored_nodes_reproduce_the_rfc6962_vectors():
    vectors = json.loads(shared_file("rfc6962_vectors.json").read_text())
    leaves = [merkle.leaf_hash(bytes.fromhex(x)) for x in vectors["leaves_hex"]]
    frontier, nodes = _store(leaves)
    for size, root in vectors["roots_by_size"].items():
        assert merkle.tree_root(int(size), nodes).hex() == root
        assert merkle.Frontier.of(leaves[: int(size)]).root().hex() == root
    for level, hashes in enumerate(vectors["node_hashes_by_level"]):
        for index, h in enumerate(hashes):
            assert nodes[(level, index)].hex() == h
    for p in vectors["inclusion_proofs"]:
        ranges = merkle.inclusion_ranges(p["index"], p["tree_size"])
        assert [h.hex() for h in merkle.proof_of(ranges, nodes)] == p["proof"]
    for p in vectors["consistency_proofs"]:
        ranges = merkle.consistency_ranges(p["size1"], p["size2"])
        assert [h.hex() for h in merkle.proof_of(ranges, nodes)] == p["proof"]
    assert frontier.root().hex() == vectors["roots_by_size"][str(len(leaves))]


def test_every_proof_of_small_trees_matches_the_full_computation():
    leaves = _leaves(40, 1)
    _, nodes = _store(leaves)
    for n in range(0, 41):
        assert merkle.tree_root(n, nodes) == merkle.merkle_root(leaves[:n])
        assert merkle.Frontier.of(leaves[:n]).root() == merkle.merkle_root(leaves[:n])
        for index in range(n):
            ranges = merkle.inclusion_ranges(index, n)
            proof = merkle.proof_of(ranges, nodes)
            assert proof == merkle.inclusion_proof(index, leaves[:n])
            root = merkle.tree_root(n, nodes)
            assert merkle.verify_inclusion(leaves[index], index, n, proof, root)
        for old in range(n + 1):
            proof = merkle.proof_of(merkle.consistency_ranges(old, n), nodes)
            assert proof == merkle.consistency_proof(old, leaves[:n])


@pytest.mark.parametrize("n", [1, 2, 3, 63, 64, 65, 1000, 1023, 1024, 1025, 2047, 3001])
def test_random_sizes_up_to_thousands_give_the_same_roots_and_proofs(n):
    leaves = _leaves(n, n)
    frontier, nodes = _store(leaves)
    assert frontier.root() == merkle.merkle_root(leaves) == merkle.tree_root(n, nodes)
    assert len(frontier.hashes) == n.bit_count()
    rng = random.Random(n)
    for index in {0, n - 1, *rng.sample(range(n), min(n, 25))}:
        ranges = merkle.inclusion_ranges(index, n)
        assert merkle.proof_of(ranges, nodes) == merkle.inclusion_proof(index, leaves)
        # O(log n) stored nodes, not n leaves
        assert len(merkle.parts_of(ranges)) <= 2 * n.bit_length()
    for old in {0, 1, n, *rng.sample(range(n + 1), min(n, 25))}:
        ranges = merkle.consistency_ranges(old, n)
        assert merkle.proof_of(ranges, nodes) == merkle.consistency_proof(old, leaves)
        assert len(merkle.parts_of(ranges)) <= 2 * n.bit_length()
        assert merkle.tree_root(old, nodes) == merkle.merkle_root(leaves[:old])


def test_a_frontier_rebuilt_from_its_hashes_appends_as_the_original():
    leaves = _leaves(300, 3)
    whole = merkle.Frontier.of(leaves)
    half = merkle.Frontier.of(leaves[:137])
    resumed = merkle.Frontier(half.size, list(half.hashes))
    for leaf in leaves[137:]:
        resumed.append(leaf)
    assert resumed.hashes == whole.hashes and resumed.root() == whole.root()
    with pytest.raises(ValueError):
        merkle.Frontier(5, half.hashes[:1])


def test_ranges_outside_a_tree_are_refused():
    with pytest.raises(ValueError):
        merkle.inclusion_ranges(5, 5)
    with pytest.raises(ValueError):
        merkle.consistency_ranges(6, 5)
    with pytest.raises(ValueError):
        merkle.perfect_parts(1, 3)  # not a subtree: leaves 1 and 2 have different parents


# --- a vote's stored tree ----------------------------------------------------------------


def fill(vote: Vote, n: int, participants: bool = False) -> list[str]:
    """Bulk-load ``n`` ballot records into the vote's log through the log's own append.

    With ``participants``, each gets a participation row too (a made-up voter), so the counts add up.
    """
    vote = lock_vote(vote)
    hashes = []
    for _ in range(n):
        if participants:
            seq = vote.log_size
            db.session.add(
                Participation(vote_id=vote.id, voter_key=-1 - seq, name=f"voter {seq:06d}")
            )
        record = ballot_log.make_record(
            seq=vote.log_size,
            vote=vote.id,
            cast_at=iso(vote.opened_at),
            voter=None,
            choices={"approve": []},
            nonce=os.urandom(16).hex(),
            prev=vote.log_head or str(vote.manifest_hash),
        )
        casting.append_record(vote, record)
        hashes.append(record["hash"])
    db.session.commit()
    return hashes


def _secret_vote(n_residents=2):
    w = vf.world(n_deputies=0, n_residents=n_residents)
    vote = vf.vote(
        w, electorate=ElectorateKind.RESIDENTS, secrecy=Secrecy.SECRET, method=Method.APPROVAL
    )
    return w, vote


def test_the_stored_tree_holds_every_perfect_subtree_of_the_log(db):
    w, vote = _secret_vote()
    hashes = fill(vote, 37)
    ops.cast_ballot(vote, w.residents[0], {"approve": []})
    db.session.commit()
    hashes = [b.hash for b in queries.ballots(vote)]
    leaves = [bytes.fromhex(h) for h in hashes]
    _, expected = _store(leaves)
    stored = dict(db.session.execute(select(TreeNode.node, TreeNode.hash)).all())
    assert stored == {merkle.node_number(lv, ix): h.hex() for (lv, ix), h in expected.items()}
    vote = db.session.get(Vote, vote.id)
    assert vote.log_size == 38 and vote.log_head == hashes[-1]
    assert tree.root(vote, 38) == merkle.merkle_root(leaves)
    for size in (1, 17, 32, 37):
        assert tree.root(vote, size) == merkle.merkle_root(leaves[:size])
    for index in range(38):
        assert tree.inclusion_proof(vote, index, 38) == merkle.inclusion_proof(index, leaves)
    for old in range(39):
        assert tree.consistency_proof(vote, old, 38) == merkle.consistency_proof(old, leaves)
    # each record still links to the one before it
    assert [b.prev for b in queries.ballots(vote)][1:] == hashes[:-1]


def test_checkpoints_and_the_final_root_come_from_the_frontier(db):
    w, vote = _secret_vote()
    fill(vote, 120)
    vote = db.session.get(Vote, vote.id)
    with_lock = lock_vote(vote)
    casting.take_checkpoint(with_lock)
    db.session.commit()
    fill(vote, 9)
    ops.close_vote(db.session.get(Vote, vote.id), w.secretary)
    db.session.commit()
    leaves = [bytes.fromhex(b.hash) for b in queries.ballots(vote)]
    sizes = [(c.size, c.root) for c in queries.checkpoints(vote)]
    assert sizes == [(n, merkle.merkle_root(leaves[:n]).hex()) for n in (120, 129)]
    assert vote.final_root == merkle.merkle_root(leaves).hex()


# --- statements: a cast and a receipt check do not grow with the log ---------------------------


class Statements:
    def __enter__(self):
        self.sql: list[str] = []
        event.listen(db.engine, "before_cursor_execute", self._seen)
        return self

    def _seen(self, _conn, _cursor, statement, *_args):
        self.sql.append(statement)

    def __exit__(self, *_exc):
        event.remove(db.engine, "before_cursor_execute", self._seen)

    def __len__(self):
        return len(self.sql)


def _cast_statements(prior: int) -> int:
    w, vote = _secret_vote()
    fill(vote, prior)
    vote, voter = db.session.get(Vote, vote.id), w.residents[0]
    voter.household  # noqa: B018 - loaded before counting, as the request's user is
    with Statements() as seen:
        ops.cast_ballot(vote, voter, {"approve": vf.ids(w.projects[:1])})
    db.session.commit()
    assert db.session.get(Vote, vote.id).log_size == prior + 1
    return len(seen)


def test_a_cast_takes_the_same_statements_at_10_and_500_ballots(db):
    # 10 and 500 prior ballots: the next cast (11th, 501st) is due no checkpoint
    a, b = _cast_statements(10), _cast_statements(500)
    assert a == b <= 7  # SQLite's count (BEGIN, one statement per table); two on PostgreSQL


def test_a_checkpointed_cast_reads_a_few_nodes_not_the_log(db):
    w, vote = _secret_vote()
    fill(vote, 499)
    vote = db.session.get(Vote, vote.id)
    with Statements() as seen:
        ops.cast_ballot(vote, w.residents[0], {"approve": []})
    db.session.commit()
    assert [c.size for c in queries.checkpoints(vote)] == [500]
    assert not any("FROM ballots" in s for s in seen.sql)
    assert len(seen) <= 10


def _check_statements(client, vote_id: int, receipt: str) -> tuple[int, int]:
    with Statements() as full:
        page = client.get(f"/votes/receipt?hash={receipt}")
    assert page.status_code == 200 and "receipt-verified" in page.get_data(as_text=True)
    with Statements() as short:
        page = client.get(f"/votes/receipt?hash={receipt[:4]}-{receipt[4:8]}")
    assert page.status_code == 200 and "receipt-verified" in page.get_data(as_text=True)
    return len(full), len(short)


@pytest.mark.parametrize("counted", [False, True])
def test_a_receipt_check_takes_at_most_5_statements_whatever_the_log(client, db, counted):
    counts = []
    for n in (10, 500):
        w, vote = _secret_vote()
        hashes = fill(vote, n)
        vote = db.session.get(Vote, vote.id)
        if counted:
            ops.close_vote(vote, w.secretary)
            ops.publish_vote(vote, w.secretary)
        else:
            casting.take_checkpoint(lock_vote(vote))
        db.session.commit()
        client.set_cookie("lang", "en")
        counts.append(_check_statements(client, vote.id, hashes[n // 3]))
    assert counts[0] == counts[1] and max(counts[0]) <= 5, counts


def test_the_receipt_file_proves_from_the_stored_tree(db):
    w, vote = _secret_vote()
    hashes = fill(vote, 77)
    ops.close_vote(db.session.get(Vote, vote.id), w.secretary)
    db.session.commit()
    vote = db.session.get(Vote, vote.id)
    ballot = queries.ballot_by_hash(hashes[40])
    with Statements() as seen:
        proof = receipts.receipt_proof(vote, ballot)
    assert proof is not None and proof.index == 40
    leaves = [bytes.fromhex(h) for h in hashes]
    assert list(proof.proof) == merkle.inclusion_proof(40, leaves)
    assert not any("FROM ballots" in s for s in seen.sql)


def test_the_witnesses_are_sent_proofs_from_the_stored_tree(db):
    from app.votes import witnessing

    _, vote = _secret_vote()
    leaves = [bytes.fromhex(h) for h in fill(vote, 90)]
    for old in (0, 1, 7, 50, 64, 89, 90):
        with Statements() as seen:
            proof = witnessing.consistency(vote.id, old, 90)
        assert proof == merkle.consistency_proof(old, leaves)
        assert not any("FROM ballots" in s for s in seen.sql)
    assert witnessing.consistency(vote.id, 91, 90) == []
