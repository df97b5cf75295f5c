"""pact cache revision: replaced by every write that changes what the pact's pages show

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 01:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("pacts") as batch:
        batch.add_column(
            sa.Column("cache_rev", sa.String(length=16), server_default="0", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("pacts") as batch:
        batch.drop_column("cache_rev")
