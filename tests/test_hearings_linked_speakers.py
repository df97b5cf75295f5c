"""Linked speakers (issue 14, item 1b): a minutes speaker entry can name the member who spoke;
the minutes then show that member's current display name (with their consent), keep no copy of
it, and read "a resident" once the account is deleted."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.accounts import operations as accounts
from app.extensions import db
from app.hearings.models import Minutes, Registration, RegistrationStatus, Speaker
from tests import hearings_factories as hf
from tests.factories import login_as, logout


@pytest.fixture
def held(make):
    c = make.community(name="梅园居民区")
    b = make.building(c, households=3)
    w = type("W", (), {})()
    w.c = c
    w.secretary = make.user("secretary", community=c)
    w.speaker = make.user("resident", community=c, building=b, name="王秀英")
    w.stranger = make.user("resident", community=c, building=b, name="赵建国")
    w.s = hf.session(c, starts_in=timedelta(hours=-1))
    db.session.add(
        Registration(session_id=w.s.id, user_id=w.speaker.id, status=RegistrationStatus.REGISTERED)
    )
    db.session.commit()
    return w


def _publish(client, w, **speaker):
    data = {"summary": "讨论加装电梯", **{f"speakers-0-{k}": v for k, v in speaker.items()}}
    return client.post(f"/hearings/sessions/{w.s.id}/minutes", data=data)


def _page(client, w) -> str:
    """The speakers of the published minutes, as a visitor sees them."""
    logout(client)
    page = client.get(f"/hearings/sessions/{w.s.id}").get_data(as_text=True)
    login_as(client, w.secretary)
    return " ".join(re.findall(r"<li><strong>(.*?)</strong>", page))


def test_a_linked_speaker_is_shown_by_their_current_name(client, login, held):
    w = held
    login(w.secretary)
    form = client.get(f"/hearings/sessions/{w.s.id}/minutes").get_data(as_text=True)
    # Only members registered for the session are offered.
    assert f'value="{w.speaker.id}"' in form and "王秀英" in form and "赵建国" not in form
    response = _publish(client, w, user=w.speaker.id, consent="y", points="支持加装电梯")
    assert response.status_code == 303
    speaker = db.session.scalar(select(Speaker))
    assert speaker.user_id == w.speaker.id and speaker.name == ""  # no copy of the name
    assert _page(client, w) == "王秀英"
    # They change their display name: the minutes follow.
    w.speaker.display_name = "王秀芳"
    db.session.commit()
    assert _page(client, w) == "王秀芳"
    # A correction starts from the published entry, link included.
    form = client.get(f"/hearings/sessions/{w.s.id}/minutes").get_data(as_text=True)
    assert f'<option selected value="{w.speaker.id}">' in form


def test_a_linked_speaker_without_consent_is_a_resident(client, login, held):
    w = held
    login(w.secretary)
    assert _publish(client, w, user=w.speaker.id, points="担心噪音").status_code == 303
    assert _page(client, w) == "一位居民"


def test_linking_someone_not_registered_is_refused_and_nothing_published(client, login, held):
    w = held
    login(w.secretary)
    response = _publish(client, w, user=w.stranger.id, consent="y", points="路过")
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(Minutes.id))) == 0


def test_a_deleted_members_linked_entry_loses_the_link_and_reads_a_resident(client, login, held):
    w = held
    login(w.secretary)
    _publish(client, w, user=w.speaker.id, consent="y", points="支持加装电梯")
    accounts.delete_account(db.session.get(type(w.speaker), w.speaker.id))
    db.session.commit()
    speaker = db.session.scalar(select(Speaker))
    assert (speaker.user_id, speaker.name, speaker.consent) == (None, "", False)
    assert speaker.points == "支持加装电梯"  # what was said stays in the record
    client.set_cookie("lang", "en")
    assert _page(client, w) == "A resident"
    assert "王秀英" not in client.get(f"/hearings/sessions/{w.s.id}").get_data(as_text=True)


def test_the_personal_data_export_lists_the_entries_linked_to_the_person(client, login, held):
    w = held
    login(w.secretary)
    _publish(client, w, user=w.speaker.id, consent="y", points="支持加装电梯")
    login(w.speaker)
    export = client.get("/account/export.json").json
    assert export["hearings"]["spoke_at"] == [
        {"session_id": w.s.id, "minutes_revision": 1, "named": True, "points": "支持加装电梯"}
    ]
