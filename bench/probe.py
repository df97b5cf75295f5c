"""In-process measurements of `make bench`, run in the app's own environment by bench/run.py.

    python bench/probe.py MODE --app-dir DIR --database-url URL --shape shape.json [...]

MODE is one of
* ``pages``: each page twice through the test client, with its session cookie: status, bytes,
  SQL statements (an SQLAlchemy event counter) of the first and of the second request;
* ``big``: at the published vote's full size, the public receipt check (full hash and short
  code) and the result page: time and statements;
* ``export``: the published vote's export in a fresh process: time, statements, whether it is
  streamed and how much its peak memory (ru_maxrss) grows;
* ``casts``: ballots cast through the app's operation (`cast_ballot`) one after another, one
  transaction each, for ``--seconds``: casts per second and statements per cast;
* ``raw``: the database's single-row INSERT rate from Python, ``--clients`` connections;
* ``finish``: after the casts, the open vote's ballots, participation rows and distinct voters;
  then it closes and publishes the vote and checks its export with tools/verify_ballot_log.py.

Prints one JSON object on its last line.
"""

from __future__ import annotations

import argparse
import contextvars
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


class Counter:
    """Counts the SQL statements the app's engine runs while it is active."""

    def __init__(self, engine) -> None:
        self.engine, self.n = engine, 0

    def _count(self, *_a, **_kw) -> None:
        self.n += 1

    def __enter__(self):
        from sqlalchemy import event

        self.n = 0
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc) -> None:
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._count)


def _client(app, cookie: str):
    client = app.test_client()
    if cookie:
        client.set_cookie("session", cookie, domain="localhost")
    return client


def _get(app, db, path: str, cookie: str = "", marker: bytes = b"") -> dict:
    """GET `path` as a server would run it: in an app context of its own (an empty
    contextvars context holds none), so nothing cached in `g` leaks from one request to the
    next; the body is read to its end inside the count."""
    client = _client(app, cookie)

    def run():
        response = client.get(path)
        size, found, tail = 0, False, b""
        for chunk in response.response:
            size += len(chunk)
            found = found or bool(marker and marker in tail + chunk)
            tail = chunk[-len(marker) :] if marker else b""
        response.close()
        return response, size, found

    with Counter(db.engine) as c:
        started = time.perf_counter()
        response, size, found = contextvars.Context().run(run)
        seconds = time.perf_counter() - started
    return {
        "status": response.status_code,
        "bytes": size,
        "statements": c.n,
        "seconds": seconds,
        # Flask gives a whole body a Content-Length; a streamed one has none.
        "streamed": "Content-Length" not in response.headers,
        **({"marker": found} if marker else {}),
    }


def pages(app, db, shape: dict) -> dict:
    out = {}
    for page in shape["pages"]:
        first = _get(app, db, page["path"], page["cookie"])
        second = _get(app, db, page["path"], page["cookie"])
        out[page["name"]] = {"first": first, "second": second}
    return out


def big(app, db, shape: dict) -> dict:
    vote = shape.get("big_vote")
    if not vote:
        return {}
    receipt = vote["receipt"]["hash"]
    code = f"{receipt[:4]}-{receipt[4:8]}"
    verified = b'id="receipt-verified"'  # the page's "Verified: your ballot is counted"
    out = {
        "receipt": _get(app, db, f"/votes/receipt?hash={receipt}", marker=verified),
        "short code": _get(app, db, f"/votes/receipt?hash={code}", marker=verified),
    }
    if out["receipt"]["seconds"] < 1:
        # Fast enough to repeat: the median of five, after the first (cold) one.
        runs = [_get(app, db, f"/votes/receipt?hash={receipt}", marker=verified) for _ in range(5)]
        out["receipt"] = sorted(runs, key=lambda r: r["seconds"])[2]
    out["result page"] = _get(app, db, f"/votes/{vote['vote']}")
    return out


