"""Browser: a double click on "Cast my ballot" or "Post comment" creates one record and lands on
its page (the one-time token on the server; app.js disables the button once the form is sent)."""

import re

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.votes.models import Ballot
from tests import votes_factories as vf
from tests.e2e.conftest import login_in_browser
from tests.factories import PASSWORD


def _double_click_cast(page, vote, pid) -> str:
    page.goto(f"/votes/{vote.id}/ballot")
    page.locator(f"input[name=approve][value='{pid}']").check()
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#cast-button")).to_be_visible()
    page.locator("#cast-button").dblclick()
    expect(page).to_have_url(re.compile(rf"/votes/{vote.id}/receipt/[0-9a-f]{{64}}"))
    return page.locator("#receipt-hash").inner_text().strip()


def _hashes(vote) -> list[str]:
    db.session.rollback()  # a fresh snapshot: the live server committed
    return list(db.session.scalars(select(Ballot.hash).where(Ballot.vote_id == vote.id)))


def test_a_double_clicked_cast_gives_one_ballot_and_its_receipt(page, commit):
    w = vf.world(n_deputies=2)
    vote = vf.vote(w)
    commit()
    login_in_browser(page, w.deputies[0].phone, PASSWORD)
    receipt = _double_click_cast(page, vote, vf.ids(w.projects)[0])
    assert _hashes(vote) == [receipt]


def test_without_javascript_the_cast_sent_again_gets_the_same_receipt(browser, base_url, commit):
    """No app.js: the review page's form is posted once by a click and once more as a phone
    resending it would (same fields, same token); both answers lead to the one receipt."""
    w = vf.world(n_deputies=2)
    vote = vf.vote(w)
    pid = vf.ids(w.projects)[1]
    commit()
    context = browser.new_context(base_url=base_url, java_script_enabled=False, locale="zh-CN")
    try:
        page = context.new_page()
        login_in_browser(page, w.deputies[1].phone, PASSWORD)
        page.goto(f"/votes/{vote.id}/ballot")
        page.locator(f"input[name=approve][value='{pid}']").check()
        page.locator("main form button[type=submit]").click()
        expect(page.locator("#cast-button")).to_be_visible()
        review = page.content()
        cast_form = review[: review.index('id="cast-button"')]
        cast_form = cast_form[cast_form.rindex("<form") :]
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', cast_form))
        assert fields["step"] == "cast" and fields["once"]
        page.locator("#cast-button").click()
        expect(page).to_have_url(re.compile(rf"/votes/{vote.id}/receipt/[0-9a-f]{{64}}"))
        receipt = page.locator("#receipt-hash").inner_text().strip()
        again = context.request.post(f"/votes/{vote.id}/ballot", form=fields, max_redirects=0)
        assert again.status == 303 and again.headers["location"].endswith(f"/receipt/{receipt}")
    finally:
        context.close()
    assert _hashes(vote) == [receipt]
