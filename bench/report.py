"""The markdown report of `make bench` (bench/run.py): medians over the rounds, ratios to the
hello-world and to the database's raw insert rate measured in the same run."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
from pathlib import Path


def _median(values) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def _ms(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    return f"{seconds * 1000:,.0f} ms" if seconds >= 0.01 else f"{seconds * 1000:.1f} ms"


def _rate(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def _ratio(a: float | None, b: float | None) -> str:
    if not a or not b:
        return "–"
    return f"{a / b:.3f}" if a / b < 10 else f"{a / b:.1f}"


def _kb(n: int | None) -> str:
    return "–" if n is None else f"{n / 1024:,.1f} KB"


def _commit(app_dir: Path) -> str:
    done = subprocess.run(  # noqa: S603 - git describes the measured checkout
        ["git", "-C", str(app_dir), "log", "-1", "--format=%h %s"],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip()[:90] or "(not a git checkout)"


def pages_table(result: dict) -> list[str]:
    runs, probe = result["pages"], result["probe"]
    hello = _median(r["rate"] for r in runs["hello"])
    lines = [
        "| page | req/s | ratio to hello | p50 | p99 | bytes | SQL statements (1st / 2nd request) | refused or failed |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
        f"| hello-world (baseline) | {_rate(hello)} | 1 | "
        f"{_ms(_median(r['p50'] for r in runs['hello']))} | "
        f"{_ms(_median(r['p99'] for r in runs['hello']))} | | 0 | |",
    ]
    for name in result["page_order"]:
        rs = runs.get(name, [])
        rate = _median(r["rate"] for r in rs)
        first, second = probe[name]["first"], probe[name]["second"]
        failed = sum(r["bad"] + r["errors"] for r in rs)
        status = "" if second["status"] == 200 else f"HTTP {second['status']} "
        shown = _rate(rate) if rate else "0 (none finished)"
        lines.append(
            f"| {name} | {shown} | {_ratio(rate, hello)} | "
            f"{_ms(_median(r['p50'] for r in rs))} | {_ms(_median(r['p99'] for r in rs))} | "
            f"{_kb(second['bytes'])} | {first['statements']} / {second['statements']} | "
            f"{status}{failed or ''} |"
        )
    return lines


def growth_lines(result: dict) -> list[str]:
    """From the fewest to the most comments: time per page and statements."""
    runs, probe = result["pages"], result["probe"]
    lines = []
    for what in ("pact, anonymous", "clause, anonymous"):
        names = [n for n in result["page_order"] if n.startswith(what + " (")]
        if len(names) < 2:
            continue
        low, high = names[0], names[-1]
        r_low = _median(r["rate"] for r in runs[low])
        r_high = _median(r["rate"] for r in runs[high])
        growth = f"{r_low / r_high:.2f}×" if r_low and r_high else "–"
        lines.append(
            f"- {what}: time per page grows {growth} from {low[len(what) + 2 : -1]} to "
            f"{high[len(what) + 2 : -1]}; statements {probe[low]['second']['statements']} → "
            f"{probe[high]['second']['statements']}, bytes {_kb(probe[low]['second']['bytes'])} → "
            f"{_kb(probe[high]['second']['bytes'])}"
        )
    return lines


def ballots_table(result: dict, connections: int) -> list[str]:
    b = result["ballots"]
    raw1 = _median(r.get("rate") for r in b["raw1"])
    raw_n = _median(r.get("rate") for r in b["rawN"])
    inproc = _median(r.get("rate") for r in b["inprocess"])
    http = _median(r.get("rate") for r in b["http"])
    hello = _median(r["rate"] for r in result["pages"]["hello"])
    tool = (b["raw1"] or [{}])[0].get("tool", "?")
    statements = _median(r.get("statements_per_cast") for r in b["inprocess"])
    errors: dict = {}
    for r in b["inprocess"]:
        for k, v in r.get("errors", {}).items():
            errors[k] = errors.get(k, 0) + v
    failures: dict = {}
    for r in b["http"]:
        for k, v in r.get("failures", {}).items():
            failures[k] = failures.get(k, 0) + v
    ran_out = any(r.get("ran_out") for r in b["inprocess"] + b["http"])
    return [
        "| ballots | per second | baseline | ratio |",
        "| --- | --- | --- | --- |",
        f"| raw single-row INSERT, 1 connection ({tool}) | {_rate(raw1)} | | |",
        f"| raw single-row INSERT, {connections} connections ({tool}) | {_rate(raw_n)} | | |",
        f"| casts in-process, one after another ({statements or 0:.1f} statements per cast) | "
        f"{_rate(inproc)} | raw insert, 1 connection | {_ratio(inproc, raw1)} |",
        f"| casts over HTTP, {connections} clients (review + cast; p50 "
        f"{_ms(_median(r.get('p50') for r in b['http']))}, p99 "
        f"{_ms(_median(r.get('p99') for r in b['http']))}) | {_rate(http)} | "
        f"raw insert, {connections} connections | {_ratio(http, raw_n)} |",
        f"| casts over HTTP, {connections} clients | {_rate(http)} | hello-world req/s | "
        f"{_ratio(http, hello)} |",
        "",
        f"Casts counted: {sum(r.get('casts', 0) for r in b['inprocess'])} in-process, "
        f"{sum(r.get('casts', 0) for r in b['http'])} over HTTP"
        + (f"; refused in-process: {errors}" if errors else "")
        + (f"; failed over HTTP: {failures}" if failures else "")
        + ("; **the voters ran out** (raise BENCH_VOTERS)" if ran_out else "")
        + ".",
    ]


def big_vote_lines(result: dict) -> list[str]:
    big, vote = result.get("big") or {}, result.get("big_vote") or {}
    if not big:
        return []
    n = vote.get("ballots", 0)
    cp = vote.get("checkpoint") or {}
    checkpoint = (
        f"{_ms(cp['seconds'])} warm (median of {cp.get('warm_runs', 1)}), {cp['statements']} statements"
        + (f"; first in its process {_ms(cp['first_seconds'])}" if "first_seconds" in cp else "")
        if "seconds" in cp
        else f"failed: {cp.get('error', '?')}"
    )
    export = big["export"]
    lines = [
        f"| at {n:,} ballots (published vote) | time | SQL statements | bytes | |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name in ("receipt", "short code", "result page"):
        r = big[name]
        status = "" if r["status"] == 200 else f"HTTP {r['status']}"
        if "marker" in r:
            status += " proof verified" if r["marker"] else " **proof not verified**"
        label = {
            "receipt": "public receipt check (full hash)",
            "short code": "receipt check by short code",
        }.get(name, name)
        lines.append(
            f"| {label} | {_ms(r['seconds'])} | {r['statements']} | {_kb(r['bytes'])} | {status} |"
        )
    lines += [
        f"| export (ballot-log.json) | {_ms(export['seconds'])} | {export['statements']} | "
        f"{export['bytes'] / 2**20:,.1f} MB | {'streamed' if export['streamed'] else 'not streamed'}, "
        f"peak memory +{export['extra_rss_kib'] / 1024:,.0f} MiB |",
        f"| a checkpoint at full size (`take_checkpoint` under the vote's lock, proved to extend the one 50 ballots before) | {checkpoint} | | | |",
    ]
    return lines


def finish_lines(result: dict) -> list[str]:
    f = result["finish"]
    same = f["ballots"] == f["participations"] == f["voters"]
    return [
        f"After the casts: {f['ballots']} ballots, {f['participations']} participation rows, "
        f"{f['voters']} distinct voters ({'equal' if same else '**NOT EQUAL**'}); the vote closed "
        f"and published, its export (HTTP {f['export_status']}) checked by "
        f"tools/verify_ballot_log.py: `{f['verifier']}`."
    ]


def markdown(args, results: list[dict], notes: list[str], seconds: float) -> str:
    lines = [
        "# make bench",
        "",
        f"App: `{args.app_dir.resolve()}` at {_commit(args.app_dir)}",
        f"Machine: {os.cpu_count()} CPUs, {platform.platform()}; {args.rounds} rounds of "
        f"{args.seconds:g} s, {args.connections} connections, medians; whole run {seconds / 60:.1f} min.",
        *[f"Note: {n}" for n in notes],
    ]
    for result in results:
        lb, la = result["load_before"], result["load_after"]
        lines += [
            "",
            f"## {'PostgreSQL' if result['kind'] == 'postgres' else 'SQLite'}",
            "",
            f"gunicorn (the project's gunicorn.conf.py, 2 workers): {result['server']}. "
            f"Load average before {lb[0]:.2f} / {lb[1]:.2f} / {lb[2]:.2f}, after "
            f"{la[0]:.2f} / {la[1]:.2f} / {la[2]:.2f}; this pass {result['seconds'] / 60:.1f} min "
            f"(data built in {result['shape']['build_seconds']:.0f} s).",
            "",
            *pages_table(result),
            "",
            *growth_lines(result),
            "",
            *ballots_table(result, args.connections),
            "",
            *big_vote_lines(result),
            "",
            *finish_lines(result),
            *[f"Note: {n}" for n in result["shape"]["notes"]],
        ]
    return "\n".join(lines) + "\n"
