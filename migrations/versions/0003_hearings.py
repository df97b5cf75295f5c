"""hearings: sessions, agenda, registrations, walk-ins, minutes with actions and speakers, suggestions and their history

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 22:20:19.483579

"""
import sqlalchemy as sa
from alembic import op

# Written out here rather than imported, so that later model changes cannot change this migration.
IMMUTABLE_TABLES = ("session_minutes", "minutes_actions", "minutes_speakers", "suggestion_events")


def immutable_trigger_sql(table: str, dialect: str) -> str:
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

# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('hearing_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=True),
    sa.Column('station_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('hearing', 'coordination', 'review', 'supervision', 'reception', name='sessionkind', native_enum=False, length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('subject_text', sa.Text(), nullable=False),
    sa.Column('subject_type', sa.String(length=20), nullable=True),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('scheduled', 'held', 'minutes_published', 'cancelled', name='sessionstatus', native_enum=False, length=20), nullable=False),
    sa.Column('cancel_reason', sa.String(length=500), nullable=False),
    sa.Column('host_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('capacity IS NULL OR capacity > 0', name=op.f('ck_hearing_sessions_capacity_positive')),
    sa.CheckConstraint('community_id IS NOT NULL OR station_id IS NOT NULL', name=op.f('ck_hearing_sessions_has_place')),
    sa.CheckConstraint('ends_at >= starts_at', name=op.f('ck_hearing_sessions_ends_after_start')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_hearing_sessions_community_id_communities')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_hearing_sessions_created_by_id_users')),
    sa.ForeignKeyConstraint(['host_id'], ['users.id'], name=op.f('fk_hearing_sessions_host_id_users')),
    sa.ForeignKeyConstraint(['station_id'], ['stations.id'], name=op.f('fk_hearing_sessions_station_id_stations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hearing_sessions'))
    )
    with op.batch_alter_table('hearing_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hearing_sessions_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hearing_sessions_starts_at'), ['starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_hearing_sessions_station_id'), ['station_id'], unique=False)

    op.create_table('session_agenda_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['hearing_sessions.id'], name=op.f('fk_session_agenda_items_session_id_hearing_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_agenda_items'))
    )
    with op.batch_alter_table('session_agenda_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_agenda_items_session_id'), ['session_id'], unique=False)

    op.create_table('session_minutes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('decisions', sa.Text(), nullable=False),
    sa.Column('correction_note', sa.String(length=500), nullable=False),
    sa.Column('attendance_registered', sa.Integer(), nullable=False),
    sa.Column('attendance_walk_ins', sa.Integer(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_session_minutes_published_by_id_users')),
    sa.ForeignKeyConstraint(['session_id'], ['hearing_sessions.id'], name=op.f('fk_session_minutes_session_id_hearing_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_minutes')),
    sa.UniqueConstraint('session_id', 'revision', name=op.f('uq_session_minutes_session_id_revision'))
    )
    with op.batch_alter_table('session_minutes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_minutes_session_id'), ['session_id'], unique=False)

    op.create_table('session_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('registered', 'waiting', 'cancelled', name='registrationstatus', native_enum=False, length=20), nullable=False),
    sa.Column('speak_topic', sa.String(length=200), nullable=False),
    sa.Column('queued_at', sa.DateTime(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.Column('promoted_at', sa.DateTime(), nullable=True),
    sa.Column('attended', sa.Boolean(), nullable=False),
    sa.Column('attended_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['session_id'], ['hearing_sessions.id'], name=op.f('fk_session_registrations_session_id_hearing_sessions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_session_registrations_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_registrations')),
    sa.UniqueConstraint('session_id', 'user_id', name=op.f('uq_session_registrations_session_id_user_id'))
    )
    with op.batch_alter_table('session_registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_registrations_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_session_registrations_user_id'), ['user_id'], unique=False)

    op.create_table('session_walk_ins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['building_id'], ['buildings.id'], name=op.f('fk_session_walk_ins_building_id_buildings')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_session_walk_ins_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['session_id'], ['hearing_sessions.id'], name=op.f('fk_session_walk_ins_session_id_hearing_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_walk_ins'))
    )
    with op.batch_alter_table('session_walk_ins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_walk_ins_session_id'), ['session_id'], unique=False)

    op.create_table('suggestions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('lift', 'leaks', 'cleaning', 'parking', 'security', 'property_service', 'property_company_choice', 'maintenance_fund', 'neighbours', 'elderly', 'community_life', 'streets', 'other', name='category', native_enum=False, length=30), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=True),
    sa.Column('summary', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('submitted', 'accepted', 'answered', 'reopened', 'closed', 'declined', name='suggestionstatus', native_enum=False, length=20), nullable=False),
    sa.Column('source', sa.Enum('online', 'session', 'reception', 'minutes', name='suggestionsource', native_enum=False, length=20), nullable=False),
    sa.Column('submitter_id', sa.Integer(), nullable=True),
    sa.Column('walk_in_name', sa.String(length=50), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('station_id', sa.Integer(), nullable=True),
    sa.Column('body_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.Column('accepted_at', sa.DateTime(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('first_answered_at', sa.DateTime(), nullable=True),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('decline_reason', sa.String(length=500), nullable=False),
    sa.Column('rating', sa.Enum('satisfied', 'fairly_satisfied', 'unsatisfied', name='rating', native_enum=False, length=20), nullable=True),
    sa.Column('rated_at', sa.DateTime(), nullable=True),
    sa.Column('reopen_count', sa.Integer(), nullable=False),
    sa.Column('is_candidate_project', sa.Boolean(), nullable=False),
    sa.Column('candidate_title', sa.String(length=200), nullable=False),
    sa.Column('candidate_description', sa.Text(), nullable=False),
    sa.Column('candidate_cost', sa.Integer(), nullable=True),
    sa.CheckConstraint('candidate_cost IS NULL OR candidate_cost >= 0', name=op.f('ck_suggestions_cost_not_negative')),
    sa.CheckConstraint('reopen_count >= 0', name=op.f('ck_suggestions_reopen_count_not_negative')),
    sa.ForeignKeyConstraint(['body_id'], ['bodies.id'], name=op.f('fk_suggestions_body_id_bodies')),
    sa.ForeignKeyConstraint(['building_id'], ['buildings.id'], name=op.f('fk_suggestions_building_id_buildings')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_suggestions_community_id_communities')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_suggestions_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['session_id'], ['hearing_sessions.id'], name=op.f('fk_suggestions_session_id_hearing_sessions')),
    sa.ForeignKeyConstraint(['station_id'], ['stations.id'], name=op.f('fk_suggestions_station_id_stations')),
    sa.ForeignKeyConstraint(['submitter_id'], ['users.id'], name=op.f('fk_suggestions_submitter_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suggestions')),
    sa.UniqueConstraint('number', name=op.f('uq_suggestions_number')),
    sa.UniqueConstraint('year', 'seq', name=op.f('uq_suggestions_year_seq'))
    )
    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suggestions_body_id'), ['body_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_suggestions_community_id'), ['community_id'], unique=False)
        batch_op.create_index('ix_suggestions_community_status', ['community_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_suggestions_is_candidate_project'), ['is_candidate_project'], unique=False)
        batch_op.create_index(batch_op.f('ix_suggestions_recorded_by_id'), ['recorded_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_suggestions_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_suggestions_station_id'), ['station_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_suggestions_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_suggestions_submitter_id'), ['submitter_id'], unique=False)

    op.create_table('minutes_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('minutes_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['body_id'], ['bodies.id'], name=op.f('fk_minutes_actions_body_id_bodies')),
    sa.ForeignKeyConstraint(['minutes_id'], ['session_minutes.id'], name=op.f('fk_minutes_actions_minutes_id_session_minutes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_minutes_actions'))
    )
    with op.batch_alter_table('minutes_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_minutes_actions_minutes_id'), ['minutes_id'], unique=False)

    op.create_table('minutes_speakers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('minutes_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('consent', sa.Boolean(), nullable=False),
    sa.Column('points', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['minutes_id'], ['session_minutes.id'], name=op.f('fk_minutes_speakers_minutes_id_session_minutes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_minutes_speakers'))
    )
    with op.batch_alter_table('minutes_speakers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_minutes_speakers_minutes_id'), ['minutes_id'], unique=False)

    op.create_table('suggestion_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('suggestion_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('status', sa.Enum('submitted', 'accepted', 'answered', 'reopened', 'closed', 'declined', name='suggestionstatus', native_enum=False, length=20), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('body_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('rating', sa.Enum('satisfied', 'fairly_satisfied', 'unsatisfied', name='rating', native_enum=False, length=20), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_suggestion_events_actor_id_users')),
    sa.ForeignKeyConstraint(['body_id'], ['bodies.id'], name=op.f('fk_suggestion_events_body_id_bodies')),
    sa.ForeignKeyConstraint(['suggestion_id'], ['suggestions.id'], name=op.f('fk_suggestion_events_suggestion_id_suggestions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suggestion_events'))
    )
    with op.batch_alter_table('suggestion_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suggestion_events_suggestion_id'), ['suggestion_id'], unique=False)



    # Published minutes and a suggestion's history never change (see app/hearings/models.py).
    dialect = op.get_bind().dialect.name
    for table in IMMUTABLE_TABLES:
        op.execute(immutable_trigger_sql(table, dialect))


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in IMMUTABLE_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table}")
        op.execute("DROP FUNCTION IF EXISTS hearings_refuse_change()")
    with op.batch_alter_table('suggestion_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suggestion_events_suggestion_id'))

    op.drop_table('suggestion_events')
    with op.batch_alter_table('minutes_speakers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_minutes_speakers_minutes_id'))

    op.drop_table('minutes_speakers')
    with op.batch_alter_table('minutes_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_minutes_actions_minutes_id'))

    op.drop_table('minutes_actions')
    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suggestions_submitter_id'))
        batch_op.drop_index(batch_op.f('ix_suggestions_status'))
        batch_op.drop_index(batch_op.f('ix_suggestions_station_id'))
        batch_op.drop_index(batch_op.f('ix_suggestions_session_id'))
        batch_op.drop_index(batch_op.f('ix_suggestions_recorded_by_id'))
        batch_op.drop_index(batch_op.f('ix_suggestions_is_candidate_project'))
        batch_op.drop_index('ix_suggestions_community_status')
        batch_op.drop_index(batch_op.f('ix_suggestions_community_id'))
        batch_op.drop_index(batch_op.f('ix_suggestions_body_id'))

    op.drop_table('suggestions')
    with op.batch_alter_table('session_walk_ins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_walk_ins_session_id'))

    op.drop_table('session_walk_ins')
    with op.batch_alter_table('session_registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_registrations_user_id'))
        batch_op.drop_index(batch_op.f('ix_session_registrations_session_id'))

    op.drop_table('session_registrations')
    with op.batch_alter_table('session_minutes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_minutes_session_id'))

    op.drop_table('session_minutes')
    with op.batch_alter_table('session_agenda_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_agenda_items_session_id'))

    op.drop_table('session_agenda_items')
    with op.batch_alter_table('hearing_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hearing_sessions_station_id'))
        batch_op.drop_index(batch_op.f('ix_hearing_sessions_starts_at'))
        batch_op.drop_index(batch_op.f('ix_hearing_sessions_community_id'))

    op.drop_table('hearing_sessions')
