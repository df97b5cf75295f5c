"""Load for `make bench`: wrk when it is installed, else a Python load generator of the same
shape (keep-alive connections, each sending its next request when the last one came back);
the ballots over HTTP (review, then cast, per voter); the database's raw single-row insert rate
(pgbench, else the same INSERT from Python). Standard library only: run by bench/run.py."""

from __future__ import annotations

import http.client
import queue
import re
import secrets
import shutil
import subprocess
import threading
import time
import urllib.parse
from pathlib import Path

_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


def _seconds(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip()).groups()
    return float(value) * _UNITS[unit]


def wrk_path() -> str | None:
    return shutil.which("wrk")


def run_wrk(url: str, seconds: float, connections: int, cookie: str = "") -> dict:
    """req/s, p50 and p99 (seconds), and non-2xx/3xx responses and socket errors, from wrk."""
    command = [
        "wrk",
        "-t",
        "2",
        "-c",
        str(connections),
        "-d",
        f"{max(1, round(seconds))}s",
        "--timeout",
        "30s",
        "--latency",
    ]
    if cookie:
        command += ["-H", f"Cookie: session={cookie}"]
    out = subprocess.run(  # noqa: S603 - our own command line
        [*command, url], capture_output=True, text=True, check=False
    ).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"\s50%\s+(\S+)", out)
    p99 = re.search(r"\s99%\s+(\S+)", out)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    total = re.search(r"(\d+) requests in", out)
    return {
        "rate": float(rate.group(1)) if rate else 0.0,
        "p50": _seconds(p50.group(1)) if p50 else None,
        "p99": _seconds(p99.group(1)) if p99 else None,
        "requests": int(total.group(1)) if total else 0,
        "bad": int(bad.group(1)) if bad else 0,
        "errors": sum(int(g) for g in errors.groups()) if errors else 0,
        "tool": "wrk",
    }


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def run_python(url: str, seconds: float, connections: int, cookie: str = "") -> dict:
    """The same measurement as run_wrk, from Python threads (slower to generate load: a
    hello-world's rate is then partly the generator's)."""
    parts = urllib.parse.urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = {"Cookie": f"session={cookie}"} if cookie else {}
    stop = time.perf_counter() + seconds
    latencies: list[float] = []
    counts = {"bad": 0, "errors": 0}
    lock = threading.Lock()

    def worker() -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        mine: list[float] = []
        bad = errors = 0
        while time.perf_counter() < stop:
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
                    bad += 1
                mine.append(time.perf_counter() - started)
            except OSError:
                errors += 1
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        conn.close()
        with lock:
            latencies.extend(mine)
            counts["bad"] += bad
            counts["errors"] += errors

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return {
        "rate": len(latencies) / elapsed,
        "p50": _percentile(latencies, 0.50),
        "p99": _percentile(latencies, 0.99),
        "requests": len(latencies),
        **counts,
        "tool": "python",
    }


def drain(base: str, clients: int = 8, budget: float = 120.0) -> None:
    """Wait until the server has worked off what the last measurement left queued: when the
    load generator stops, requests it had sent are still served. Sends `clients` requests
    at once to a cheap page until they come back within half a second."""
    parts = urllib.parse.urlsplit(base)
    deadline = time.perf_counter() + budget

    def one() -> None:
        try:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=budget)
            conn.request("GET", parts.path or "/")
            conn.getresponse().read()
            conn.close()
        except OSError:
            pass

    while time.perf_counter() < deadline:
        started = time.perf_counter()
        threads = [threading.Thread(target=one) for _ in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if time.perf_counter() - started < 0.5:
            return


def load(url: str, seconds: float, connections: int, cookie: str = "") -> dict:
    if wrk_path():
        return run_wrk(url, seconds, connections, cookie)
    return run_python(url, seconds, connections, cookie)


def http_casts(
    base: str, vote_id: int, options: list[str], voters: list, seconds: float, clients: int
) -> dict:
    """Ballots over HTTP by `clients` concurrent voters, each with the ballot form already
    loaded: POST the choices (the review page), then POST again with step=cast (303 to the
    receipt). `voters` are (session cookie, CSRF token) pairs, each used once."""
    parts = urllib.parse.urlsplit(base)
    path = f"/votes/{vote_id}/ballot"
    todo: queue.Queue = queue.Queue()
    for i, voter in enumerate(voters):
        todo.put((i, voter))
    stop = time.perf_counter() + seconds
    done: list[float] = []
    failures: dict[str, int] = {}
    lock = threading.Lock()

    def post(conn, cookie: str, body: dict) -> int:
        conn.request(
            "POST",
            path,
            body=urllib.parse.urlencode(body, doseq=True),
            headers={
                "Cookie": f"session={cookie}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        response = conn.getresponse()
        response.read()
        return response.status

    def worker() -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        while time.perf_counter() < stop:
            try:
                i, (cookie, token) = todo.get_nowait()
            except queue.Empty:
                break
            # The form's one-time token where the app has them (core/once.py): any well-formed
            # token is the form's own, the server keeps no copy; older code ignores the field.
            form = {
                "csrf_token": token,
                "once": secrets.token_urlsafe(24),
                "approve": [options[i % len(options)]],
            }
            started = time.perf_counter()
            try:
                review = post(conn, cookie, {**form, "step": "review"})
                cast = post(conn, cookie, {**form, "step": "cast"}) if review == 200 else review
            except OSError as error:
                cast = type(error).__name__
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
            with lock:
                if cast == 303:
                    done.append(time.perf_counter() - started)
                else:
                    failures[str(cast)] = failures.get(str(cast), 0) + 1
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return {
        "casts": len(done),
        "rate": len(done) / elapsed,
        "p50": _percentile(done, 0.5),
        "p99": _percentile(done, 0.99),
        "failures": failures,
        "ran_out": todo.empty(),
    }


def pgbench_rate(url: str, clients: int, seconds: float, workdir: Path) -> dict:
    """Commits/s of a one-row INSERT per transaction by `clients` connections (pgbench)."""
    script = workdir / "insert.sql"
    script.write_text("INSERT INTO bench_raw_insert (client, at) VALUES (:client_id, now());\n")
    psql = shutil.which("psql")
    pgbench = shutil.which("pgbench")
    if not (psql and pgbench):
        return {"error": "pgbench or psql not found"}
    subprocess.run(  # noqa: S603 - our own command line
        [
            psql,
            url,
            "-q",
            "-c",
            "CREATE TABLE IF NOT EXISTS bench_raw_insert "
            "(id bigserial PRIMARY KEY, client int, at timestamptz)",
        ],
        capture_output=True,
        check=False,
    )
    out = subprocess.run(  # noqa: S603 - our own command line
        [
            pgbench,
            "-n",
            "-c",
            str(clients),
            "-j",
            str(min(clients, 2)),
            "-T",
            str(max(1, round(seconds))),
            "-f",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    tps = re.search(r"tps = ([\d.]+)", out.stdout)
    if not tps:
        return {"error": (out.stderr or out.stdout).strip()[-200:]}
    return {"rate": float(tps.group(1)), "tool": "pgbench"}
