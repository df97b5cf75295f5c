"""The suggestion board and the session page, served from the cache, are never stale after a
write (issue 13): for each kind of write, a reader who had read (and so cached) the pages before,
anonymous or a logged-in resident, then reads exactly what the pages show with no cache at all,
and the page the write concerns did change. Time alone (a day count ticking) renews them too."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from app.accounts import operations as aops
from app.core.time import local_today, utcnow
from app.extensions import db
from app.hearings import operations as hops
from app.hearings.follow_up import mark_action_done
from app.hearings.models import HearingSession, Registration
from app.org import operations as org_ops
from app.org.models import Body, BodyKind, Building, Community
from app.suggestions.followup import escalate_suggestion
from app.suggestions.models import Category, Suggestion
from tests import hearings_factories as hf
from tests.test_pages_queries import _diff, _statements

READERS = ("anonymous", "resident")
#: What differs between two renders of one page for one reader: the signed tokens of its forms.
HIDDEN = re.compile(r"<input[^>]*hidden[^>]*>")
VALUE = re.compile(r'value="[^"]*"')
HEADER = re.compile(r'"X-CSRFToken": "[^"]*"')


class World:
    pass


@pytest.fixture
def world(make, app):
    w = World()
    w.app = app
    w.c = make.community(name="梅园居民区")
    w.b = make.building(w.c, name="3号楼", households=3)
    w.secretary = make.user("secretary", community=w.c)
    w.body = make.body(w.c, BodyKind.PROPERTY_COMPANY, name="梅园物业")
    w.handler = make.user("handler", body=w.body)
    w.reader = make.user("resident", community=w.c, household=w.b.households[0])
    w.other = make.user("resident", community=w.c, household=w.b.households[1], name="王小明")
    w.third = make.user("resident", community=w.c, household=w.b.households[2], name="李大伟")
    first = hf.suggestion(w.c, w.other, summary="3号楼电梯经常停运", building_id=w.b.id)
    hf.accept_suggestion(first, w.body)
    hf.suggestion(w.c, w.third, summary="楼道灯坏了")
    w.future = hf.session(w.c, capacity=2, agenda=["费用分摊", "施工时间"], actor=w.secretary)
    hops.register_for_session(w.future, w.other, "电梯费用")
    w.held = hf.session(w.c, starts_in=timedelta(hours=-3), actor=w.secretary)
    hf.mark_session_held(w.held, actor=w.secretary)
    minutes = hf.publish_minutes(
        w.held,
        summary="讨论了加装电梯",
        actions=[("物业提交报价", w.body.id, date.today() + timedelta(days=30))],
        speakers=[("", True, "支持加装", w.other.id)],
        actor=w.secretary,
    )
    db.session.commit()
    w.first_id, w.future_id, w.held_id = first.id, w.future.id, w.held.id
    w.action_id = minutes.actions[0].id
    w.urls = (
        f"/hearings/community/{w.c.id}/suggestions",
        f"/hearings/sessions/{w.future_id}",
        f"/hearings/sessions/{w.held_id}",
    )
    return w


def _strip(html: str) -> str:
    return HEADER.sub("", HIDDEN.sub(lambda m: VALUE.sub('value=""', m.group(0)), html))


def _read(client, world) -> list[str]:
    pages = []
    for url in world.urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages.append(_strip(response.get_data(as_text=True)))
    return pages


def _uncached(client, world) -> list[str]:
    world.app.config["FRAGMENT_CACHE"] = False
    try:
        return _read(client, world)
    finally:
        world.app.config["FRAGMENT_CACHE"] = True


@pytest.fixture(params=READERS)
def reader(request, world, login):
    """A client of the given kind that has read (and cached) every page before the write."""
    client = world.app.test_client()
    if request.param == "resident":
        login(world.reader, client)
    _read(client, world)
    return client


def _suggestion(world) -> Suggestion:
    return db.session.get(Suggestion, world.first_id)


def _session(world, which: str) -> HearingSession:
    return db.session.get(HearingSession, getattr(world, f"{which}_id"))


# Each write: what it changes (board, future session, held session), then the write itself.
WRITES = {
    "a suggestion is made": (
        "board",
        lambda w: hf.suggestion(db.session.get(Community, w.c.id), w.third, summary="新的建议"),
    ),
    "a suggestion is routed to a body": (
        "board",
        lambda w: hf.accept_suggestion(
            db.session.scalars(select(Suggestion).where(Suggestion.body_id.is_(None))).first(),
            db.session.get(Body, w.body.id),
        ),
    ),
    "a suggestion is answered": (
        "board",
        lambda w: hf.answer_suggestion(_suggestion(w), "已联系维保单位。"),
    ),
    "a suggestion is escalated by hand": (
        "board",
        lambda w: escalate_suggestion(_suggestion(w), "久拖未决", actor=hf.secretary_of(w.c)),
    ),
    "the body is renamed": (
        "board",
        lambda w: setattr(db.session.get(Body, w.body.id), "name", "新物业"),
    ),
    "the building is renamed": (
        "board",
        lambda w: setattr(db.session.get(Building, w.b.id), "name", "5号楼"),
    ),
    "the community is renamed": (
        "board",
        lambda w: setattr(db.session.get(Community, w.c.id), "name", "梅园新村"),
    ),
    "another resident registers": (
        "future",
        lambda w: hops.register_for_session(_session(w, "future"), w.third, ""),
    ),
    "the reader registers": (
        "future",
        lambda w: hops.register_for_session(_session(w, "future"), w.reader, "想发言"),
    ),
    "a registration is cancelled": (
        "future",
        lambda w: hops.cancel_registration(
            db.session.scalars(
                select(Registration).where(Registration.session_id == w.future_id)
            ).first()
        ),
    ),
    "the session is rescheduled": (
        "future",
        lambda w: hf.reschedule_session(
            _session(w, "future"),
            starts_at=_session(w, "future").starts_at,
            ends_at=_session(w, "future").ends_at,
            place="社区文化中心",
            capacity=5,
        ),
    ),
    "the session is cancelled": (
        "future",
        lambda w: hf.cancel_session(_session(w, "future"), "场地检修"),
    ),
    "a suggestion is recorded at the session": (
        "held",
        lambda w: hops.record_suggestion(
            _session(w, "held"),
            community_id=w.c.id,
            category=Category.LIFT,
            summary="会上提出的建议",
            walk_in_name="",
            actor=hf.secretary_of(w.c),
        ),
    ),
    "a correction of the minutes is published": (
        "held",
        lambda w: hf.publish_minutes(
            _session(w, "held"), summary="更正后的纪要", correction_note="补充决定"
        ),
    ),
    "an action is marked done": (
        "held",
        lambda w: mark_action_done(
            _action(w), actor=hf.handler_of(db.session.get(Body, w.body.id))
        ),
    ),
    "a speaker renames themselves": (
        "held",
        lambda w: aops.update_profile(db.session.get(type(w.other), w.other.id), "赵小明"),
    ),
    "a speaker deletes their account": (
        "held",
        lambda w: aops.delete_account(db.session.get(type(w.other), w.other.id)),
    ),
}


def _action(world):
    from app.hearings.models import FollowUpAction

    return db.session.get(FollowUpAction, world.action_id)


@pytest.mark.parametrize("write", list(WRITES))
def test_a_reader_sees_each_write_at_once(world, reader, write, app):
    before = _read(reader, world)
    concerned, act = WRITES[write]
    with app.test_request_context("/"):
        act(world)
    db.session.commit()
    after = _read(reader, world)
    assert after == _uncached(reader, world)
    index = {"board": 0, "future": 1, "held": 2}[concerned]
    assert after[index] != before[index]


def test_an_action_completer_renaming_renews_the_minutes(world, reader, app):
    with app.test_request_context("/"):
        handler = hf.handler_of(db.session.get(Body, world.body.id))
        mark_action_done(_action(world), actor=handler)
    db.session.commit()
    before = _read(reader, world)
    with app.test_request_context("/"):
        aops.update_profile(db.session.get(type(handler), handler.id), "钱多多")
    db.session.commit()
    after = _read(reader, world)
    assert after == _uncached(reader, world)
    assert after[2] != before[2]


def test_a_calendar_change_renews_every_board_and_session_page(world, reader, app):
    from app.accounts.models import Role, RoleAssignment

    admin = db.session.get(type(world.reader), world.secretary.id)
    db.session.add(RoleAssignment(user_id=admin.id, role=Role.ADMIN))
    db.session.commit()
    revs = (
        db.session.get(Community, world.c.id).suggestions_rev,
        _session(world, "held").cache_rev,
    )
    with app.test_request_context("/"):
        org_ops.set_calendar_day(local_today(), False, "停电", actor=admin)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Community, world.c.id).suggestions_rev != revs[0]
    assert _session(world, "held").cache_rev != revs[1]
    assert _read(reader, world) == _uncached(reader, world)


def test_a_day_later_the_day_counts_are_renewed_without_a_write(world, reader, monkeypatch):
    before = _read(reader, world)
    later = utcnow() + timedelta(days=1, minutes=1)
    for module in ("app.core.fragments", "app.suggestions.models"):
        monkeypatch.setattr(f"{module}.utcnow", lambda: later)
    after = _read(reader, world)
    assert after == _uncached(reader, world)
    assert after[0] != before[0]


def test_a_rolled_back_write_keeps_the_revisions(world, app):
    rev = db.session.get(Community, world.c.id).suggestions_rev
    with app.test_request_context("/"):
        hf.suggestion(db.session.get(Community, world.c.id), world.third, summary="撤回的建议")
    db.session.rollback()
    assert db.session.get(Community, world.c.id).suggestions_rev == rev


def test_the_pages_are_served_from_the_cache(world, reader):
    """Warm, neither page reads a suggestion, a registration or the minutes."""
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        _read(reader, world)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    for table in ("FROM suggestions", "FROM session_registrations", "FROM session_minutes"):
        assert not [s for s in seen if table in s], table


def _warm_statements(client, url) -> list[str]:
    client.get(url)
    return _statements(client, url)


@pytest.mark.parametrize("who", READERS)
def test_served_from_the_cache_each_page_costs_what_the_header_costs_and_one_row(world, login, who):
    """The community (board) or the session (session page); for a resident also the account,
    its roles (two) and the unread count of the header: no suggestion, registration or minutes."""
    client = world.app.test_client()
    if who == "resident":
        login(world.reader, client)
    for url in world.urls:
        warm = _warm_statements(client, url)
        assert len(warm) <= (5 if who == "resident" else 1), "\n".join(warm)


@pytest.mark.parametrize("read", ["warm", "cold"])
def test_the_staff_session_page_costs_the_same_with_1_or_12_registrations(read, make, login, app):
    """Warm: the shared parts come from the cache. Cold: its first reader after a write (here
    the secretary) renders the shared parts and the registrants both. A fixed number of
    statements either way."""
    statements = _warm_statements if read == "warm" else _statements
    c = make.community()
    residents = [make.user("resident", community=c).id for _ in range(12)]
    secretary = make.user("secretary", community=c)
    session_id = hf.session(c, actor=secretary).id
    db.session.commit()

    def register(ids):
        for uid in ids:
            hops.register_for_session(
                db.session.get(HearingSession, session_id), db.session.get(type(secretary), uid)
            )
        db.session.commit()

    register(residents[:1])
    client = app.test_client()
    login(secretary, client)
    url = f"/hearings/sessions/{session_id}"
    small = statements(client, url)
    register(residents[1:])
    large = statements(client, url)
    assert len(large) == len(small), _diff(small, large)
    page = client.get(url).get_data(as_text=True)
    assert page.count("<li>") >= 12  # the secretary still sees every registrant
