"""The stored Merkle tree of each vote's ballot log: every perfect subtree, kept as ballots arrive."""

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model


class TreeNode(Model):
    """One perfect subtree of a vote's log (RFC 6962): 2**level records from index * 2**level.

    Written with the ballot that completes it, never changed; an inclusion or consistency proof
    reads O(log n) of these instead of every ballot's hash.
    """

    __tablename__ = "vote_tree_nodes"

    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"), primary_key=True)
    #: ``merkle.node_number(level, index)``: the node's place in an in-order walk of the tree.
    node: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    #: The subtree's root, 64 hex digits (for a leaf: the record's hash).
    hash: Mapped[str] = mapped_column(String(64))
