"""Browser: the secretary opens the ledger, picks 2026, sees each section and downloads the
workbook, whose figures match the database and the CSV and JSON downloads."""

import csv
import io
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import expect
from sqlalchemy import select

from app.accounts.models import Role, RoleAssignment, User
from app.demo import DEMO_PASSWORD, load_demo
from app.extensions import db
from app.hearings.models import HearingSession
from app.org.models import Community
from app.reports.ledger import build_ledger
from app.reports.models import Period
from app.reports.sessions import attended
from app.votes.models import Vote, VoteStatus
from app.votes.queries import turnout
from tests.e2e.conftest import login_in_browser

YEAR = 2026
SHOT = "/work/ledger_print.png"


def L(message: str) -> str:  # noqa: N802 - reads like the _() it stands for
    """A column or sheet name as the Chinese workbook spells it."""
    with force_locale("zh_Hans_CN"):
        return gettext(message)


def _sheet(book, title) -> list[dict]:
    ws = book[title]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def test_secretary_downloads_the_2026_ledger_and_its_figures_match(page, commit, app):
    assert load_demo()
    commit()
    community = db.session.scalars(select(Community).order_by(Community.id)).first()
    secretary = db.session.scalar(
        select(User)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.role == Role.SECRETARY, RoleAssignment.community_id == community.id)
    )
    login_in_browser(page, secretary.phone, DEMO_PASSWORD)
    page.goto(f"/reports/community/{community.id}/ledger")
    page.locator("#kind").select_option("year")
    page.locator("#year").fill(str(YEAR))
    page.locator("form.period-form button[type=submit]").click()
    for section in ("pacts", "sessions", "suggestions", "votes", "projects"):
        expect(page.locator(f"#section-{section} h2")).to_be_visible()
    expect(page.locator(".ledger-meta")).to_contain_text(f"{YEAR}年1月1日 – {YEAR}年12月31日")

    page.emulate_media(media="print")
    page.screenshot(path=SHOT, full_page=True)
    expect(page.locator(".site-header")).to_be_hidden()
    page.emulate_media(media="screen")

    with page.expect_download() as info:
        page.get_by_role("link", name="下载 XLSX").click()
    assert info.value.suggested_filename.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
    period = Period(date(YEAR, 1, 1), date(YEAR, 12, 31))

    # Attendance of each session, against the database.
    sessions = _sheet(book, L("Sessions"))
    db.session.expire_all()
    expected = {
        s.title: attended(s)
        for s in db.session.scalars(select(HearingSession)).all()
        if period.holds(s.starts_at) and s.title in {r[L("Title")] for r in sessions}
    }
    assert (
        expected
        and {r[L("Title")]: r[L("Attended (walk-ins included)")] for r in sessions} == expected
    )

    # Turnout of each vote, against the ballots stored.
    votes = _sheet(book, L("Votes"))
    by_title = {
        v.title: v
        for v in db.session.scalars(select(Vote).where(Vote.community_id == community.id))
    }
    assert votes
    for row in votes:
        t = turnout(by_title[row[L("Title")]])
        assert row[L("Ballots cast")] == t["cast"]
        assert row[L("Turnout")] == (t["cast"] / t["size"] if t["size"] else None)
        if by_title[row[L("Title")]].status in (VoteStatus.CLOSED, VoteStatus.PUBLISHED):
            assert row[L("Log verified")] is True

    # On-time rate per body, against the figures computed afresh from the database.
    bodies = _sheet(book, L("Response per body"))
    with app.test_request_context():
        fresh = build_ledger(db.session.get(Community, community.id), period)
    expected_rates = {r["body"]: r["on_time_rate"] for r in fresh.table("bodies").rows}
    workbook_rates = {r[L("Responsible body")]: r[L("On-time rate")] for r in bodies}
    assert workbook_rates.keys() == expected_rates.keys() and len(expected_rates) > 1
    for name, rate in expected_rates.items():
        assert workbook_rates[name] == (None if rate is None else pytest.approx(rate, abs=1e-12))

    # The CSV and JSON downloads give the same figures.
    args = f"kind=range&start={YEAR}-01-01&end={YEAR}-12-31"
    zipped = page.request.get(f"/reports/community/{community.id}/ledger.zip?{args}").body()
    with zipfile.ZipFile(io.BytesIO(zipped)) as zf:
        text = zf.read("bodies.csv").decode("utf-8-sig")
    csv_rates = {
        r[L("Responsible body")]: (float(r[L("On-time rate")]) if r[L("On-time rate")] else None)
        for r in csv.DictReader(io.StringIO(text))
    }
    doc = page.request.get(f"/reports/community/{community.id}/ledger.json?{args}").json()
    json_rates = {r["body"]: r["on_time_rate"] for r in doc["tables"]["bodies"]["rows"]}
    for name, rate in expected_rates.items():
        assert csv_rates[name] == (None if rate is None else round(rate, 4))
        assert json_rates[name] == rate
    json_turnout = {r["title"]: r["ballots"] for r in doc["tables"]["votes"]["rows"]}
    assert json_turnout == {r[L("Title")]: r[L("Ballots cast")] for r in votes}
