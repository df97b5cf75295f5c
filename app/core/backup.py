"""`flask backup DIR` and `flask restore FILE`: a consistent copy while the site runs, and back.

- SQLite: SQLite's online backup API (`sqlite3.Connection.backup`) copies the database page by
  page under its own locks, so writers may carry on; the copy is one consistent snapshot.
- PostgreSQL: `pg_dump --format=custom` (one consistent snapshot too); the command says so.
  `pg_restore` restores it.

A restore refuses to overwrite a database that holds any row unless `--force` is given.
"""

import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask
from sqlalchemy import inspect, text
from sqlalchemy.engine import URL

from app.extensions import db

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S")


def _pg_args(url: URL) -> tuple[list[str], dict[str, str]]:
    """libpq arguments and environment for `url` (the password in the environment, not argv)."""
    args = ["--dbname", url.database or ""]
    if url.host:
        args += ["--host", url.host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise click.ClickException(f"{name} not found: install the PostgreSQL client tools")
    return path


def holds_rows() -> bool:
    """Whether the app's database has any row in any table (alembic's version aside)."""
    tables = [t for t in inspect(db.engine).get_table_names() if t != "alembic_version"]
    with db.engine.connect() as conn:
        for name in tables:
            if conn.execute(text(f'SELECT 1 FROM "{name}" LIMIT 1')).first():  # noqa: S608
                return True
    return False


def backup_to(directory: Path) -> Path:
    """Write one consistent copy of the database into `directory`; returns the file."""
    directory.mkdir(parents=True, exist_ok=True)
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        target = directory / f"yishiting-{_stamp()}.sqlite3"
        source = sqlite3.connect(url.database or "")
        try:
            copy = sqlite3.connect(target)
            with copy:
                source.backup(copy)
            copy.close()
        finally:
            source.close()
        return target
    if url.get_backend_name() == "postgresql":
        target = directory / f"yishiting-{_stamp()}.dump"
        args, env = _pg_args(url)
        subprocess.run(  # noqa: S603 - fixed arguments, the URL from our own configuration
            [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target), *args],
            check=True,
            env=env,
        )
        return target
    raise click.ClickException(f"no backup method for {url.get_backend_name()}")


def restore_from(path: Path, *, force: bool = False) -> None:
    """Replace the app's database with the backup at `path` (refused over data unless `force`)."""
    head = path.read_bytes()[:16]
    if not force and holds_rows():
        raise click.ClickException(
            "the database is not empty; restoring would overwrite it. Use --force to replace it."
        )
    url = db.engine.url
    db.session.remove()
    db.engine.dispose()
    if url.get_backend_name() == "sqlite":
        if not head.startswith(SQLITE_MAGIC):
            raise click.ClickException(f"{path} is not a SQLite backup")
        source = sqlite3.connect(path)
        try:
            target = sqlite3.connect(url.database or "")
            with target:
                source.backup(target)
            target.close()
        finally:
            source.close()
        return
    if url.get_backend_name() == "postgresql":
        if not head.startswith(PGDUMP_MAGIC):
            raise click.ClickException(f"{path} is not a pg_dump custom-format backup")
        args, env = _pg_args(url)
        subprocess.run(  # noqa: S603 - fixed arguments, the URL from our own configuration
            [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--exit-on-error", *args]
            + [str(path)],
            check=True,
            env=env,
        )
        return
    raise click.ClickException(f"no restore method for {url.get_backend_name()}")


def register(app: Flask) -> None:
    """Add `flask backup` and `flask restore`."""

    @app.cli.command("backup")
    @click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
    def backup_command(directory: Path):
        """Write a consistent copy of the database into DIRECTORY, while the site runs."""
        if db.engine.url.get_backend_name() == "postgresql":
            click.echo("PostgreSQL: running pg_dump --format=custom (restore with flask restore).")
        target = backup_to(directory)
        click.echo(f"backup written: {target}")

    @app.cli.command("restore")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--force", is_flag=True, help="Replace a database that already holds data.")
    def restore_command(file: Path, force: bool):
        """Restore the database from FILE (made by flask backup)."""
        if db.engine.url.get_backend_name() == "postgresql":
            click.echo("PostgreSQL: running pg_restore.")
        restore_from(file, force=force)
        click.echo(f"restored from {file}")
