"""``flask witness serve`` and ``flask witness key`` (also ``python -m app.witness ...``).

Plain click commands, not app commands: a witness needs none of the site's database or
settings, only its own state folder and the log keys it trusts.
"""

from __future__ import annotations

from pathlib import Path

import click

from app.core import tlog

STATE_HELP = "folder for the witness's key and SQLite state (created on first run)"
NAME_HELP = "the witness key's name, used when the key is first generated (default <host>/witness)"


@click.group("witness")
def witness() -> None:
    """Run a witness that cosigns ballot-log checkpoints (c2sp.org/tlog-witness)."""


@witness.command("serve")
@click.option("--port", type=int, default=8765, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on")
@click.option(
    "--state", "state_dir", required=True, type=click.Path(file_okay=False), help=STATE_HELP
)
@click.option(
    "--log-key",
    "log_keys",
    multiple=True,
    required=True,
    help="verifier key of a log to witness (<origin>+<key ID>+<key>), or of every vote of a "
    "site (<host>/votes/*+<key ID>+<key>); repeat for several",
)
@click.option("--name", default=None, help=NAME_HELP)
def serve(
    port: int, host: str, state_dir: str, log_keys: tuple[str, ...], name: str | None
) -> None:
    """Serve add-checkpoint on HOST:PORT until stopped."""
    from werkzeug.serving import run_simple

    from app.witness.service import create_witness_app

    try:
        app = create_witness_app(Path(state_dir), log_keys, name)
    except tlog.TlogError as e:
        raise click.BadParameter(str(e), param_hint="--log-key") from e
    signer = app.extensions["witness"].signer
    click.echo(f"witness {signer.vkey}", err=True)
    click.echo(f"listening on http://{host}:{port}/add-checkpoint", err=True)
    run_simple(host, port, app, threaded=True)


@witness.command("key")
@click.option(
    "--state", "state_dir", required=True, type=click.Path(file_okay=False), help=STATE_HELP
)
@click.option("--name", default=None, help=NAME_HELP)
def key(state_dir: str, name: str | None) -> None:
    """Print the witness's verifier key (generating the key on first use)."""
    from app.witness.state import load_key

    click.echo(load_key(Path(state_dir), name).vkey)
