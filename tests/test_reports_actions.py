"""The ledger's follow-up actions say whether and when each was done, the same in every format,
and the sessions table counts the done ones."""

import io
import json
import zipfile
from datetime import date, timedelta

import openpyxl
import pytest

from app.core.time import to_local
from app.hearings.follow_up import mark_action_done
from app.org.models import BodyKind
from tests import hearings_factories as hf
from tests.factories import login_as


@pytest.fixture
def ledger(make, db):
    c = make.community(name="梅园居民区")
    secretary = make.user("secretary", community=c)
    body = make.body(c, BodyKind.PROPERTY_COMPANY, name="梅园物业")
    s = hf.session(c, starts_in=timedelta(hours=-3), actor=secretary)
    hf.mark_session_held(s, actor=secretary)
    due = date.today() + timedelta(days=20)
    minutes = hf.publish_minutes(
        s,
        summary="讨论了加装电梯",
        actions=[("物业提交报价", body.id, due), ("清理楼道", body.id, due)],
        actor=secretary,
    )
    completion = mark_action_done(minutes.actions[0], actor=secretary)
    db.session.commit()
    today = date.today()
    args = f"kind=range&start={today - timedelta(days=5)}&end={today + timedelta(days=5)}"
    w = type("Ledger", (), {})()
    w.community, w.secretary, w.args = c, secretary, args
    w.done_on = to_local(completion.done_at).date().isoformat()
    return w


def _in_words(iso: str) -> str:
    """An ISO date as the Chinese pages write it: 2026-12-02 → 2026年12月2日."""
    year, month, day = (int(part) for part in iso.split("-"))
    return f"{year}年{month}月{day}日"


def test_the_ledger_page_shows_each_action_done_with_its_date_or_not_done(client, ledger):
    login_as(client, ledger.secretary)
    html = client.get(f"/reports/community/{ledger.community.id}/ledger?{ledger.args}").get_data(
        as_text=True
    )
    table = html[html.index('id="table-actions"') :]
    table = table[: table.index("</table>")]
    assert f"已于{_in_words(ledger.done_on)}完成" in table and "未完成" in table
    assert "未记录" not in html


def test_the_json_csv_and_xlsx_agree_on_what_is_done(client, ledger):
    login_as(client, ledger.secretary)
    base = f"/reports/community/{ledger.community.id}/ledger"
    # The sentence writes the date as the page does; the date column stays ISO for machines.
    done = [f"已于{_in_words(ledger.done_on)}完成", ledger.done_on]
    not_done = ["未完成", None]

    tables = json.loads(client.get(f"{base}.json?{ledger.args}").data)["tables"]
    rows = tables["actions"]["rows"]
    assert [[r["done"], r["done_on"]] for r in rows] == [done, not_done]
    (session,) = tables["sessions"]["rows"]
    assert (session["actions"], session["actions_done"]) == (2, 1)

    archive = zipfile.ZipFile(io.BytesIO(client.get(f"{base}.zip?{ledger.args}").data))
    lines = archive.read("actions.csv").decode("utf-8-sig").splitlines()
    assert lines[0].endswith("是否完成,完成日期")
    assert [line.split(",")[-2:] for line in lines[1:]] == [done, ["未完成", ""]]
    sessions = archive.read("sessions.csv").decode("utf-8-sig").splitlines()
    assert sessions[1].endswith(",2,1")

    book = openpyxl.load_workbook(io.BytesIO(client.get(f"{base}.xlsx?{ledger.args}").data))
    sheet = book["后续事项"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    header = values[0]
    at = header.index("是否完成")
    assert [row[at] for row in values[1:]] == [done[0], "未完成"]
    assert values[1][at + 1] is not None and values[2][at + 1] is None
