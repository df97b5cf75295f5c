"""Confusing words fixed (issue 11 item 7): who a form speaks to, the 405 page, ballots counted
from 1, no "K" in a method's name, household codes chosen by checkboxes, quiet alembic."""

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from app.accounts.models import Invitation
from app.votes.models import Method
from tests import hearings_factories as hf
from tests.factories import zh

ROOT = Path(__file__).resolve().parent.parent


def test_the_deputys_form_speaks_of_the_residents_name_not_the_deputys(client, make, login):
    community = make.community()
    station = make.station([community])
    deputy = make.user("deputy", station=station)
    session = hf.session(station=station, kind=hf.SessionKind.RECEPTION, actor=deputy)
    login(deputy)
    page = client.get(f"/hearings/sessions/{session.id}/suggestions/new").get_data(as_text=True)
    assert zh("This sentence is public; the resident's name never is.") in page
    assert zh("This sentence is public; your name never is.") not in page
    assert "您的姓名不会公开" not in page
    # The resident's own form still promises the resident.
    resident = make.user("resident", community)
    login(resident)
    own = client.get(f"/hearings/community/{community.id}/suggestions/new")
    assert zh("This sentence is public; your name never is.") in own.get_data(as_text=True)


def test_the_405_page_says_what_happened_not_no_permission(client):
    response = client.get("/logout")
    page = response.get_data(as_text=True)
    assert response.status_code == 405
    assert zh("This address is not a page") in page
    assert "无权操作" not in page
    client.set_cookie("lang", "en")
    assert "This address is not a page" in client.get("/logout").get_data(as_text=True)


def test_no_method_is_named_with_a_bare_letter(app):
    from flask_babel import force_locale

    with app.test_request_context():
        for locale in ("zh_Hans_CN", "en"):
            with force_locale(locale):
                for method in Method:
                    assert " K " not in f" {method.label} ".replace("（", " ").replace("）", " ")
                    assert "K 个" not in str(method.label) and "K)" not in str(method.label)


def test_household_codes_are_chosen_with_checkboxes_and_an_all_buildings_box(
    client, db, make, login
):
    community = make.community()
    b1 = make.building(community, name="1号楼")
    b2 = make.building(community, name="2号楼")
    make.household(b1)
    make.household(b2)
    login(make.user("secretary", community))
    url = f"/communities/{community.id}/invitations"
    page = client.get(url).get_data(as_text=True)
    assert "<select multiple" not in page and 'multiple id="buildings"' not in page
    assert f'type="checkbox" value="{b1.id}"' in page and 'name="all_buildings"' in page
    assert client.post(url, data={}).status_code == 400
    assert db.session.scalar(select(func.count(Invitation.id))) == 0
    assert client.post(url, data={"all_buildings": "y"}).status_code == 200
    assert db.session.scalar(select(func.count(Invitation.id))) == 2


def test_flask_commands_print_no_alembic_info_unless_asked(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'quiet.db'}",
        "FLASK_APP": "wsgi",
    }
    env.pop("ALEMBIC_VERBOSE", None)
    flask = [sys.executable, "-m", "flask"]
    quiet = subprocess.run(  # noqa: S603 - our own command
        [*flask, "db", "upgrade"], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert "INFO" not in quiet.stdout + quiet.stderr
    loud = subprocess.run(  # noqa: S603 - our own command
        [*flask, "db", "downgrade", "base"],
        cwd=ROOT,
        env={**env, "ALEMBIC_VERBOSE": "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert "INFO" in loud.stdout + loud.stderr and "alembic" in loud.stderr
