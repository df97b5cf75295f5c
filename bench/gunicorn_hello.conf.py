"""gunicorn settings for the hello-world: the project's gunicorn.conf.py (BENCH_APP_DIR), with
its hooks that load the project's app (the Redis check, the engine disposal) left out."""

import os
from pathlib import Path

_conf = Path(os.environ["BENCH_APP_DIR"]) / "gunicorn.conf.py"
exec(compile(_conf.read_text(), str(_conf), "exec"))  # noqa: S102 - the project's own settings


def on_starting(server):
    pass


def post_fork(server, worker):
    pass
