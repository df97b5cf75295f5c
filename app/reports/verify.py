"""Whether a vote's published ballot log passes the project's standalone verifier.

The verdict is computed, never assumed: the vote's export document (the same one anyone
downloads) is written to a temporary file and `tools/verify_ballot_log.py` runs on it in a
subprocess, exactly as an outside observer would run it.
"""

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class Verdict:
    verified: bool
    #: The verifier's first line: "VALID ..." or "INVALID: reason".
    line: str


def verifier_path() -> Path:
    return Path(current_app.root_path).parent / "tools" / "verify_ballot_log.py"


def verify_document(document: dict) -> Verdict:
    """Run the standalone verifier on an exported ballot log."""
    script = verifier_path()
    if not script.exists():
        return Verdict(False, f"INVALID: the verifier {script} is missing")
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8") as fh:
        json.dump(document, fh, ensure_ascii=False)
        fh.flush()
        try:
            done = subprocess.run(  # noqa: S603 - our own script on our own file, no shell
                [sys.executable, str(script), fh.name],
                capture_output=True,
                text=True,
                timeout=TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return Verdict(False, "INVALID: the verifier did not finish in time")
    line = (done.stdout.strip().splitlines() or [done.stderr.strip() or "INVALID"])[0]
    return Verdict(done.returncode == 0 and line.startswith("VALID"), line)
