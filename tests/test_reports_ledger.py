"""The ledger: its figures, who may read it, empty and refused periods, verified vote logs."""

import io
import zipfile
from datetime import date, timedelta

import openpyxl
import pytest
from sqlalchemy import select, text

from app.accounts.models import Role, RoleAssignment, User
from app.core.audit import AuditEntry
from app.demo import load_demo
from app.extensions import db
from app.org.models import Community
from app.reports import figures
from app.reports.models import Period
from app.votes.models import Vote, VoteStatus
from tests import factories as make
from tests.factories import login_as, zh

YEAR = date.today().year


# -- figures -----------------------------------------------------------------------------


def test_response_time_counts_statutory_working_days_across_national_day():
    # 1-8 October 2025 are days off: the 9th is the first working day after 30 September.
    assert figures.response_working_days(date(2025, 9, 30), date(2025, 10, 9)) == 1
    assert (
        figures.response_working_days(date(2025, 9, 29), date(2025, 10, 11)) == 4
    )  # 30 Sep, 9, 10 and Sat 11 (调休)


def test_median_and_nearest_rank_90th_percentile():
    days = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert figures.median(days) == 5.5
    assert figures.percentile(days, 0.9) == 9
    assert figures.percentile([4], 0.9) == 4
    assert figures.percentile([], 0.9) is None and figures.median([]) is None


def test_on_time_counts_an_unanswered_late_suggestion_as_late_and_an_open_one_as_unknown():
    today = date(2026, 3, 10)
    assert figures.on_time(date(2026, 3, 5), date(2026, 3, 5), today) is True
    assert figures.on_time(date(2026, 3, 5), date(2026, 3, 6), today) is False
    assert figures.on_time(date(2026, 3, 5), None, today) is False
    assert figures.on_time(date(2026, 3, 20), None, today) is None
    assert figures.on_time(None, date(2026, 3, 1), today) is None


def test_turnout_and_rates_are_none_rather_than_zero_when_nothing_counts():
    assert figures.turnout(30, 120) == 0.25
    assert figures.turnout(0, 0) is None
    assert figures.rate(0, 0) is None


def test_period_bounds_are_shanghai_days_in_utc():
    p = Period(date(2026, 1, 1), date(2026, 12, 31))
    assert p.since.isoformat() == "2025-12-31T16:00:00"
    assert p.until.isoformat().startswith("2026-12-31T15:59:59")


# -- pages ----------------------------------------------------------------------------------


def _secretary_of(community_id: int) -> User:
    return db.session.scalar(
        select(User)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.role == Role.SECRETARY, RoleAssignment.community_id == community_id)
    )


@pytest.fixture
def demo():
    assert load_demo()
    db.session.commit()
    communities = db.session.scalars(select(Community).order_by(Community.id)).all()
    return communities


def _audits(action: str) -> int:
    return len(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all())


def test_secretary_sees_every_section_and_generating_is_audited(client, demo):
    community = demo[0]
    login_as(client, _secretary_of(community.id))
    page = client.get(f"/reports/community/{community.id}/ledger?year={YEAR}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for section in ("pacts", "sessions", "suggestions", "votes", "projects"):
        assert f'id="section-{section}"' in html
    assert _audits("report.ledger") == 1


def test_a_secretary_of_another_community_gets_403_for_ledger_and_full_export(client, demo):
    login_as(client, _secretary_of(demo[1].id))
    cid = demo[0].id
    assert client.get(f"/reports/community/{cid}/ledger").status_code == 403
    assert client.get(f"/reports/community/{cid}/ledger.xlsx").status_code == 403
    assert client.get(f"/reports/community/{cid}/export").status_code == 403
    assert _audits("report.ledger") == 0 and _audits("personal_data.export") == 0


def test_an_empty_period_gives_an_empty_but_complete_ledger(client, demo):
    community = demo[0]
    login_as(client, _secretary_of(community.id))
    args = "kind=range&start=2001-01-01&end=2001-01-31"
    html = client.get(f"/reports/community/{community.id}/ledger?{args}").get_data(as_text=True)
    for table in ("pact_versions", "pact_clauses", "sessions", "actions", "suggestions", "votes"):
        assert f'id="table-{table}"' in html
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/reports/community/{community.id}/ledger.xlsx?{args}").data)
    )
    assert "README" in book.sheetnames and len(book.sheetnames) > 8


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_end_before_the_start_is_refused_with_a_clear_message_and_nothing_is_audited(
    client, demo, lang
):
    community = demo[0]
    login_as(client, _secretary_of(community.id))
    if lang == "en":
        client.set_cookie("lang", "en")
    args = "kind=range&start=2026-05-01&end=2026-04-01"
    page = client.get(f"/reports/community/{community.id}/ledger?{args}")
    assert page.status_code == 400
    message = "The end of the period cannot be before its start."
    assert (message if lang == "en" else zh(message)) in page.get_data(as_text=True)
    assert client.get(f"/reports/community/{community.id}/ledger.json?{args}").status_code == 400
    assert _audits("report.ledger") == 0


