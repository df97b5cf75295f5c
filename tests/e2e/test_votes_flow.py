"""Browser: a deputies' approval vote from definition to a verified export and a checked receipt."""

import re
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from app.core.time import utcnow
from app.extensions import db
from app.projects import operations as pops
from app.votes import cli, signing, witnessing
from app.votes.models import Vote
from tests.e2e.conftest import axe_violations, login_in_browser
from tests.factories import PASSWORD
from tests.test_witness import WitnessProcess

VERIFIER = Path(__file__).resolve().parents[2] / "tools" / "verify_ballot_log.py"


def _switch(page, user):
    page.context.clear_cookies()
    login_in_browser(page, user.phone, PASSWORD)


def _vote_as(page, vote_id, project_ids) -> str:
    page.goto(f"/votes/{vote_id}")
    page.locator(f"a[href='/votes/{vote_id}/ballot']").first.click()
    for pid in project_ids:
        page.locator(f"input[name=approve][value='{pid}']").check()
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#cast-button")).to_be_visible()
    page.locator("#cast-button").click()
    expect(page).to_have_url(re.compile(rf"/votes/{vote_id}/receipt/[0-9a-f]{{64}}"))
    receipt = page.locator("#receipt-hash").inner_text().strip()
    assert re.fullmatch(r"[0-9a-f]{64}", receipt)
    return receipt


def test_deputies_vote_publish_export_and_receipt(page, make, commit, tmp_path, axe_page, app):
    with app.app_context():
        family = signing.family_vkey()
    witness = WitnessProcess(tmp_path / "witness", family, "committee.test/witness").start()
    try:
        _walk(page, make, commit, tmp_path, axe_page, witness)
    finally:
        witness.stop()


