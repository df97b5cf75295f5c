"""action completions: a follow-up action of the minutes recorded as done (insert-only)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 10:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TABLE = "minutes_action_completions"


def immutable_trigger_sql(table: str, dialect: str) -> str:
    """Written out here rather than imported, so that later model changes cannot change this migration."""
    if dialect == "postgresql":
        return (
            "CREATE OR REPLACE FUNCTION hearings_refuse_change() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' rows are immutable'; END; $$ LANGUAGE plpgsql; "
            f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION hearings_refuse_change();"
        )
    return (
        f"CREATE TRIGGER {table}_immutable BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} rows are immutable'); END"
    )


def upgrade():
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=False),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["minutes_actions.id"],
            name=op.f("fk_minutes_action_completions_action_id_minutes_actions"),
        ),
        sa.ForeignKeyConstraint(
            ["done_by_id"],
            ["users.id"],
            name=op.f("fk_minutes_action_completions_done_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_minutes_action_completions")),
        sa.UniqueConstraint("action_id", name=op.f("uq_minutes_action_completions_action_id")),
    )
    op.execute(immutable_trigger_sql(TABLE, op.get_bind().dialect.name))


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_immutable ON {TABLE}")
    else:
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_immutable")
    op.drop_table(TABLE)