def _counted_vote(community_id: int) -> Vote:
    vote = db.session.scalar(
        select(Vote).where(
            Vote.community_id == community_id,
            Vote.status.in_([VoteStatus.CLOSED, VoteStatus.PUBLISHED]),
        )
    )
    assert vote is not None, "the demo has a counted vote"
    return vote


def _verified_cells(client, community_id: int) -> dict[str, object]:
    doc = client.get(f"/reports/community/{community_id}/ledger.json?year={YEAR}").get_json()
    return {r["title"]: r["verified"] for r in doc["tables"]["votes"]["rows"]}


def test_a_vote_whose_stored_ballots_were_altered_shows_as_not_verified(client, demo):
    community = demo[0]
    vote = _counted_vote(community.id)
    login_as(client, _secretary_of(community.id))
    assert _verified_cells(client, community.id)[vote.title] is True
    # Tamper below the ORM, as someone with database access would.
    postgres = db.engine.dialect.name == "postgresql"
    with db.engine.begin() as conn:
        if postgres:
            conn.execute(text("ALTER TABLE ballots DISABLE TRIGGER USER"))
        conn.execute(
            text("UPDATE ballots SET nonce = :n WHERE vote_id = :v AND seq = 0"),
            {"n": "0" * 32, "v": vote.id},
        )
        if postgres:
            conn.execute(text("ALTER TABLE ballots ENABLE TRIGGER USER"))
    assert _verified_cells(client, community.id)[vote.title] is False
    html = client.get(f"/reports/community/{community.id}/ledger?year={YEAR}").get_data(
        as_text=True
    )
    assert "INVALID" in html


def test_every_ledger_number_links_somewhere(client, demo):
    community = demo[0]
    login_as(client, _secretary_of(community.id))
    html = client.get(f"/reports/community/{community.id}/ledger?year={YEAR}").get_data(
        as_text=True
    )
    assert f"/reports/community/{community.id}/ledger/suggestions?" in html
    listing = client.get(
        f"/reports/community/{community.id}/ledger/suggestions?kind=range&start={YEAR}-01-01&end={YEAR}-12-31&overdue=1"
    )
    assert listing.status_code == 200


def test_the_csv_zip_has_one_file_per_table_with_a_bom(client, demo):
    community = demo[0]
    login_as(client, _secretary_of(community.id))
    data = client.get(f"/reports/community/{community.id}/ledger.zip?year={YEAR}").data
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert "suggestions.csv" in zf.namelist() and "votes.csv" in zf.namelist()
        assert zf.read("votes.csv").startswith(b"\xef\xbb\xbf")


def test_the_admin_sees_the_rollup_and_downloads_it(client, demo):
    admin = make.user("admin")
    login_as(client, admin)
    sid = demo[0].subdistrict_id
    page = client.get(f"/reports/subdistrict/{sid}/rollup?year={YEAR}")
    assert page.status_code == 200
    for c in demo:
        assert c.name in page.get_data(as_text=True)
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/reports/subdistrict/{sid}/rollup.xlsx?year={YEAR}").data)
    )
    names = [row[0].value for row in book.worksheets[0].iter_rows(min_row=2)]
    assert names == sorted(c.name for c in demo)
    login_as(client, _secretary_of(demo[0].id))
    assert client.get(f"/reports/subdistrict/{sid}/rollup").status_code == 403


def test_the_working_day_counter_agrees_with_the_calendar_for_every_pair():
    counter = figures.WorkingDays()
    days = [date(2025, 9, 20) + timedelta(days=i) for i in range(0, 40, 3)]
    for a in reversed(days):
        for b in days:
            assert counter.between(a, b) == figures.response_working_days(a, b), (a, b)


def test_every_number_on_the_ledger_page_is_a_link(client, demo):
    import re

    community = demo[0]
    login_as(client, _secretary_of(community.id))
    html = client.get(f"/reports/community/{community.id}/ledger?year={YEAR}").get_data(
        as_text=True
    )
    cells = re.findall(
        r'<td data-column="([^"]+)" data-kind="(int|percent|number)">(.*?)</td>', html
    )
    assert len(cells) > 50
    bare = [(col, body) for col, _kind, body in cells if body != "—" and "<a href" not in body]
    assert bare == []


def test_histogram_median_and_percentile_match_the_list_ones():
    from collections import Counter

    for values in ([3], [1, 2], [5, 1, 4, 4, 9, 2, 7], list(range(1, 101)), [0, 0, 0, 30]):
        counts = Counter(values)
        assert figures.median_of_counts(counts) == figures.median(values)
        assert figures.percentile_of_counts(counts, 0.9) == figures.percentile(values, 0.9)
    assert figures.median_of_counts(Counter()) is None
