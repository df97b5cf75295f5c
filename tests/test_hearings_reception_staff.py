"""Issue 14 item 0: a deputy of another liaison station may not run this station's receptions.

Each reception action is tried by a deputy of a second station that serves the same community:
every one is refused with 403 and nothing is saved; the station's own deputy may.
"""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.hearings.models import (
    HearingSession,
    Registration,
    RegistrationStatus,
    SessionKind,
    WalkIn,
)
from app.suggestions.models import Category, Suggestion
from tests import hearings_factories as hf


@pytest.fixture
def reception(make, db):
    c = make.community(name="梅园居民区")
    station = make.station([c], name="新华路联络站")
    other_station = make.station([c], name="番禺路联络站")
    own = make.user("deputy", station=station, name="周代表")
    intruder = make.user("deputy", station=other_station, name="吴代表")
    resident = make.user("resident", community=c)
    s = hf.session(
        station=station,
        kind=SessionKind.RECEPTION,
        starts_in=timedelta(hours=-1),
        host_id=own.id,
        actor=own,
    )
    r = Registration(session_id=s.id, user_id=resident.id, status=RegistrationStatus.REGISTERED)
    db.session.add(r)
    db.session.commit()
    return type("R", (), {"c": c, "s": s, "r": r, "own": own, "intruder": intruder})()


def _counts(db, session_id):
    return (
        db.session.scalar(select(func.count(WalkIn.id))),
        db.session.scalar(select(func.count(Suggestion.id))),
        db.session.scalar(select(Registration.attended)),
        db.session.get(HearingSession, session_id).status,
    )


def _actions(w):
    base = f"/hearings/sessions/{w.s.id}"
    return {
        "attendance page": ("get", base + "/attendance", None),
        "walk-in": ("post", base + "/attendance", {"name": "赵大爷"}),
        "attendance per registration": ("post", f"{base}/attendance/{w.r.id}", {"present": "1"}),
        "suggestion form": ("get", base + "/suggestions/new", None),
        "record a suggestion": (
            "post",
            base + "/suggestions/new",
            {"community": w.c.id, "category": "streets", "summary": "路口需要红绿灯"},
        ),
        "sign-in sheet": ("get", base + "/sign-in-sheet", None),
        "mark held": ("post", base + "/held", None),
    }


ACTIONS = [
    "attendance page",
    "walk-in",
    "attendance per registration",
    "suggestion form",
    "record a suggestion",
    "sign-in sheet",
    "mark held",
]


@pytest.mark.parametrize("action", ACTIONS)
def test_a_deputy_of_another_station_is_refused_and_nothing_is_saved(
    client, login, reception, db, action
):
    method, url, data = _actions(reception)[action]
    before = _counts(db, reception.s.id)
    login(reception.intruder)
    response = client.get(url) if method == "get" else client.post(url, data=data or {})
    assert response.status_code == 403
    assert _counts(db, reception.s.id) == before


@pytest.mark.parametrize("action", ACTIONS)
def test_the_stations_own_deputy_may(client, login, reception, action):
    method, url, data = _actions(reception)[action]
    login(reception.own)
    response = client.get(url) if method == "get" else client.post(url, data=data or {})
    assert response.status_code == (200 if method == "get" else 303)


def test_can_run_is_the_stations_staff_and_the_communitys_secretary(make, reception):
    s = reception.s
    assert s.can_run(reception.own) and not s.can_run(reception.intruder)
    assert s.can_run(make.user("secretary", community=reception.c))
    assert not s.can_run(make.user("resident", community=reception.c))
    assert not s.can_manage(reception.intruder) and s.can_manage(reception.own)


def test_the_operations_refuse_the_other_stations_deputy_too(app, reception, db):
    from app.core.errors import NotAllowed
    from app.hearings import operations as ops

    with app.test_request_context():
        for call in (
            lambda: ops.add_walk_in(reception.s, "赵大爷", actor=reception.intruder),
            lambda: ops.set_attendance(reception.r, True, actor=reception.intruder),
            lambda: ops.mark_session_held(reception.s, actor=reception.intruder),
            lambda: ops.record_suggestion(
                reception.s,
                community_id=reception.c.id,
                category=Category.STREETS,
                summary="x",
                actor=reception.intruder,
            ),
        ):
            with pytest.raises(NotAllowed):
                call()
