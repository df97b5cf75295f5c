"""`flask votes tick` (open, close, checkpoint what is due) and `flask votes export --all DIR`."""

import json
from pathlib import Path

import click
from flask import Blueprint
from sqlalchemy import select

from app.core.db import begin_write
from app.extensions import db
from app.votes import operations, queries
from app.votes.models import Vote, VoteStatus


def register_commands(bp: Blueprint) -> None:
    """Attach the votes commands to the blueprint's CLI group (`flask votes ...`)."""
    bp.cli.add_command(tick_command)
    bp.cli.add_command(export_command)


@click.command("tick")
def tick_command():
    """Open and close the votes that are due, and take checkpoints."""
    begin_write()
    done = operations.tick()
    db.session.commit()
    click.echo(
        f"opened {done['opened']}, closed {done['closed']}, checkpoints {done['checkpoints']}"
    )


@click.command("export")
@click.option(
    "--all",
    "directory",
    type=click.Path(file_okay=False),
    required=True,
    help="Write one file per published vote into this folder.",
)
def export_command(directory):
    """Export every published vote's ballot log (one JSON file per vote)."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for vote in db.session.scalars(
        select(Vote).where(Vote.status == VoteStatus.PUBLISHED).order_by(Vote.id)
    ):
        doc = queries.export_document(vote)
        (folder / f"vote-{vote.id}-ballot-log.json").write_text(
            json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8"
        )
        count += 1
    click.echo(f"{count} ballot logs written to {folder}")
