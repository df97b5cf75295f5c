"""Flask commands: demo data, admin accounts."""

import click
from flask import Flask
from flask.cli import with_appcontext


def register_cli(app: Flask) -> None:
    @app.cli.command("demo")
    @with_appcontext
    def demo_command():
        """Load the demo community data (running it twice changes nothing)."""
        import logging

        from app.demo import load_demo, print_logins

        # Thousands of demo writes would each log an audit line; the audit table keeps them all.
        logging.getLogger("yishiting.audit").setLevel(logging.WARNING)
        created = load_demo()
        click.echo(
            "Demo data loaded." if created else "Demo data already present; nothing changed."
        )
        print_logins(click.echo)

    @app.cli.command("create-admin")
    @click.option("--name", required=True)
    @click.option("--email", required=True)
    @click.password_option()
    @with_appcontext
    def create_admin(name, email, password):
        """Create an administrator account (subdistrict staff)."""
        from app.accounts.models import Role
        from app.accounts.operations import appoint, register_user
        from app.extensions import db

        user = register_user(name, password, email=email.lower())
        appoint(user, Role.ADMIN, actor=None)
        db.session.commit()
        click.echo(f"Administrator {email} created.")

    @app.cli.command("db-empty")
    @with_appcontext
    def db_empty():
        """Exit 0 when the database has no communities yet (used by `make run`)."""
        from sqlalchemy import func, select

        from app.extensions import db
        from app.org.models import Community

        count = db.session.scalar(select(func.count(Community.id)))
        raise SystemExit(0 if count == 0 else 1)
