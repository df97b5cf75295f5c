"""Benchmark of the reports domain: a community's ledger and complete export, against the time
to read the same rows, with peak memory at two sizes to show it does not grow with the rows.

    .venv/bin/python bench/bench_reports.py [--scale 1.0] [--database-url URL]

Builds a community of 200 households, 10,000 suggestions and 50,000 pact comments (times
`--scale`) with bulk inserts in a temporary SQLite file (or the PostgreSQL database given, which
it empties), then times:

* baseline: reading every suggestion and comment row of the community (`SELECT *`, all rows);
* the ledger of the year (the page's tables, as built for the page and the downloads);
* the XLSX and CSV-ZIP downloads of that ledger;
* the complete export (every table, personal data included, as a ZIP of CSV files).

Peak memory is measured with tracemalloc for each step. It runs the export at half size too:
the export's peak must stay about the same (it is bounded by the batch size, not the rows).
Not run by the tests or CI; absolute times depend on the machine, ratios are what to compare.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import tracemalloc
from datetime import date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy import insert, select, text  # noqa: E402

from app import create_app  # noqa: E402
from app.config import TestConfig, database_url  # noqa: E402
from app.extensions import db  # noqa: E402

HOUSEHOLDS, SUGGESTIONS, COMMENTS = 200, 10_000, 50_000
YEAR = 2026


def measured(fn):
    """(value, seconds, peak bytes): timed on a first run, its peak traced on a second one
    (tracemalloc slows Python several times over, so it must not be running while timing)."""
    started = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - started
    db.session.expunge_all()
    tracemalloc.start()
    value = fn()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return value, elapsed, peak


def populate(scale: float) -> int:
    """Bulk-insert the community; return its id."""
    from app.org.models import Body, BodyKind, Building, Community, CommunityKind, Subdistrict

    t = db.metadata.tables
    rng = random.Random(9)
    sub = Subdistrict(name=f"基准街道{scale}")
    db.session.add(sub)
    db.session.flush()
    community = Community(subdistrict_id=sub.id, name="基准居民区", kind=CommunityKind.COMMERCIAL)
    db.session.add(community)
    db.session.flush()
    body = Body(
        subdistrict_id=sub.id,
        community_id=community.id,
        kind=BodyKind.PROPERTY_COMPANY,
        name="基准物业",
    )
    db.session.add(body)
    buildings = [
        Building(community_id=community.id, name=f"{b}号楼", sort_key=b) for b in range(10)
    ]
    db.session.add_all(buildings)
    db.session.flush()
    db.session.execute(
        insert(t["households"]),
        [{"building_id": buildings[i % 10].id, "number": f"{i:04d}"} for i in range(HOUSEHOLDS)],
    )
    first_user = (db.session.scalar(select(db.func.max(t["users"].c.id))) or 0) + 1
    db.session.execute(
        insert(t["users"]),
        [
            {"display_name": f"居民{i}", "phone": f"177{scale * 10:02.0f}{i:06d}"}
            for i in range(HOUSEHOLDS)
        ],
    )
    households = db.session.scalars(
        select(t["households"].c.id).where(
            t["households"].c.building_id.in_([b.id for b in buildings])
        )
    ).all()
    db.session.execute(
        insert(t["memberships"]),
        [
            {"user_id": first_user + i, "household_id": h, "status": "active"}
            for i, h in enumerate(households)
        ],
    )
    n_suggestions = int(SUGGESTIONS * scale)
    start = datetime(YEAR, 1, 5, 2)
    rows = []
    for i in range(n_suggestions):
        submitted = start + timedelta(minutes=i * 40)
        answered = rng.random() < 0.8
        rows.append(
            {
                "community_id": community.id,
                "number": f"S-{YEAR}-{i + 1 + int(scale * 1e6):07d}"[:20],
                "year": YEAR + int(scale * 100),
                "seq": i + 1,
                "category": "lift",
                "summary": f"电梯问题 {i}",
                "status": "answered" if answered else "accepted",
                "source": "online",
                "submitter_id": first_user + i % HOUSEHOLDS,
                "body_id": body.id,
                "submitted_at": submitted,
                "accepted_at": submitted + timedelta(hours=3),
                "due_date": (submitted + timedelta(days=21)).date(),
                "first_answered_at": submitted + timedelta(days=rng.randint(1, 30))
                if answered
                else None,
                "answer": "已处理" if answered else "",
            }
        )
        if len(rows) == 2000:
            db.session.execute(insert(t["suggestions"]), rows)
            rows = []
    if rows:
        db.session.execute(insert(t["suggestions"]), rows)
    pact_id = db.session.execute(
        insert(t["pacts"]).values(community_id=community.id, title="基准公约", status="adopted")
    ).inserted_primary_key[0]
    db.session.execute(
        insert(t["pact_versions"]).values(
            pact_id=pact_id, number=1, published_at=datetime(YEAR, 2, 1)
        )
    )
    rows = []
    for i in range(int(COMMENTS * scale)):
        rows.append(
            {
                "pact_id": pact_id,
                "author_id": first_user + i % HOUSEHOLDS,
                "body": f"评论 {i}",
                "created_at": datetime(YEAR, 2, 2) + timedelta(seconds=i * 60),
            }
        )
        if len(rows) == 5000:
            db.session.execute(insert(t["pact_comments"]), rows)
            rows = []
    if rows:
        db.session.execute(insert(t["pact_comments"]), rows)
    db.session.commit()
    return community.id


def run(app, scale: float) -> dict:
    from app.org.models import Community
    from app.reports.export_full import full_sheets
    from app.reports.formats import sheets_of, write_csv_zip, write_xlsx
    from app.reports.ledger import build_ledger
    from app.reports.models import Period

    t = db.metadata.tables
    with app.app_context():
        started = time.perf_counter()
        cid = populate(scale)
        print(f"\nscale {scale}: populated in {time.perf_counter() - started:.1f} s")
        period = Period(date(YEAR, 1, 1), date(YEAR, 12, 31))

        def baseline():
            a = db.session.execute(
                select(t["suggestions"]).where(t["suggestions"].c.community_id == cid)
            ).all()
            pacts = select(t["pacts"].c.id).where(t["pacts"].c.community_id == cid)
            b = db.session.execute(
                select(t["pact_comments"]).where(t["pact_comments"].c.pact_id.in_(pacts))
            ).all()
            return len(a) + len(b)

        with app.test_request_context():
            n, t_base, m_base = measured(baseline)
            db.session.expire_all()
            ledger, t_ledger, m_ledger = measured(
                lambda: build_ledger(db.session.get(Community, cid), period)
            )

            def to_file(write, sheets):
                with tempfile.TemporaryFile() as out:
                    write(sheets(), out)
                    return out.tell()

            size_xlsx, t_xlsx, m_xlsx = measured(
                lambda: to_file(write_xlsx, lambda: sheets_of(ledger.tables))
            )
            _, t_csv, m_csv = measured(
                lambda: to_file(write_csv_zip, lambda: sheets_of(ledger.tables))
            )
            size_full, t_full, m_full = measured(
                lambda: to_file(write_csv_zip, lambda: full_sheets(cid))
            )
    print(f"  baseline: read {n:,} rows          {t_base:7.2f} s   peak {m_base / 2**20:7.1f} MiB")
    for label, secs, peak in (
        ("ledger (build)", t_ledger, m_ledger),
        ("ledger XLSX", t_xlsx, m_xlsx),
        ("ledger CSV ZIP", t_csv, m_csv),
        ("complete export ZIP", t_full, m_full),
    ):
        print(
            f"  {label:31s} {secs:7.2f} s   peak {peak / 2**20:7.1f} MiB   "
            f"{secs / t_base:6.1f}x baseline"
        )
    print(f"  XLSX {size_xlsx / 2**20:.1f} MiB, complete export {size_full / 2**20:.1f} MiB")
    return {"export_peak": m_full, "ledger_peak": max(m_ledger, m_xlsx, m_csv), "rows": n}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    url = args.database_url or f"sqlite:///{folder}/bench.db"
    config = type("Config", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url(url)})
    app = create_app(config)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        db.create_all()
    half = run(app, args.scale / 2)
    full = run(app, args.scale)
    growth = full["export_peak"] / half["export_peak"]
    print(
        f"\ncomplete export peak memory: {half['export_peak'] / 2**20:.1f} MiB at "
        f"{half['rows']:,} rows, {full['export_peak'] / 2**20:.1f} MiB at {full['rows']:,} rows "
        f"({growth:.2f}x for {full['rows'] / half['rows']:.1f}x the rows)"
    )
    ledger_growth = full["ledger_peak"] / half["ledger_peak"]
    print(
        f"ledger (build, XLSX, CSV) peak memory: {half['ledger_peak'] / 2**20:.1f} MiB, then "
        f"{full['ledger_peak'] / 2**20:.1f} MiB ({ledger_growth:.2f}x)"
    )
    if growth > 1.5 or ledger_growth > 1.5:
        raise SystemExit("memory grows with the rows")


if __name__ == "__main__":
    main()