def export(app, db, shape: dict) -> dict:
    """The published vote's export, first thing in a fresh process: the growth of its peak
    resident memory (ru_maxrss) is the export's own."""
    vote = shape.get("big_vote")
    if not vote:
        return {}
    _get(app, db, f"/votes/{vote['vote']}/policy")  # warm: the app's own first-request costs
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out = _get(app, db, f"/votes/{vote['vote']}/ballot-log.json")
    out["extra_rss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    return out


def casts(app, db, shape: dict, seconds: float, first: int, step: int) -> dict:
    """Cast with voters first, first + step, ... until `seconds` have passed."""
    from app.accounts.models import User
    from app.votes import operations
    from app.votes.models import Vote

    cast = shape["cast"]
    voters = cast["voters"][first::step]
    options = cast["options"]
    done = statements = 0
    started = time.perf_counter()
    errors: dict[str, int] = {}
    for i, uid in enumerate(voters):
        if time.perf_counter() - started >= seconds:
            break
        with app.test_request_context("/"), Counter(db.engine) as c:
            try:
                user = db.session.get(User, uid)
                vote = db.session.get(Vote, cast["vote"])
                operations.cast_ballot(vote, user, {"approve": [options[i % len(options)]]})
                db.session.commit()
                done += 1
            except Exception as error:  # noqa: BLE001 - reported, not hidden
                db.session.rollback()
                errors[type(error).__name__] = errors.get(type(error).__name__, 0) + 1
            finally:
                db.session.remove()
        statements += c.n
    elapsed = time.perf_counter() - started
    return {
        "casts": done,
        "seconds": elapsed,
        "rate": done / elapsed if elapsed else 0.0,
        "statements_per_cast": statements / max(done, 1),
        "errors": errors,
        "ran_out": done + sum(errors.values()) >= len(voters),
    }


def raw_inserts(app, db, seconds: float, clients: int) -> dict:
    """Commits/s of a one-row INSERT per transaction by `clients` threads, each with its own
    connection (what pgbench measures, for SQLite or when pgbench is absent)."""
    import threading

    from sqlalchemy import text

    with db.engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE IF NOT EXISTS bench_raw_insert (id INTEGER PRIMARY KEY, "
                "client INTEGER, at TIMESTAMP)"
                if db.engine.dialect.name == "sqlite"
                else "CREATE TABLE IF NOT EXISTS bench_raw_insert "
                "(id bigserial PRIMARY KEY, client int, at timestamptz)"
            )
        )
    counts = [0] * clients
    engine = db.engine  # threads have no app context: they use the engine itself
    stop = time.perf_counter() + seconds

    def worker(k: int) -> None:
        insert = text("INSERT INTO bench_raw_insert (client, at) VALUES (:k, CURRENT_TIMESTAMP)")
        with engine.connect() as conn:
            while time.perf_counter() < stop:
                with conn.begin():
                    conn.execute(insert, {"k": k})
                counts[k] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"rate": sum(counts) / (time.perf_counter() - started), "tool": "python"}


def finish(app, db, shape: dict, app_dir: Path) -> dict:
    """Counts after the run, then close, publish and verify the export of the open vote."""
    from sqlalchemy import func, select

    from app.accounts.models import User
    from app.votes import operations
    from app.votes.models import Ballot, Participation, Vote

    vid = shape["cast"]["vote"]
    with app.test_request_context("/"):
        out = {
            "ballots": db.session.scalar(
                select(func.count(Ballot.id)).where(Ballot.vote_id == vid)
            ),
            "participations": db.session.scalar(
                select(func.count(Participation.id)).where(Participation.vote_id == vid)
            ),
            "voters": db.session.scalar(
                select(func.count(func.distinct(Participation.voter_key))).where(
                    Participation.vote_id == vid
                )
            ),
        }
        secretary = db.session.get(User, shape["cast"]["secretary"])
        vote = db.session.get(Vote, vid)
        operations.close_vote(vote, secretary)
        db.session.commit()
        vote = db.session.get(Vote, vid)
        from shape import quiet_notifications

        with quiet_notifications():
            operations.publish_vote(vote, secretary)
        db.session.commit()
    response = app.test_client().get(f"/votes/{vid}/ballot-log.json")
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
        fh.write(response.get_data())
    verifier = app_dir / "tools" / "verify_ballot_log.py"
    result = subprocess.run(  # noqa: S603 - our own verifier on our own export
        [sys.executable, str(verifier), fh.name], capture_output=True, text=True, check=False
    )
    os.unlink(fh.name)
    out["export_status"] = response.status_code
    verdict = (result.stdout.strip().splitlines() or ["(no output)"])[-1]
    out["verifier"] = verdict.split("; winners")[0][:240]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["pages", "big", "export", "casts", "raw", "finish"])
    parser.add_argument("--app-dir", required=True, type=Path)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--shape", required=True, type=Path)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--first", type=int, default=0)
    parser.add_argument("--step", type=int, default=1)
    parser.add_argument("--clients", type=int, default=1)
    args = parser.parse_args()
    sys.path[:0] = [str(args.app_dir.resolve()), str(Path(__file__).resolve().parent)]
    from shape import _load_app

    app = _load_app(args.app_dir.resolve(), args.database_url)
    shape = json.loads(args.shape.read_text())
    from app.extensions import db

    with app.app_context():
        if args.mode == "pages":
            out = pages(app, db, shape)
        elif args.mode == "big":
            out = big(app, db, shape)
        elif args.mode == "export":
            out = export(app, db, shape)
        elif args.mode == "casts":
            out = casts(app, db, shape, args.seconds, args.first, args.step)
        elif args.mode == "raw":
            out = raw_inserts(app, db, args.seconds, args.clients)
        else:
            out = finish(app, db, shape, args.app_dir.resolve())
    print(json.dumps(out))


if __name__ == "__main__":
    main()
