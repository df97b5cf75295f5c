"""once submissions: one-time form tokens, so a repeated POST returns the first result

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 01:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "once_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_once_submissions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_once_submissions")),
        sa.UniqueConstraint("key", name=op.f("uq_once_submissions_key")),
    )
    op.create_index(
        op.f("ix_once_submissions_user_id"), "once_submissions", ["user_id"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_once_submissions_user_id"), table_name="once_submissions")
    op.drop_table("once_submissions")
