"""A vote's ballot log as a stored Merkle tree: append under the row lock, prove from stored nodes.

The vote row keeps the log's frontier (``Vote.log_frontier``); appending a record writes the
perfect subtrees it completes (``TreeNode``), at most log2(n) + 1 rows. Roots, inclusion and
consistency proofs then take one indexed look-up of O(log n) nodes, whatever the log's size.
"""

from collections.abc import Iterable

from sqlalchemy import insert, select

from app.core import merkle
from app.extensions import db
from app.votes.models import TreeNode, Vote


def frontier(vote: Vote) -> merkle.Frontier:
    """The log's compact range as kept on the vote row."""
    return merkle.Frontier(vote.log_size or 0, [bytes.fromhex(h) for h in vote.log_frontier or []])


def grow(vote: Vote, leaf: str) -> tuple[list[dict], dict]:
    """What adding the record whose hash is ``leaf`` writes, without writing it: the rows of the
    subtrees it completes and the vote row's new head (log_size, log_head, log_frontier)."""
    front = frontier(vote)
    made = front.append(bytes.fromhex(leaf))
    rows = [
        {"vote_id": vote.id, "node": merkle.node_number(level, index), "hash": h.hex()}
        for level, index, h in made
    ]
    head = {
        "log_size": front.size,
        "log_head": leaf,
        "log_frontier": [h.hex() for h in front.hashes],
    }
    return rows, head


def append(vote: Vote, leaf: str) -> None:
    """Add the record whose hash is ``leaf`` to the tree; the caller holds the vote's row lock."""
    rows, head = grow(vote, leaf)
    db.session.execute(insert(TreeNode), rows)
    for name, value in head.items():
        setattr(vote, name, value)


def nodes(vote_id: int, parts: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    """The stored subtrees ``(level, index)`` asked for, in one look-up."""
    wanted = {merkle.node_number(level, index): (level, index) for level, index in parts}
    if not wanted:
        return {}
    rows = db.session.execute(
        select(TreeNode.node, TreeNode.hash).where(
            TreeNode.vote_id == vote_id, TreeNode.node.in_(sorted(wanted))
        )
    )
    return {wanted[number]: bytes.fromhex(h) for number, h in rows}


def root(vote: Vote, size: int) -> bytes:
    """MTH of the log's first ``size`` records (the frontier's, without a read, for the whole log)."""
    if size == (vote.log_size or 0):
        return frontier(vote).root()
    parts = merkle.perfect_parts(0, size) if size else []
    return merkle.tree_root(size, nodes(vote.id, parts))


def inclusion_proof(vote: Vote, index: int, size: int) -> list[bytes]:
    """PATH(index, D[size]) of RFC 9162 from the stored nodes."""
    ranges = merkle.inclusion_ranges(index, size)
    return merkle.proof_of(ranges, nodes(vote.id, merkle.parts_of(ranges)))


def consistency_proof(vote: Vote, old_size: int, new_size: int) -> list[bytes]:
    """PROOF(old_size, D[new_size]) of RFC 9162 from the stored nodes."""
    ranges = merkle.consistency_ranges(old_size, new_size)
    return merkle.proof_of(ranges, nodes(vote.id, merkle.parts_of(ranges)))