def _walk(page, make, commit, tmp_path, axe_page, witness):
    c = make.community(name="梅园居民区")
    station = make.station([c], name="新华路联络站")
    secretary = make.user("secretary", community=c, name="陈书记")
    deputies = [
        make.user("deputy", community=c, station=station, name=n)
        for n in ("周代表", "吴代表", "郑代表", "孙代表")
    ]
    projects = [
        pops.create_project(c, title=t, estimated_cost=cost, actor=secretary)
        for t, cost in (("加装电梯", 780000), ("楼道照明改造", 120000), ("非机动车充电棚", 160000))
    ]
    witnessing.add_witness(c.id, "committee", witness.vkey, witness.url, secretary)
    commit()
    pids = [p.id for p in projects]
    page.on("dialog", lambda d: d.accept())

    # The secretary defines the vote and opens it.
    _switch(page, secretary)
    page.goto(f"/votes/community/{c.id}")
    page.locator(f"a[href='/votes/community/{c.id}/new']").click()
    page.locator("#title").fill("2027年民生实事项目代表票决")
    page.locator("#electorate_kind").select_option("deputies")
    page.locator("#station_id").select_option(str(station.id))
    page.locator("#method").select_option("approval")
    page.locator("#secrecy").select_option("open")
    page.locator("#max_choices").fill("2")
    page.locator("#seats").fill("2")
    for pid in pids:
        page.locator(f"input[name=projects][value='{pid}']").check()
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/votes/\d+$"))
    vote_id = int(re.search(r"/votes/(\d+)$", page.url).group(1))
    page.locator("form[action$='/open'] button").click()
    expect(page.locator("#turnout")).to_contain_text("0")
    expect(page.locator("#turnout")).to_have_attribute("hx-trigger", "every 10s")

    # A projector in the room shows the vote page; turnout refreshes by itself.
    login_in_browser(axe_page, secretary.phone, PASSWORD)
    axe_page.goto(f"/votes/{vote_id}")
    projector = axe_page.locator("#turnout .turnout-figure strong")
    expect(projector).to_have_text("0")

    # Three deputies vote; the first keeps the receipt.
    _switch(page, deputies[0])
    receipt = _vote_as(page, vote_id, [pids[0], pids[1]])
    _switch(page, deputies[1])
    _vote_as(page, vote_id, [pids[0], pids[1]])
    _switch(page, deputies[2])
    _vote_as(page, vote_id, [pids[0], pids[2]])
    page.goto(f"/votes/{vote_id}")
    expect(page.locator("#turnout")).to_contain_text("3")
    expect(page.locator("#result")).to_have_count(0)  # sealed while open
    expect(projector).to_have_text("3", timeout=25000)  # htmx polled, no reload
    assert axe_violations(axe_page) == []

    # The ballot and review pages are accessible (checked as the fourth deputy, who does not vote).
    axe_page.context.clear_cookies()
    login_in_browser(axe_page, deputies[3].phone, PASSWORD)
    axe_page.goto(f"/votes/{vote_id}/ballot")
    assert axe_violations(axe_page) == []
    axe_page.locator(f"input[name=approve][value='{pids[2]}']").check()
    axe_page.locator("main form button[type=submit]").click()
    expect(axe_page.locator("#cast-button")).to_be_visible()
    assert axe_violations(axe_page) == []

    # One tries again and is refused; nothing is recorded.
    _switch(page, deputies[0])
    response = page.goto(f"/votes/{vote_id}/ballot")
    assert response.status == 409
    # The one refusal page every domain shows, with the reason.
    expect(page.locator(".error-page")).to_contain_text("您已经在本次表决中投过票")
    expect(page.locator("input[name=approve]")).to_have_count(0)

    # The secretary closes and publishes.
    _switch(page, secretary)
    page.goto(f"/votes/{vote_id}")
    page.locator("form[action$='/close'] button").click()
    expect(page.locator("form[action$='/publish'] button")).to_be_visible()
    page.locator("form[action$='/publish'] button").click()
    expect(page.locator("#result")).to_be_visible()
    db.session.rollback()  # a fresh snapshot: the live server wrote the vote
    vote = db.session.scalar(select(Vote).where(Vote.id == vote_id))
    # The scheduler sends the closing checkpoint to the committee's witness, which cosigns it.
    assert cli.witness_job(utcnow()) == "1 cosignatures received"
    db.session.commit()
    page.goto(f"/votes/{vote_id}")
    expect(page.locator("#log-vkey")).to_have_text(vote.manifest["log"])
    expect(page.locator("#cosigners")).to_contain_text("committee")
    expect(page.locator("#cosigners")).to_contain_text("✓")
    assert vote.result["winners"] == [str(pids[0])]
    expect(page.locator("#final-root")).to_have_text(vote.final_root)
    expect(page.locator("#result .winners")).to_contain_text("加装电梯")
    expect(page.locator("#result .winners")).not_to_contain_text("楼道照明改造")

    # The export downloaded from the page passes the standalone verifier.
    with page.expect_download() as download_info:
        page.locator("a[href$='/ballot-log.json']").click()
    path = tmp_path / "log.json"
    download_info.value.save_as(path)
    run = subprocess.run(
        [sys.executable, str(VERIFIER), str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    run = subprocess.run(
        [sys.executable, str(VERIFIER), str(path), "--receipt", receipt],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr

    # The deputy downloads the receipt file and the policy, and checks them offline.
    _switch(page, deputies[0])
    page.goto(f"/votes/{vote_id}/receipt/{receipt}")
    expect(page.locator("#receipt-qr")).to_be_visible()
    with page.expect_download() as proof_info:
        page.locator("#receipt-proof-link").click()
    proof_path = tmp_path / proof_info.value.suggested_filename
    proof_info.value.save_as(proof_path)
    with page.expect_download() as policy_info:
        page.locator("#receipt-proof a[href$='/policy']").click()
    policy_path = tmp_path / policy_info.value.suggested_filename
    policy_info.value.save_as(policy_path)
    run = subprocess.run(
        [sys.executable, str(VERIFIER), "--proof", str(proof_path), "--policy", str(policy_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"receipt {receipt} is ballot 0" in run.stdout and "cosigned by committee" in run.stdout

    # The deputy's receipt is found and proven by the receipt check.
    page.goto("/votes/receipt")
    page.locator("#hash").fill(receipt)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#receipt-verified")).to_be_visible()
    expect(page.locator("#receipt-result")).to_contain_text(vote.final_root)

    # The result page is accessible.
    axe_page.goto(f"/votes/{vote_id}")
    assert axe_violations(axe_page) == []

    # On a phone (390 px) the result page and the receipt check fit the screen, and the short code written
    # down from the receipt page finds the ballot too.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/votes/{vote_id}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto("/votes/receipt")
    page.locator("#hash").fill(f"{receipt[:4]}-{receipt[4:8]}".upper())
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#receipt-verified")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
