"""hearings cache revisions: the suggestion board's per community, the session page's per session

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 05:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("communities") as batch:
        batch.add_column(
            sa.Column("suggestions_rev", sa.String(length=16), server_default="0", nullable=False)
        )
    with op.batch_alter_table("hearing_sessions") as batch:
        batch.add_column(
            sa.Column("cache_rev", sa.String(length=16), server_default="0", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("hearing_sessions") as batch:
        batch.drop_column("cache_rev")
    with op.batch_alter_table("communities") as batch:
        batch.drop_column("suggestions_rev")
