"""The real Wieliczka 2023 Green Budget election (pabulib) decided by the Method of Equal Shares.

Its `selected` column is the official outcome: 30 projects, 995,079 PLN. The plain "most
approvals first" outcome beside it is 23 projects, 998,997 PLN.
"""

import json
import subprocess
import sys
import time
from fractions import Fraction

import pytest

from app.votes import ballot_log as bl
from app.votes.methods import _Election, greedy, lot_key, tally
from tests.votes_data import oracle
from tests.votes_data.logs import VERIFIER, shared_file
from tests.votes_data.pabulib import read_pb

#: The whole module replays the real election (about a minute): `make test-fast` leaves it out.
pytestmark = pytest.mark.slow

ROOT = "00" * 32


@pytest.fixture(scope="module")
def election():
    return read_pb(shared_file("poland_wieliczka_2023.pb"))


@pytest.fixture(scope="module")
def wieliczka_export(election):
    """The election as a secret equal-shares vote, its log and its tally (timed once)."""
    options = [
        {"id": pid, "title": p["name"], "cost": p["cost"]} for pid, p in election.projects.items()
    ]
    manifest = {
        "vote": 2023,
        "title": "Zielony Milion 2023",
        "method": "equal_shares",
        "options": options,
        "params": bl.default_params("equal_shares", 50000, budget=election.budget),
        "electorate": {"kind": "residents", "size": 50000},
        "secrecy": "secret",
        "opens_at": "2023-04-03T00:00:00Z",
        "closes_at": "2023-04-21T22:00:00Z",
    }
    ids = [o["id"] for o in options]
    prev, records = bl.manifest_hash(manifest), []
    for seq, approvals in enumerate(election.ballots):
        choices = bl.validate_choices(
            "equal_shares", ids, manifest["params"], {"approve": approvals}
        )
        record = bl.make_record(
            seq=seq,
            vote=2023,
            cast_at="2023-04-10T12:00:00Z",
            voter=None,
            choices=choices,
            nonce=bl.new_nonce(),
            prev=prev,
        )
        records.append(record)
        prev = record["hash"]
    hashes = [r["hash"] for r in records]
    checkpoints = [
        oracle.make_checkpoint(hashes[:k], "2023-04-15T00:00:00Z")
        for k in range(500, len(hashes), 500)
    ]
    checkpoints.append(oracle.make_checkpoint(hashes, "2023-04-21T22:00:00Z"))
    started = time.perf_counter()
    result = tally(manifest, [r["choices"] for r in records], bl.merkle_root(hashes))
    seconds = time.perf_counter() - started
    names = [f"resident {i:05d}" for i in range(len(records))]
    return bl.build_export(manifest, records, checkpoints, names, result), seconds


def test_the_file_reads_as_published(election):
    assert len(election.projects) == 64
    assert len(election.ballots) == 6586
    assert election.budget == 1_000_000
    assert len(election.selected) == 30


def test_equal_shares_reproduces_the_official_outcome(election, wieliczka_export):
    doc, seconds = wieliczka_export
    result = doc["result"]
    assert set(result["winners"]) == election.selected
    assert len(result["winners"]) == 30
    assert result["cost"] == sum(election.costs[p] for p in result["winners"]) == 995_079
    # completion stopped at B/n + 164, i.e. a per-voter share of about 315.84 PLN
    assert Fraction(result["share"]) == Fraction(1_000_000, 6586) + 164
    print(f"equal shares with completion on Wieliczka: {seconds:.1f} s")


def test_greedy_beside_it_gives_23_projects(election, wieliczka_export):
    result = wieliczka_export[0]["result"]
    assert len(result["greedy_winners"]) == 23
    assert result["greedy_cost"] == 998_997
    assert set(result["greedy_winners"]) - set(result["winners"]) == {"8", "16", "21", "87"}
    approvals = {p: 0 for p in election.projects}
    for ballot in election.ballots:
        for p in ballot:
            approvals[p] += 1
    assert (
        greedy(approvals, election.costs, election.budget, lambda p: lot_key(ROOT, p))
        == result["greedy_winners"]
    )


def test_per_voter_shares_306_and_315_give_the_official_set(election):
    # the README's observation; stopping at the first exhaustive outcome would not
    run = _Election(election.ballots, election.costs)
    for share in (306, 315):
        winners = run.run(Fraction(share), lambda p: lot_key(ROOT, p))
        assert set(winners) == election.selected


def test_the_wieliczka_log_passes_the_app_check_and_the_standalone_verifier(
    wieliczka_export, tmp_path
):
    doc = json.loads(json.dumps(wieliczka_export[0], ensure_ascii=False))
    good, bad = tmp_path / "wieliczka.json", tmp_path / "wieliczka-greedy.json"
    good.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    # a log whose published winners are the greedy ones is caught by the independent recount
    tampered = {**doc, "result": {**doc["result"], "winners": doc["result"]["greedy_winners"]}}
    bad.write_text(json.dumps(tampered, ensure_ascii=False), encoding="utf-8")
    runs = [
        subprocess.Popen(
            [sys.executable, "-I", "-S", str(VERIFIER), str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for path in (good, bad)
    ]
    assert oracle.check_export(doc) == []
    (out_good, err_good), (out_bad, _) = (p.communicate(timeout=300) for p in runs)
    assert runs[0].returncode == 0, out_good + err_good
    assert out_good.startswith("VALID") and "6586 ballots" in out_good
    assert runs[1].returncode == 1 and "winners" in out_bad
