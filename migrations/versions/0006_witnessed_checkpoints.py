"""witnessed checkpoints: signed notes, community witnesses, cosignatures, policies, elector numbers

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 21:30:00

The ballots table is not touched: it stays insert-only (and its PostgreSQL trigger stays).
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("witness_quorum", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("witness_policy", sa.Text(), nullable=True))
    with op.batch_alter_table("vote_checkpoints", schema=None) as batch_op:
        batch_op.add_column(sa.Column("note", sa.Text(), nullable=True))
    with op.batch_alter_table("vote_electors", schema=None) as batch_op:
        batch_op.add_column(sa.Column("number", sa.Integer(), nullable=True))

    op.create_table(
        "community_witnesses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("vkey", sa.String(length=300), nullable=False),
        sa.Column("url", sa.String(length=300), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["users.id"], name=op.f("fk_community_witnesses_added_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_community_witnesses_community_id_communities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_witnesses")),
        sa.UniqueConstraint("community_id", "name", name="uq_community_witnesses_name"),
        sa.UniqueConstraint("community_id", "vkey", name="uq_community_witnesses_vkey"),
    )
    with op.batch_alter_table("community_witnesses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_community_witnesses_community_id"), ["community_id"], unique=False
        )

    op.create_table(
        "vote_cosignatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("checkpoint_id", sa.Integer(), nullable=False),
        sa.Column("witness", sa.String(length=64), nullable=False),
        sa.Column("line", sa.Text(), nullable=False),
        sa.Column("cosigned_at", sa.DateTime(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["checkpoint_id"],
            ["vote_checkpoints.id"],
            name=op.f("fk_vote_cosignatures_checkpoint_id_vote_checkpoints"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vote_cosignatures")),
        sa.UniqueConstraint("checkpoint_id", "witness", name="uq_vote_cosignatures_witness"),
    )
    with op.batch_alter_table("vote_cosignatures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_vote_cosignatures_checkpoint_id"), ["checkpoint_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("vote_cosignatures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vote_cosignatures_checkpoint_id"))
    op.drop_table("vote_cosignatures")
    with op.batch_alter_table("community_witnesses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_community_witnesses_community_id"))
    op.drop_table("community_witnesses")
    with op.batch_alter_table("vote_electors", schema=None) as batch_op:
        batch_op.drop_column("number")
    with op.batch_alter_table("vote_checkpoints", schema=None) as batch_op:
        batch_op.drop_column("note")
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.drop_column("witness_policy")
        batch_op.drop_column("witness_quorum")
