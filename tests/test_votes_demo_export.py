"""`flask votes export --all DIR` on the demo data writes logs that the standalone verifier accepts."""

import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from app.demo import load_demo
from app.extensions import db
from app.votes.models import Method, Secrecy, Vote, VoteStatus

VERIFIER = Path(__file__).resolve().parent.parent / "tools" / "verify_ballot_log.py"


def test_demo_votes_export_and_verify(app, tmp_path):
    assert load_demo()
    votes = db.session.scalars(select(Vote).order_by(Vote.id)).all()
    published = [v for v in votes if v.status == VoteStatus.PUBLISHED]
    kinds = {(v.method, v.secrecy) for v in published}
    assert (Method.APPROVAL, Secrecy.OPEN) in kinds and (
        Method.EQUAL_SHARES,
        Secrecy.SECRET,
    ) in kinds
    assert any(v.status == VoteStatus.OPEN for v in votes)
    result = app.test_cli_runner().invoke(args=["votes", "export", "--all", str(tmp_path)])
    assert result.exit_code == 0, result.output
    files = sorted(tmp_path.glob("*.json"))
    assert len(files) == len(published) >= 2
    for path in files:
        run = subprocess.run(
            [sys.executable, str(VERIFIER), str(path)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert run.returncode == 0, run.stdout + run.stderr
        assert "VALID" in run.stdout
    doc = json.loads(files[0].read_text(encoding="utf-8"))
    assert doc["format"] == "yishiting-ballot-log/2" and "quorum none" in doc["policy"]
    assert all(
        cp["note"].startswith(doc["manifest"]["log"].split("+")[0]) for cp in doc["checkpoints"]
    )
    receipt = doc["ballots"][-1]["hash"]
    run = subprocess.run(
        [sys.executable, str(VERIFIER), str(files[0]), "--receipt", receipt],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
