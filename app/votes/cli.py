"""`flask votes tick`, the votes' jobs of `flask tick`, and `flask votes export --all DIR`."""

from datetime import datetime
from pathlib import Path

import click
from flask import Blueprint
from sqlalchemy import select

from app.core.db import begin_write
from app.core.time import utcnow
from app.extensions import db
from app.votes import operations, witnessing
from app.votes.export import export_stream
from app.votes.models import Vote, VoteStatus


def register_commands(bp: Blueprint) -> None:
    """Attach the votes commands to the blueprint's CLI group (`flask votes ...`)."""
    bp.cli.add_command(tick_command)
    bp.cli.add_command(export_command)


def lifecycle_job(now: datetime) -> str | None:
    """`flask tick`: open and close the votes that are due, take and sign checkpoints."""
    done = operations.tick(now)
    if not any(done.values()):
        return None
    return f"opened {done['opened']}, closed {done['closed']}, checkpoints {done['checkpoints']}"


def witness_job(now: datetime) -> str | None:
    """`flask tick`: send each vote's latest checkpoint to the witnesses that have not cosigned it.

    No transaction is open while a witness answers: reading what to send ends with a commit,
    each cosignature is stored in a short write transaction of its own, so a witness that is
    down delays nobody's ballot and is simply asked again on the next tick.
    """
    requests = witnessing.pending()
    db.session.commit()
    cosigned, missing = 0, []
    for request in requests:
        answer = witnessing.ask(request, prove=_prover(request.vote_id, request.size))
        if answer.line is None:
            missing.append(f"{request.witness} (vote {request.vote_id})")
            continue
        begin_write()
        if witnessing.store(answer, now) is not None:
            cosigned += 1
        db.session.commit()
    if not requests:
        return None
    line = f"{cosigned} cosignatures received"
    return line + (f"; not yet from {', '.join(missing)}" if missing else "")


def _prover(vote_id: int, size: int):
    """Read a consistency proof from another size, ending the read before the witness is asked."""

    def prove(old_size: int) -> list[bytes]:
        try:
            return witnessing.consistency(vote_id, old_size, size)
        finally:
            db.session.commit()

    return prove


witness_job.manages_transactions = True  # type: ignore[attr-defined]


@click.command("tick")
def tick_command():
    """Open and close the votes that are due, take checkpoints and ask the witnesses."""
    begin_write()
    now = utcnow()
    summary = lifecycle_job(now)
    db.session.commit()
    click.echo(summary or "nothing due")
    click.echo(witness_job(now) or "no checkpoint awaits a witness")


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
        with (folder / f"vote-{vote.id}-ballot-log.json").open("w", encoding="utf-8") as out:
            out.writelines(export_stream(vote))  # the page's bytes, in bounded memory
        count += 1
    click.echo(f"{count} ballot logs written to {folder}")
