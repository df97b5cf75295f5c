"""`flask pacts ...`: the commands cron runs for pacts."""

from datetime import datetime

import click
from flask import Flask
from flask.cli import AppGroup

from app.core.db import begin_write
from app.extensions import db
from app.pacts import operations as ops

cli = AppGroup("pacts", help="Pacts: scheduled work.")


@cli.command("close-due")
def close_due_command() -> None:
    """Close the consultations whose closing time has passed (run it from cron every few minutes)."""
    begin_write()
    closed = ops.close_due_consultations()
    db.session.commit()
    click.echo(f"{len(closed)} consultation(s) closed")


def close_due_job(now: datetime) -> str | None:
    """`flask tick`'s share of pacts: close the consultations that are due."""
    closed = ops.close_due_consultations(now)
    return f"{len(closed)} consultation(s) closed" if closed else None


def register(app: Flask) -> None:
    """Add the `pacts` command group to the app."""
    app.cli.add_command(cli)
