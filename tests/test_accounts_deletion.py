"""Deletion that deletes (issue 14, 1b): after a resident deletes the account, no page, export
or table row holds their name, phone number or network address; ballot logs still verify."""

import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select, text

from app.accounts.models import Membership, MembershipStatus, User
from app.core.notifications import N_, Notification, notify
from app.demo import DEMO_PASSWORD, load_demo
from app.extensions import db as _db
from app.hearings.models import HearingSession, Minutes, Registration
from app.hearings.operations import publish_minutes
from tests.hearings_factories import staff_of

VERIFIER = Path(__file__).resolve().parent.parent / "tools" / "verify_ballot_log.py"
NAME = "欧阳晓岚"
PHONE = "13800000001"
ADDRESS = "203.0.113.77"


def _community_of(user: User) -> int:
    membership = _db.session.scalar(
        select(Membership).where(
            Membership.user_id == user.id, Membership.status == MembershipStatus.ACTIVE
        )
    )
    assert membership is not None
    return membership.household.building.community_id


def _sessions(community_id: int) -> tuple[HearingSession, HearingSession]:
    sessions = _db.session.scalars(
        select(HearingSession).where(HearingSession.community_id == community_id)
    ).all()
    with_minutes = next(s for s in sessions if s.minutes)
    open_ = next(s for s in sessions if s.registration_open and s.is_scheduled)
    return with_minutes, open_


def _rows_holding(*needles: str) -> list[str]:
    found = []
    for table in _db.metadata.sorted_tables:
        for row in _db.session.execute(text(f'SELECT * FROM "{table.name}"')):  # noqa: S608
            flat = " ".join(str(v) for v in row)
            for needle in needles:
                if needle in flat:
                    found.append(f"{table.name}: {needle}")
    return found


def test_a_deleted_resident_leaves_no_name_phone_or_address_behind(app, client, db, tmp_path):
    load_demo()
    resident = db.session.scalar(select(User).where(User.phone == PHONE))
    resident.display_name = NAME
    db.session.commit()
    community_id = _community_of(resident)
    held, upcoming = _sessions(community_id)

    # They spoke at a session (a correction of its minutes names them, as typed by the staff).
    last = max(held.minutes, key=lambda m: m.revision)
    publish_minutes(
        held,
        summary=last.summary,
        speakers=[
            (NAME, True, f"{NAME}：楼道里的自行车应当移走。"),
            ("李阿姨", True, "同意。"),
            ("", True, "还要装充电桩。", resident.id),  # linked: shown by their current name
        ],
        correction_note="补充发言",
        actor=staff_of(held),
    )
    notify(resident, N_("A seat came free: you are now registered for “%(title)s”."), title="x")
    db.session.commit()

    # They logged in from an address and registered with a topic.
    client.environ_base["REMOTE_ADDR"] = ADDRESS
    response = client.post("/login", data={"identifier": PHONE, "password": DEMO_PASSWORD})
    assert response.status_code == 303
    response = client.post(
        f"/hearings/sessions/{upcoming.id}/register", data={"speak_topic": "自行车停放"}
    )
    assert response.status_code in (303, 409)  # 409: the demo registered them already
    assert db.session.scalar(select(Registration).where(Registration.user_id == resident.id))

    # Their export shows the notifications and audit entries about them, address included.
    export = client.get("/account/export.json").json
    assert export["notifications"] and export["notifications"][0]["message"]
    actions = {e["action"] for e in export["audit_entries"]}
    assert "user.login" in actions
    assert ADDRESS in {e["ip"] for e in export["audit_entries"]}
    assert _rows_holding(NAME, PHONE, ADDRESS)  # the probe finds them before

    response = client.post("/account/delete", data={"del-password": DEMO_PASSWORD})
    assert response.status_code == 303

    assert _rows_holding(NAME, PHONE, ADDRESS) == []
    assert (
        db.session.scalar(select(Notification).where(Notification.user_id == resident.id)) is None
    )
    assert (
        db.session.scalar(select(Registration).where(Registration.user_id == resident.id)) is None
    )
    newest = db.session.scalar(
        select(Minutes).where(Minutes.session_id == held.id).order_by(Minutes.revision.desc())
    )
    speakers = {s.public_name for s in newest.speakers}
    assert speakers == {None, "李阿姨"}  # "a resident", and the other speaker kept
    assert [s.user_id for s in newest.speakers] == [None, None, None]  # the link is gone
    # The audit log keeps what they did, without the address.
    kept = db.session.execute(
        text("SELECT action, ip FROM audit_entries WHERE actor_id = :id"), {"id": resident.id}
    ).all()
    assert {"user.login", "user.delete"} <= {a for a, _ in kept}
    assert {ip for _, ip in kept} == {""}

    # No page shows them any more.
    visitor = app.test_client()
    for url in (
        f"/hearings/sessions/{held.id}",
        f"/hearings/sessions/{upcoming.id}",
        f"/hearings/community/{community_id}",
        f"/communities/{community_id}",
    ):
        page = visitor.get(url).get_data(as_text=True)
        assert NAME not in page and PHONE not in page, url

    # The published votes' ballot logs still verify, and hold nothing about them.
    result = app.test_cli_runner().invoke(args=["votes", "export", "--all", str(tmp_path)])
    assert result.exit_code == 0, result.output
    files = sorted(tmp_path.glob("*.json"))
    assert files
    for path in files:
        body = path.read_text(encoding="utf-8")
        assert NAME not in body and PHONE not in body and ADDRESS not in body
        run = subprocess.run(
            [sys.executable, str(VERIFIER), str(path)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert run.returncode == 0 and "VALID" in run.stdout, run.stdout + run.stderr
        json.loads(body)
