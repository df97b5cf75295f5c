"""The migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect

from app import create_app
from app.config import TestConfig
from app.extensions import db


def test_upgrade_on_a_fresh_database_matches_the_models(tmp_path):
    url = f"sqlite:///{tmp_path / 'migrated.db'}"
    config = type("Config", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url})
    app = create_app(config)
    with app.app_context():
        upgrade(directory="migrations")
        engine = create_engine(url)
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        assert "users" in inspect(engine).get_table_names()
        engine.dispose()
        db.engine.dispose()


def test_ballot_log_tree_is_backfilled_from_the_ballots_of_an_existing_database(tmp_path):
    """0014 computes each vote's chain head, frontier, tree nodes and checkpoint time from the
    ballots of a database made before it (as `make run` left it): what the app keeps itself."""
    import importlib.util

    from alembic.operations import Operations
    from sqlalchemy import text

    from app.demo import load_demo
    from app.votes.models import Vote

    spec = importlib.util.spec_from_file_location(
        "m0014", "migrations/versions/0014_ballot_log_tree.py"
    )
    assert spec is not None and spec.loader is not None
    m0014 = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m0014)

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    config = type("Config", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url})
    app = create_app(config)

    def figures():
        votes = db.session.scalars(db.select(Vote).order_by(Vote.id))
        nodes = db.session.execute(
            text("SELECT vote_id, node, hash FROM vote_tree_nodes ORDER BY vote_id, node")
        ).all()
        return [(v.log_size, v.log_head, v.log_frontier, v.log_checkpoint_at) for v in votes], nodes

    with app.app_context():
        upgrade(directory="migrations")
        load_demo()
        db.session.commit()
        kept = figures()
        assert any(size > 0 and at is not None for size, _, _, at in kept[0])
        db.session.execute(text("DELETE FROM vote_tree_nodes"))
        db.session.execute(
            text(
                "UPDATE votes SET log_size = 0, log_head = NULL, log_frontier = NULL,"
                " log_checkpoint_at = NULL"
            )
        )
        with db.engine.begin() as conn:
            with Operations.context(MigrationContext.configure(conn)):
                db.session.commit()
                m0014._backfill()
        db.session.expire_all()
        assert figures() == kept
        db.session.remove()
        db.engine.dispose()
