"""linked speakers: a speaker entry in the minutes can name the member who spoke

The entry then shows the member's current display name, and loses the link when the account
is deleted.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 01:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


TABLE = "minutes_speakers"
FK = "fk_minutes_speakers_user_id_users"


def _sqlite_trigger() -> str:
    """Written out here (as migration 0003 made it) so later model changes cannot change it."""
    return (
        f"CREATE TRIGGER {TABLE}_immutable BEFORE UPDATE ON {TABLE} "
        f"BEGIN SELECT RAISE(ABORT, '{TABLE} rows are immutable'); END"
    )


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a constrained column by copying the table, which drops its triggers: the
        # immutability trigger is made again after the copy.
        with op.batch_alter_table(TABLE) as batch:
            batch.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
            batch.create_foreign_key(FK, "users", ["user_id"], ["id"])
            batch.create_index("ix_minutes_speakers_user_id", ["user_id"], unique=False)
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_immutable")
        op.execute(_sqlite_trigger())
        return
    # PostgreSQL adds the column in place; ALTER TABLE fires no row trigger.
    op.add_column(TABLE, sa.Column("user_id", sa.Integer(), nullable=True))
    op.create_foreign_key(FK, TABLE, "users", ["user_id"], ["id"])
    op.create_index("ix_minutes_speakers_user_id", TABLE, ["user_id"], unique=False)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table(TABLE) as batch:
            batch.drop_index("ix_minutes_speakers_user_id")
            batch.drop_constraint(FK, type_="foreignkey")
            batch.drop_column("user_id")
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_immutable")
        op.execute(_sqlite_trigger())
        return
    op.drop_index("ix_minutes_speakers_user_id", table_name=TABLE)
    op.drop_constraint(FK, TABLE, type_="foreignkey")
    op.drop_column(TABLE, "user_id")
