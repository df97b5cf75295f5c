"""``python -m app.witness serve|key ...``: the witness commands without the site's app."""

from app.witness.cli import witness

witness(prog_name="python -m app.witness")
