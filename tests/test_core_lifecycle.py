"""One request lifecycle: one commit at the end, a refusal keeps nothing, the same answer everywhere.

A small probe blueprint on an app of its own (same database) shows each path through
`core/lifecycle.py` and `core/errors.py`; the proof at the end shows that the domains' write tests
really depend on that one commit.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Blueprint, redirect, render_template_string, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import create_engine, func, select, text
from wtforms import StringField

from app import create_app
from app.core import audit
from app.core.audit import AuditEntry
from app.core.errors import Conflict, InvalidInput, on_refusal
from app.extensions import db as _db
from tests.conftest import CSRFClient
from tests.factories import zh

ROOT = Path(__file__).resolve().parents[1]

PROBE_FORM = """<form id="probe" method="post">{{ form.csrf_token }}
{% for e in form.form_errors %}<p class="error">{{ e }}</p>{% endfor %}
{{ form.title(**{"aria-label": "title"}) }}
{% for e in form.title.errors %}<p class="field-error">{{ e }}</p>{% endfor %}</form>"""

# Real messages of the app's catalogues, so the test sees both languages.
REFUSAL = "Please enter a name."


class ProbeForm(FlaskForm):
    title = StringField()


def _probe_blueprint() -> Blueprint:
    bp = Blueprint("lifecycle_probe", __name__)

    @bp.post("/probe/write")
    def write():
        audit.record("probe.write", detail=request.form.get("detail", ""))
        return redirect("/", 303)

    @bp.post("/probe/refuse")
    def refuse():
        audit.record("probe.refused_write")
        raise Conflict(_l(REFUSAL))

    @bp.post("/probe/form")
    def form():
        probe = ProbeForm()
        if probe.validate_on_submit():
            on_refusal(lambda: render_template_string(PROBE_FORM, form=probe), probe, "title")
            audit.record("probe.form_write", detail=probe.title.data or "")
            raise InvalidInput(_l(REFUSAL))
        return render_template_string(PROBE_FORM, form=probe)

    @bp.post("/probe/crash")
    def crash():
        audit.record("probe.crash_write")
        raise RuntimeError("an unexpected bug")

    @bp.get("/probe/audited-read")
    def audited_read():
        # Reads first, then audits the look at personal data, as the member list does.
        count = _db.session.scalar(select(func.count(AuditEntry.id)))
        audit.record("personal_data.view", detail="probe")
        return f"{count} entries"

    return bp


@pytest.fixture(scope="module")
def probe_app(app):
    config = {
        **{k: v for k, v in app.config.items() if k.isupper()},
        "PROPAGATE_TEST_ERRORS": False,
    }
    probe = create_app(config)
    probe.register_blueprint(_probe_blueprint())
    probe.test_client_class = CSRFClient
    yield probe
    with probe.app_context():
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def probe(probe_app, db):
    return probe_app.test_client()


def _actions() -> list[str]:
    """The audit log's actions, read through a connection of its own (what another user sees)."""
    engine = create_engine(_db.engine.url)
    try:
        with engine.connect() as conn:
            return list(
                conn.execute(text("SELECT action FROM audit_entries ORDER BY id")).scalars()
            )
    finally:
        engine.dispose()


def test_a_successful_request_commits_once_at_the_end(probe):
    response = probe.post("/probe/write", data={"detail": "kept"})
    assert response.status_code == 303
    assert _actions() == ["probe.write"]


def test_a_refused_action_keeps_nothing_and_shows_the_reason_in_chinese(probe):
    response = probe.post("/probe/refuse", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert zh(REFUSAL) in page and "<html" in page
    assert _actions() == []


def test_a_refused_action_shows_the_reason_in_english(probe):
    probe.set_cookie("lang", "en")
    response = probe.post("/probe/refuse")
    assert response.status_code == 409
    assert REFUSAL in response.get_data(as_text=True)
    assert _actions() == []


def test_a_refused_form_comes_back_with_the_input_and_the_reason_beside_its_field(probe):
    probe.set_cookie("lang", "en")
    response = probe.post("/probe/form", data={"title": "我的标题 kept"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'value="我的标题 kept"' in page
    assert f'<p class="field-error">{REFUSAL}</p>' in page
    assert _actions() == []


def test_an_htmx_refusal_is_the_same_partial_retargeted_where_the_request_aimed(probe):
    response = probe.post(
        "/probe/form",
        data={"title": "x"},
        headers={"HX-Request": "true", "HX-Target": "probe"},
    )
    assert response.status_code == 400
    assert response.headers["HX-Retarget"] == "#probe"
    assert response.headers["X-Refusal"] == "invalid"
    assert response.get_data(as_text=True).startswith('<form id="probe"')
    assert _actions() == []


def test_an_unexpected_error_rolls_back_and_shows_the_friendly_page(probe):
    response = probe.post("/probe/crash", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Traceback" not in page and "RuntimeError" not in page
    assert zh("Something went wrong") in page
    assert _actions() == []


def test_an_audited_read_writes_its_audit_entry_after_the_read(probe):
    response = probe.get("/probe/audited-read")
    assert response.status_code == 200
    assert _actions() == ["personal_data.view"]


def test_an_audited_read_that_fails_writes_nothing(probe):
    assert probe.get("/probe/no-such-page").status_code == 404
    assert _actions() == []


#: One write test per domain that goes through the test client: each must fail when the
#: one commit point does nothing, and pass when it commits.
WRITE_TESTS = [
    "tests/test_core_lifecycle.py::test_a_successful_request_commits_once_at_the_end",
    "tests/test_accounts_registration.py::test_registration_records_consent_and_audit_and_logs_in",
    "tests/test_org_admin.py::test_admin_creates_a_community_with_buildings_and_households",
    "tests/test_pacts_routes.py::test_comment_reply_agree_and_second_agree_refused",
    "tests/test_hearings_routes.py::test_resident_submits_and_gets_a_tracking_number",
    "tests/test_hearings_routes.py::test_registration_capacity_waiting_list_and_refusals",
    "tests/test_votes_routes.py::test_secretary_creates_a_draft_vote",
    "tests/test_votes_routes.py::test_ballot_review_then_cast_then_receipt",
    "tests/test_projects_routes.py::test_project_from_a_candidate_suggestion",
]


def _run_write_tests(disable_commit: bool) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    # A SQLite file of its own: the PostgreSQL test database is in use by this very run.
    env["YISHITING_TEST_DISABLE_COMMIT"] = "1" if disable_commit else "0"
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-o",
            "addopts=",
            *WRITE_TESTS,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_without_the_commit_point_every_domain_write_test_fails():
    broken = _run_write_tests(disable_commit=True)
    assert f"{len(WRITE_TESTS)} failed" in broken.stdout, broken.stdout[-3000:]
    assert "passed" not in broken.stdout.splitlines()[-1]
    restored = _run_write_tests(disable_commit=False)
    assert f"{len(WRITE_TESTS)} passed" in restored.stdout, restored.stdout[-3000:]
