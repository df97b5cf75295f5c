"""reset codes: one-time codes to choose a new password, issued in person (stored hashed)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 01:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "reset_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=256), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("voided_at", sa.DateTime(), nullable=True),
        sa.Column("failures", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_reset_codes_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_id"], ["users.id"], name=op.f("fk_reset_codes_issued_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reset_codes")),
    )
    with op.batch_alter_table("reset_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reset_codes_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("reset_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reset_codes_user_id"))
    op.drop_table("reset_codes")
