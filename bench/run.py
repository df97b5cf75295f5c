"""`make bench`: the pages and the ballots of issue 13, measured side by side with a Flask
hello-world under the same gunicorn settings, in one run; prints a markdown report.

    .venv/bin/python bench/run.py [--app-dir DIR] [--database postgres|sqlite|both]

Knobs (environment, or the options of the same name): BENCH_SECONDS (10, per measurement),
BENCH_ROUNDS (3, interleaved; medians are reported), BENCH_CONNECTIONS (16),
BENCH_DATABASE (postgres; sqlite, or both for a second pass), BENCH_DATABASE_URL
(postgresql://root@127.0.0.1:5432/yishiting_bench, emptied), BENCH_PORT (5130; the
hello-world takes the next one), BENCH_COMMENTS (200,2000,20000), BENCH_VOTERS (20000),
BENCH_BALLOTS (100000), BENCH_REDIS_URL (redis://127.0.0.1:6379/14, emptied: the app runs as in
production when Redis answers), BENCH_OUT (also write the report to this file).

The bench code lives here; `--app-dir` points it at another checkout's app (its own .venv
when it has one), so one bench measures two commits. Ratios decide, never absolute times:
nothing here is a test and nothing runs in CI.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import loadgen  # noqa: E402
import report  # noqa: E402


def _env(name: str, default: str) -> str:
    return os.environ.get(name) or default


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app-dir", type=Path, default=HERE.parent)
    parser.add_argument("--database", default=_env("BENCH_DATABASE", "postgres"))
    parser.add_argument(
        "--database-url",
        default=_env("BENCH_DATABASE_URL", "postgresql://root@127.0.0.1:5432/yishiting_bench"),
    )
    parser.add_argument("--seconds", type=float, default=float(_env("BENCH_SECONDS", "10")))
    parser.add_argument("--rounds", type=int, default=int(_env("BENCH_ROUNDS", "3")))
    parser.add_argument("--connections", type=int, default=int(_env("BENCH_CONNECTIONS", "16")))
    parser.add_argument("--port", type=int, default=int(_env("BENCH_PORT", "5130")))
    parser.add_argument("--comments", default=_env("BENCH_COMMENTS", "200,2000,20000"))
    parser.add_argument("--voters", type=int, default=int(_env("BENCH_VOTERS", "20000")))
    parser.add_argument("--ballots", type=int, default=int(_env("BENCH_BALLOTS", "100000")))
    parser.add_argument("--redis-url", default=_env("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"))
    parser.add_argument("--out", type=Path, default=os.environ.get("BENCH_OUT") or None)
    return parser.parse_args()


class Bench:
    def __init__(self, args: argparse.Namespace, kind: str, workdir: Path) -> None:
        self.args, self.kind, self.workdir = args, kind, workdir
        self.app_dir = args.app_dir.resolve()
        venv = self.app_dir / ".venv" / "bin"
        self.python = str(venv / "python") if (venv / "python").exists() else sys.executable
        self.gunicorn = str(venv / "gunicorn") if (venv / "gunicorn").exists() else "gunicorn"
        self.url = args.database_url if kind == "postgres" else f"sqlite:///{workdir / 'bench.db'}"
        self.shape_file = workdir / f"shape-{kind}.json"
        self.env = {
            **os.environ,
            "DATABASE_URL": self.url,
            "SECRET_KEY": "bench-secret-key-not-for-production",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        self.env.pop("YISHITING_ENV", None)
        self.env.pop("REDIS_URL", None)
        self.servers: list[subprocess.Popen] = []

    # -- subprocesses ----------------------------------------------------------------

    def app_script(self, script: str, *extra: str, quiet: bool = False) -> dict:
        """Run bench/<script> with the app's Python; its last stdout line is JSON."""
        command = [
            self.python,
            str(HERE / script),
            *extra,
            "--app-dir",
            str(self.app_dir),
            "--database-url",
            self.url,
        ]
        log = self.workdir / f"{script}-{self.kind}.log"
        with (
            open(log, "w") as stderr,
            subprocess.Popen(  # noqa: S603 - our own scripts
                command,
                cwd=self.app_dir,
                env=self.env,
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
            ) as process,
        ):
            lines = []
            for line in process.stdout:  # progress as it comes; the last line is the result
                if lines and not quiet:
                    print(lines[-1], flush=True)
                lines.append(line.rstrip("\n"))
        errors = log.read_text()
        if process.returncode != 0:
            print(errors[-3000:], file=sys.stderr)
            raise SystemExit(f"{script} {extra[:1]} failed")
        try:
            return json.loads(lines[-1]) if lines else {}
        except ValueError:
            return {}

    def probe(self, mode: str, *extra: str) -> dict:
        return self.app_script("probe.py", mode, "--shape", str(self.shape_file), *extra)

    def build(self) -> dict:
        self.app_script(
            "shape.py",
            "--out",
            str(self.shape_file),
            "--comments",
            self.args.comments,
            "--main-comments",
            self.args.comments.split(",")[len(self.args.comments.split(",")) // 2],
            "--voters",
            str(self.args.voters),
            "--ballots",
            str(self.args.ballots),
        )
        print("", flush=True)
        return json.loads(self.shape_file.read_text())

    def redis_answers(self) -> bool:
        parts = urllib.parse.urlsplit(self.args.redis_url)
        try:
            with socket.create_connection((parts.hostname, parts.port or 6379), timeout=1):
                return True
        except OSError:
            return False

    def start(self) -> str:
        """The app and the hello-world under the project's gunicorn.conf.py, 2 workers each."""
        env = {**self.env, "WEB_CONCURRENCY": "2", "BENCH_APP_DIR": str(self.app_dir)}
        mode = "development (no Redis: per-worker rate limits)"
        if self.redis_answers():
            env.update(YISHITING_ENV="production", REDIS_URL=self.args.redis_url)
            subprocess.run(  # noqa: S603 - empties the bench's own Redis database
                [
                    self.python,
                    "-c",
                    f"import redis; redis.from_url({self.args.redis_url!r}).flushdb()",
                ],
                check=False,
                capture_output=True,
            )
            mode = f"production, Redis {self.args.redis_url}"
        port = self.args.port
        log = open(self.workdir / f"gunicorn-{self.kind}.log", "w")  # noqa: SIM115 - lives with the servers
        for bind, target, conf, cwd in (
            (port, "wsgi:app", "gunicorn.conf.py", self.app_dir),
            (port + 1, "hello:app", str(HERE / "gunicorn_hello.conf.py"), HERE),
        ):
            self.servers.append(
                subprocess.Popen(  # noqa: S603 - our own servers
                    [self.gunicorn, "-c", conf, target],
                    cwd=cwd,
                    env={**env, "BIND": f"127.0.0.1:{bind}"},
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        for bind in (port, port + 1):
            self.wait_ready(f"http://127.0.0.1:{bind}/")
        return mode

    def wait_ready(self, url: str) -> None:
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - localhost
                    response.read()
                    return
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise SystemExit(f"{url} did not answer (see {self.workdir}/gunicorn-{self.kind}.log)")

    def stop(self) -> None:
        for server in self.servers:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGTERM)
        for server in self.servers:
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        self.servers = []

    # -- the measurements ------------------------------------------------------------

    def warm(self, shape: dict) -> None:
        """Each worker compiles its templates and fills its caches before anything counts."""
        app = f"http://127.0.0.1:{self.args.port}"
        for page in shape["pages"]:
            loadgen.run_python(app + page["path"], 1, 2, page["cookie"])
        loadgen.run_python(f"http://127.0.0.1:{self.args.port + 1}/", 1, 2)

    def pages(self, shape: dict) -> dict:
        args = self.args
        app, hello = f"http://127.0.0.1:{args.port}", f"http://127.0.0.1:{args.port + 1}/"
        runs: dict[str, list[dict]] = {"hello": []}
        cheap = f"{app}/favicon.ico"
        for r in range(args.rounds):
            loadgen.drain(hello)
            runs["hello"].append(loadgen.load(hello, args.seconds, args.connections))
            print(f"  round {r + 1}: hello {runs['hello'][-1]['rate']:.0f} req/s", flush=True)
            for page in shape["pages"]:
                loadgen.drain(cheap)
                result = loadgen.load(
                    app + page["path"], args.seconds, args.connections, page["cookie"]
                )
                runs.setdefault(page["name"], []).append(result)
                print(f"  round {r + 1}: {page['name']} {result['rate']:.1f} req/s", flush=True)
        return runs

    def ballots(self, shape: dict) -> dict:
        """Interleaved rounds: the raw insert rate at 1 and at N connections, the casts
        in-process (one after another) and over HTTP (N clients)."""
        args, cast = self.args, shape["cast"]
        n = args.connections
        out: dict[str, list] = {"raw1": [], "rawN": [], "inprocess": [], "http": []}
        used_in = used_http = 0
        http_voters = cast["cookies"][0::2]
        for r in range(args.rounds):
            out["raw1"].append(self.raw(1, args.seconds / 2))
            done = self.probe(
                "casts",
                "--seconds",
                str(args.seconds),
                "--first",
                str(1 + 2 * used_in),
                "--step",
                "2",
            )
            used_in += done.get("casts", 0) + sum(done.get("errors", {}).values())
            out["inprocess"].append(done)
            out["rawN"].append(self.raw(n, args.seconds / 2))
            done = loadgen.http_casts(
                f"http://127.0.0.1:{args.port}",
                cast["vote"],
                cast["options"],
                http_voters[used_http:],
                args.seconds,
                n,
            )
            used_http += done["casts"] + sum(done["failures"].values())
            out["http"].append(done)
            print(
                f"  round {r + 1}: raw insert {out['raw1'][-1].get('rate', 0):.0f}/s (1), "
                f"{out['rawN'][-1].get('rate', 0):.0f}/s ({n}); casts in-process "
                f"{out['inprocess'][-1].get('rate', 0):.1f}/s, over HTTP {done['rate']:.1f}/s",
                flush=True,
            )
        return out

    def raw(self, clients: int, seconds: float) -> dict:
        if self.kind == "postgres" and shutil.which("pgbench"):
            result = loadgen.pgbench_rate(
                self.url.replace("postgresql+psycopg://", "postgresql://"),
                clients,
                seconds,
                self.workdir,
            )
            if "rate" in result:
                return result
        return self.probe("raw", "--seconds", str(seconds), "--clients", str(clients))

    def run(self) -> dict:
        started = time.time()
        result: dict = {"kind": self.kind, "load_before": os.getloadavg()}
        print(f"## {self.kind}: building the data shape", flush=True)
        shape = self.build()
        result["shape"] = {k: shape[k] for k in ("timings", "notes", "build_seconds")}
        result["big_vote"] = shape.get("big_vote")
        print("## in-process: statements and bytes per page; the published vote", flush=True)
        result["probe"] = self.probe("pages")
        if shape.get("big_vote"):
            result["big"] = {**self.probe("big"), "export": self.probe("export")}
        result["server"] = self.start()
        try:
            self.warm(shape)
            print(f"## pages ({self.args.rounds} rounds of {self.args.seconds:g} s)", flush=True)
            result["pages"] = self.pages(shape)
            print("## ballots", flush=True)
            result["ballots"] = self.ballots(shape)
        finally:
            self.stop()
        result["finish"] = self.probe("finish")
        result["load_after"] = os.getloadavg()
        result["seconds"] = time.time() - started
        result["page_order"] = [p["name"] for p in shape["pages"]]
        return result


def postgres_ready(url: str) -> bool:
    """Whether the bench's PostgreSQL database answers, created if it does not exist."""
    psql = shutil.which("psql")
    if psql is None:
        return False

    def answers() -> bool:
        return (
            subprocess.run(  # noqa: S603 - our own command line
                [psql, url, "-qtAc", "SELECT 1"], capture_output=True, check=False
            ).returncode
            == 0
        )

    if answers():
        return True
    parts = urllib.parse.urlsplit(url)
    createdb = shutil.which("createdb")
    if createdb:
        subprocess.run(  # noqa: S603 - our own command line
            [
                createdb,
                "-h",
                parts.hostname or "127.0.0.1",
                "-p",
                str(parts.port or 5432),
                *(["-U", parts.username] if parts.username else []),
                parts.path.lstrip("/"),
            ],
            capture_output=True,
            check=False,
        )
    return answers()


def main() -> None:
    args = options()
    kinds = ["postgres", "sqlite"] if args.database == "both" else [args.database]
    notes = []
    if "postgres" in kinds and not postgres_ready(args.database_url):
        notes.append(f"PostgreSQL at {args.database_url} did not answer: SQLite only.")
        kinds = ["sqlite"]
    if not loadgen.wrk_path():
        notes.append("wrk not found: the Python load generator measured the pages.")
    started = time.time()
    results = []
    with tempfile.TemporaryDirectory(prefix="yishiting-bench-") as tmp:
        for kind in kinds:
            results.append(Bench(args, kind, Path(tmp)).run())
    text = report.markdown(args, results, notes, time.time() - started)
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
