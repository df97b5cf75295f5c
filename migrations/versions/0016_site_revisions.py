"""site revisions: the revision of the list of communities, replaced by every write to it

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 05:30:00

"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "site_revisions",
        sa.Column("name", sa.String(length=30), primary_key=True),
        sa.Column("value", sa.String(length=16), nullable=False),
    )
    op.bulk_insert(table, [{"name": "communities", "value": secrets.token_hex(8)}])


def downgrade():
    op.drop_table("site_revisions")
