"""Flask commands: demo data, admin accounts, and `flask tick`, the one scheduler entry point."""

import sys
from datetime import UTC, datetime

import click
from flask import Flask
from flask.cli import with_appcontext


def run_tick(now: datetime, echo=click.echo) -> bool:
    """Run every job registered with `register(app, "tick", fn)`, in order, committing after each.

    A job that fails is rolled back and reported; the others still run. Returns True when every
    job succeeded. Each job makes its own effects happen once (claimed rows, unique keys), so
    running this twice, or in two processes at once, changes nothing the second time.
    """
    from app.core.db import begin_write
    from app.core.registry import registered
    from app.extensions import db

    ok = True
    for job in registered("tick"):
        name = getattr(job, "__qualname__", repr(job))
        module = getattr(job, "__module__", "")
        label = f"{module.removeprefix('app.')}.{name}" if module else name
        try:
            # SQLite: the job's first read already holds the write lock (BEGIN IMMEDIATE), so two
            # ticks at once take turns instead of failing with "database is locked". A job that
            # talks to the outside world (e-mail) keeps its own short transactions instead.
            if not getattr(job, "manages_transactions", False):
                begin_write()
            summary = job(now)
            db.session.commit()
        except Exception as exc:  # one job's failure must not stop the others
            db.session.rollback()
            ok = False
            echo(f"{label}: FAILED: {exc!r}", err=True)
            continue
        if summary:
            echo(f"{label}: {summary}")
    return ok


def register_cli(app: Flask) -> None:
    from app.core import outbox
    from app.core.registry import register

    # E-mail goes last in every tick, so it carries what the jobs before it caused.
    register(app, "tick", outbox.compose_mail)
    register(app, "tick", outbox.send_mail)
    register(app, "account_deleted", outbox.forget_user)

    @app.cli.command("demo")
    @with_appcontext
    def demo_command():
        """Load the demo community data (running it twice changes nothing)."""
        import logging

        from app.demo import load_demo, print_logins
        from app.extensions import db

        # Thousands of demo writes would each log an audit line; the audit table keeps them all.
        logging.getLogger("yishiting.audit").setLevel(logging.WARNING)
        created = load_demo()
        db.session.commit()
        click.echo(
            "Demo data loaded." if created else "Demo data already present; nothing changed."
        )
        print_logins(click.echo)

    @app.cli.command("tick")
    @click.option(
        "--now",
        "now_text",
        default=None,
        help="Act as if it were this UTC time (ISO 8601), e.g. to catch up; default: now.",
    )
    @with_appcontext
    def tick_command(now_text):
        """Do every domain's scheduled work that is due (run it from cron every minute)."""
        from app.core.time import utcnow

        now = utcnow()
        if now_text:
            given = datetime.fromisoformat(now_text)
            now = given.astimezone(UTC).replace(tzinfo=None) if given.tzinfo else given
        if not run_tick(now):
            sys.exit(1)

    @app.cli.command("create-admin")
    @click.option("--name", required=True)
    @click.option("--email", required=True)
    @click.password_option()
    @with_appcontext
    def create_admin(name, email, password):
        """Create an administrator account (subdistrict staff)."""
        from app.accounts.models import Role
        from app.accounts.operations import appoint, register_user
        from app.accounts.passwords import password_problem
        from app.extensions import db

        problem = password_problem(password, email=email.lower(), name=name)
        if problem:
            raise click.BadParameter(problem, param_hint="password")
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
