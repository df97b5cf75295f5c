"""ballot log tree: the chain head and Merkle frontier on the vote row, the stored tree nodes

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 01:30:00

A cast then reads no other ballot, and a proof reads O(log n) stored nodes instead of every
ballot's hash. Votes that already have ballots get their head, frontier and nodes computed here
from their ballots, in seq order (the hashing is written out, so later code cannot change it).
The ballots table is not touched: it stays insert-only.
"""

from hashlib import sha256

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def _node(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right).digest()


def _backfill() -> None:
    bind = op.get_bind()
    nodes = sa.table(
        "vote_tree_nodes",
        sa.column("vote_id", sa.Integer),
        sa.column("node", sa.Integer),
        sa.column("hash", sa.String),
    )
    votes = sa.table(
        "votes",
        sa.column("id", sa.Integer),
        sa.column("log_size", sa.Integer),
        sa.column("log_head", sa.String),
        sa.column("log_frontier", sa.JSON),
        sa.column("log_checkpoint_at", sa.DateTime),
    )
    checkpoints = sa.table(
        "vote_checkpoints",
        sa.column("vote_id", sa.Integer),
        sa.column("taken_at", sa.DateTime),
    )
    vote_ids = bind.execute(sa.text("SELECT DISTINCT vote_id FROM ballots ORDER BY vote_id"))
    for (vote_id,) in list(vote_ids):
        hashes = [
            h
            for (h,) in bind.execute(
                sa.text("SELECT hash FROM ballots WHERE vote_id = :v ORDER BY seq"), {"v": vote_id}
            )
        ]
        frontier: list[bytes] = []
        rows = []
        for size, leaf in enumerate(hashes):
            index, level, acc = size, 0, bytes.fromhex(leaf)
            rows.append({"vote_id": vote_id, "node": 2 * index, "hash": leaf})
            while index & 1:
                acc = _node(frontier.pop(), acc)
                index >>= 1
                level += 1
                number = (index << (level + 1)) + (1 << level) - 1
                rows.append({"vote_id": vote_id, "node": number, "hash": acc.hex()})
            frontier.append(acc)
        for start in range(0, len(rows), 1000):
            bind.execute(nodes.insert(), rows[start : start + 1000])
        # Through a typed column: SQLite hands back max(taken_at) as text otherwise.
        last = bind.execute(
            sa.select(sa.func.max(checkpoints.c.taken_at)).where(checkpoints.c.vote_id == vote_id)
        ).scalar()
        bind.execute(
            votes.update()
            .where(votes.c.id == vote_id)
            .values(
                log_size=len(hashes),
                log_head=hashes[-1],
                log_frontier=[h.hex() for h in frontier],
                log_checkpoint_at=last,
            )
        )


def upgrade():
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("log_size", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("log_head", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("log_frontier", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("log_checkpoint_at", sa.DateTime(), nullable=True))
    op.create_table(
        "vote_tree_nodes",
        sa.Column("vote_id", sa.Integer(), nullable=False),
        sa.Column("node", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["vote_id"], ["votes.id"], name=op.f("fk_vote_tree_nodes_vote_id_votes")
        ),
        sa.PrimaryKeyConstraint("vote_id", "node", name=op.f("pk_vote_tree_nodes")),
    )
    _backfill()


def downgrade():
    op.drop_table("vote_tree_nodes")
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.drop_column("log_checkpoint_at")
        batch_op.drop_column("log_frontier")
        batch_op.drop_column("log_head")
        batch_op.drop_column("log_size")
