"""follow-through: time limits per category, escalation, return visits, scheduled effects, e-mail outbox

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 21:40:00

Notifications written before this revision say mail_state "skipped" (the server default), so the
first `flask tick` after the upgrade never e-mails the past; new ones are written "pending".
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "scheduled_effects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_effects")),
        sa.UniqueConstraint("kind", "key", name=op.f("uq_scheduled_effects_kind_key")),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("locale", sa.String(length=10), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_outbox_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("key", name=op.f("uq_outbox_key")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_user_id"), ["user_id"], unique=False)

    op.create_table(
        "suggestion_time_limits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "lift",
                "leaks",
                "cleaning",
                "parking",
                "security",
                "property_service",
                "property_company_choice",
                "maintenance_fund",
                "neighbours",
                "elderly",
                "community_life",
                "streets",
                "other",
                name="category",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("working_days", sa.Integer(), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("set_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "working_days >= 1 AND working_days <= 60",
            name=op.f("ck_suggestion_time_limits_time_limit_range"),
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_suggestion_time_limits_community_id_communities"),
        ),
        sa.ForeignKeyConstraint(
            ["set_by_id"], ["users.id"], name=op.f("fk_suggestion_time_limits_set_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestion_time_limits")),
        sa.UniqueConstraint(
            "community_id", "category", name=op.f("uq_suggestion_time_limits_community_id_category")
        ),
    )
    with op.batch_alter_table("suggestion_time_limits", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_suggestion_time_limits_community_id"), ["community_id"], unique=False
        )

    op.create_table(
        "suggestion_return_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("suggestion_id", sa.Integer(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "satisfied",
                "unsatisfied",
                "unreachable",
                name="visitoutcome",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=1000), nullable=False),
        sa.Column("visited_by_id", sa.Integer(), nullable=True),
        sa.Column("visited_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["suggestion_id"],
            ["suggestions.id"],
            name=op.f("fk_suggestion_return_visits_suggestion_id_suggestions"),
        ),
        sa.ForeignKeyConstraint(
            ["visited_by_id"],
            ["users.id"],
            name=op.f("fk_suggestion_return_visits_visited_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestion_return_visits")),
    )
    with op.batch_alter_table("suggestion_return_visits", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_suggestion_return_visits_suggestion_id"), ["suggestion_id"], unique=False
        )

    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("mail_state", sa.String(length=10), server_default="skipped", nullable=False)
        )
        batch_op.add_column(sa.Column("mail_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_notifications_mail_state"), ["mail_state"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_notifications_mail_id_outbox"), "outbox", ["mail_id"], ["id"]
        )

    with op.batch_alter_table("suggestions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("escalated_at", sa.DateTime(), nullable=True))

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "email_delivery", sa.String(length=10), server_default="immediate", nullable=False
            )
        )


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("email_delivery")

    with op.batch_alter_table("suggestions", schema=None) as batch_op:
        batch_op.drop_column("escalated_at")

    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_notifications_mail_id_outbox"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_notifications_mail_state"))
        batch_op.drop_column("mail_id")
        batch_op.drop_column("mail_state")

    with op.batch_alter_table("suggestion_return_visits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_suggestion_return_visits_suggestion_id"))

    op.drop_table("suggestion_return_visits")
    with op.batch_alter_table("suggestion_time_limits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_suggestion_time_limits_community_id"))

    op.drop_table("suggestion_time_limits")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_user_id"))
        batch_op.drop_index(batch_op.f("ix_outbox_state"))

    op.drop_table("outbox")
    op.drop_table("scheduled_effects")
