"""A witness: a small separate service that cosigns a ballot log's checkpoints (c2sp.org/tlog-witness).

A residents' committee, an owners' committee, the liaison station or an outside party runs one
with its own key and its own SQLite state (``flask witness serve --port 8765 --state DIR
--log-key VKEY``). It cosigns a checkpoint only when it is consistent with everything it
cosigned before for that log, so the site cannot show two histories of one vote. It shares no
database with the app; ``app.witness.client`` is how the app asks it for cosignatures.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the ``flask witness`` commands (the service itself is its own WSGI app)."""
    from app.witness.cli import witness

    app.cli.add_command(witness)
