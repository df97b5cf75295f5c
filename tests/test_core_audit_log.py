"""A readable audit log (issue 11 item 6): actions named in the reader's language, people and
objects by name with links, local time, filters by kind, person and days; every look at
personal data logged (attendance list, sign-in sheet, a suggestion's submitter)."""

import ast
import itertools
from datetime import datetime
from pathlib import Path

from flask_babel import force_locale
from sqlalchemy import select

from app.core import audit
from app.core.audit import AuditEntry
from app.core.audit_names import action_names
from app.hearings import operations as hops
from tests import hearings_factories as hf
from tests.factories import zh

APP = Path(__file__).resolve().parent.parent / "app"


def _strings(node: ast.AST) -> list[str]:
    """The codes an expression can give: a literal, either branch of `a if c else b`, a + b."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return [a + b for a, b in itertools.product(_strings(node.left), _strings(node.right))]
    return []


def recorded_codes() -> set[str]:
    """Every action code the app writes to the audit log."""
    codes: set[str] = set()
    for path in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name == "record":
                codes |= set(_strings(node.args[0]))
            elif name == "_set_password" and len(node.args) >= 3:
                codes |= set(_strings(node.args[2]))
            elif name == "values":
                for kw in node.keywords:
                    if kw.arg == "action":
                        codes |= set(_strings(kw.value))
    return {c for c in codes if "." in c and " " not in c}


def test_every_recorded_action_has_a_name_in_both_languages(app):
    codes = recorded_codes()
    assert len(codes) > 80  # the scan really found the app's codes
    with app.test_request_context():
        names = action_names()
        missing = sorted(codes - set(names))
        assert not missing, f"audit codes without a name: {missing}"
        for code, label in names.items():
            with force_locale("en"):
                english = str(label)
            with force_locale("zh_Hans_CN"):
                chinese = str(label)
            assert english != code and chinese != english, code


def _world(make):
    community = make.community(name="幸福社区")
    secretary = make.user("secretary", community, name="刘书记")
    resident = make.user("resident", community, name="王秀英")
    return community, secretary, resident


def test_the_log_names_actions_people_and_objects_in_chinese(client, db, make, login):
    community, secretary, resident = _world(make)
    session = hf.session(community, title="加装电梯听证会", actor=secretary)
    hops.register_for_session(session, resident)
    login(secretary)
    page = client.get(f"/communities/{community.id}/audit").get_data(as_text=True)
    assert zh("Scheduled a session") in page and zh("Registered for a session") in page
    assert "session.create" not in page and "session.register" not in page
    assert f'/communities/{community.id}/audit?who={secretary.id}">刘书记</a>' in page
    assert f'href="/hearings/sessions/{session.id}">加装电梯听证会</a>' in page
    assert "hearing_sessions" not in page


def test_the_log_speaks_english_to_an_english_reader(client, db, make, login):
    community, secretary, resident = _world(make)
    hf.session(community, actor=secretary)
    secretary.locale = "en"
    login(secretary)
    page = client.get(f"/communities/{community.id}/audit").get_data(as_text=True)
    assert "Scheduled a session" in page and zh("Scheduled a session") not in page
    assert "Sessions and minutes" in page  # the kind filter names its kinds


def test_ids_in_details_become_names_and_times_are_local(client, db, make, login):
    community, secretary, resident = _world(make)
    entry = audit.record(
        "vote.paper_ballot",
        community,
        community=community,
        actor=secretary,
        detail=f"paper ballot entered by user {secretary.id} for user {resident.id}",
    )
    entry_at = datetime(2026, 12, 11, 11, 0)  # 19:00 in Shanghai
    db.session.execute(
        AuditEntry.__table__.update().where(AuditEntry.id == entry.id).values(at=entry_at)
    )
    login(secretary)
    page = client.get(f"/communities/{community.id}/audit").get_data(as_text=True)
    assert "paper ballot entered by 刘书记 for 王秀英" in page
    assert f"user {resident.id}" not in page
    assert "2026年12月11日 19:00" in page
    assert zh("Entered a paper ballot") in page


def test_filters_by_kind_person_and_days(client, db, make, login):
    community, secretary, resident = _world(make)
    audit.record("vote.open", community, community=community, actor=secretary, detail="v-open")
    audit.record(
        "suggestion.submit", community, community=community, actor=resident, detail="s-submit"
    )
    old = audit.record("pact.create", community, community=community, actor=secretary, detail="old")
    db.session.execute(
        AuditEntry.__table__.update()
        .where(AuditEntry.id == old.id)
        .values(at=datetime(2026, 1, 5, 2, 0))
    )
    login(secretary)
    base = f"/communities/{community.id}/audit"
    page = client.get(base).get_data(as_text=True)
    assert f'<option value="votes">{zh("Votes")}</option>' in page
    assert f'<option value="{resident.id}">王秀英</option>' in page
    by_kind = client.get(base + "?kind=votes").get_data(as_text=True)
    assert "v-open" in by_kind and "s-submit" not in by_kind and ">old<" not in by_kind
    by_person = client.get(f"{base}?who={resident.id}").get_data(as_text=True)
    assert "s-submit" in by_person and "v-open" not in by_person
    by_days = client.get(base + "?start=2026-01-05&end=2026-01-05").get_data(as_text=True)
    assert ">old<" in by_days and "v-open" not in by_days
    # A kind nobody registered is no filter, not an error.
    assert "v-open" in client.get(base + "?kind=nonsense").get_data(as_text=True)


def _views(db, action):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def test_looking_at_attendance_and_the_sign_in_sheet_is_logged(client, db, make, login):
    community, secretary, resident = _world(make)
    session = hf.session(community, actor=secretary)
    hops.register_for_session(session, resident)
    login(secretary)
    assert client.get(f"/hearings/sessions/{session.id}/attendance").status_code == 200
    assert client.get(f"/hearings/sessions/{session.id}/sign-in-sheet").status_code == 200
    (attendance,) = _views(db, "personal_data.attendance")
    (sheet,) = _views(db, "personal_data.sign_in_sheet")
    for entry in (attendance, sheet):
        assert entry.actor_id == secretary.id and entry.object_id == session.id
        assert entry.community_id == community.id
    page = client.get(f"/communities/{community.id}/audit?kind=personal_data")
    text = page.get_data(as_text=True)
    assert zh("Looked at a session's attendance list") in text
    assert zh("Opened a session's sign-in sheet") in text


def test_looking_at_a_suggestions_submitter_is_logged_but_not_a_visitors_look(
    client, db, make, login
):
    community, secretary, resident = _world(make)
    s = hf.suggestion(community, resident)
    assert (
        client.get(f"/hearings/suggestions/{s.number}").status_code == 200
    )  # a visitor: no name shown
    assert _views(db, "personal_data.submitter") == []
    login(secretary)
    assert client.get(f"/hearings/suggestions/{s.number}").status_code == 200
    (entry,) = _views(db, "personal_data.submitter")
    assert entry.actor_id == secretary.id and entry.object_id == s.id
    page = client.get(f"/communities/{community.id}/audit").get_data(as_text=True)
    assert zh("Looked at who submitted a suggestion") in page
    assert f'href="/hearings/suggestions/{s.number}">{s.number} · {s.summary}</a>' in page
