"""Benchmarks of the votes domain's pure core, as ratios against baselines measured in the same run.

    .venv/bin/python bench/bench_votes.py [--leaves 100000]

* Merkle: the RFC 6962 root of N leaves, against the baseline of hashing N leaves once (a root
  needs N - 1 more hashes, so about 1x is the floor); an inclusion proof and its check.
* Equal shares on the real Wieliczka 2023 election (6,586 ballots, 64 projects): completion
  against the baseline of one run of the Method of Equal Shares at B/n; and the standalone
  verifier's recount of the same, against the app's.

Absolute times depend on the machine; the ratios are what to compare between commits.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import sys
import time
from fractions import Fraction
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from app.votes import ballot_log as bl  # noqa: E402
from app.votes.methods import _Election, equal_shares_outcome, lot_key  # noqa: E402
from tests.votes_data.pabulib import read_pb  # noqa: E402

WIELICZKA = REPO / "tests" / "data" / "poland_wieliczka_2023.pb"


def timed(fn, *args):
    started = time.perf_counter()
    value = fn(*args)
    return value, time.perf_counter() - started


def bench_merkle(n: int) -> None:
    data = [i.to_bytes(8, "big") for i in range(n)]
    leaves, base = timed(lambda: [hashlib.sha256(b"\x00" + d).hexdigest() for d in data])
    root, t_root = timed(bl.merkle_root, leaves)
    proof, t_proof = timed(bl.inclusion_proof, n // 3, leaves)
    ok, t_check = timed(bl.verify_inclusion, leaves[n // 3], n // 3, n, proof, root)
    if not ok:
        raise SystemExit("the inclusion proof did not verify")
    print(f"Merkle over {n:,} leaves (baseline: hashing the leaves, {base * 1000:.0f} ms)")
    print(f"  root             {t_root * 1000:8.0f} ms   {t_root / base:6.2f}x baseline")
    print(f"  inclusion proof  {t_proof * 1000:8.0f} ms   {t_proof / base:6.2f}x baseline")
    print(f"  proof check      {t_check * 1000:8.3f} ms   {t_check / base:8.5f}x baseline")


def bench_equal_shares() -> None:
    if not WIELICZKA.is_file():
        print(f"(skipping equal shares: {WIELICZKA} not found)")
        return
    election = read_pb(WIELICZKA)
    root = "00" * 32

    def tie(p):
        return lot_key(root, p)

    costs, budget = election.costs, election.budget
    prepared = _Election(election.ballots, costs)
    _, base = timed(prepared.run, Fraction(budget, prepared.n), tie)
    (winners, share), t_full = timed(equal_shares_outcome, election.ballots, costs, budget, tie)
    if set(winners) != election.selected:
        raise SystemExit("equal shares did not reproduce the official Wieliczka outcome")
    spec = importlib.util.spec_from_file_location(
        "verify_ballot_log", REPO / "tools" / "verify_ballot_log.py"
    )
    verifier = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(verifier)
    (v_winners, v_share), t_verifier = timed(
        verifier.equal_shares_with_completion, election.ballots, costs, budget, root
    )
    if (v_winners, v_share) != (winners, share):
        raise SystemExit("the verifier's recount differs from the app's")
    print(
        f"Equal shares, Wieliczka 2023: {len(election.ballots):,} ballots, {len(costs)} projects "
        f"(baseline: one run at B/n, {base * 1000:.0f} ms)"
    )
    print(
        f"  with completion  {t_full:8.2f} s    {t_full / base:6.1f}x baseline "
        f"({len(winners)} projects, {sum(costs[p] for p in winners):,} PLN, share {float(share):.2f})"
    )
    print(f"  verifier recount {t_verifier:8.2f} s    {t_verifier / base:6.1f}x baseline")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaves", type=int, default=100_000)
    args = parser.parse_args()
    bench_merkle(args.leaves)
    bench_equal_shares()


if __name__ == "__main__":
    main()
