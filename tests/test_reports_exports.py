"""Open data carries no resident's identity; the complete export is the secretary's and is audited."""

import io
import zipfile

from sqlalchemy import select

from app.accounts.models import Membership, Role, RoleAssignment, User
from app.core.audit import AuditEntry
from app.demo import load_demo
from app.extensions import db
from app.org.models import Community
from tests.factories import login_as


def test_open_data_holds_no_phone_email_or_full_name_of_any_resident(client):
    assert load_demo()
    db.session.commit()
    # Residents: members of a household. Deputies and staff are public office holders (a
    # reception's title names its deputy), so only residents are scanned for.
    staff = select(RoleAssignment.user_id).where(RoleAssignment.role != Role.RESIDENT)
    people = db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id).where(User.id.not_in(staff))
    ).all()
    assert len(people) > 100
    needles = set()
    for u in people:
        needles.update(x for x in (u.phone, u.email, u.display_name) if x and len(x) >= 3)
    for community in db.session.scalars(select(Community)).all():
        data = client.get(f"/reports/community/{community.id}/open-data").data
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = zf.namelist()
            assert "data_dictionary.csv" in names and "suggestions.json" in names
            for name in names:
                content = zf.read(name).decode("utf-8-sig")
                leaked = [n for n in needles if n in content]
                assert leaked == [], f"{name} leaks {leaked[:3]}"


def test_the_complete_export_is_audited_as_a_view_of_personal_data(client):
    assert load_demo()
    db.session.commit()
    community = db.session.scalars(select(Community).order_by(Community.id)).first()
    secretary = db.session.scalar(
        select(User)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.role == Role.SECRETARY, RoleAssignment.community_id == community.id)
    )
    login_as(client, secretary)
    data = client.get(f"/reports/community/{community.id}/export").data
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        users = zf.read("users.csv").decode("utf-8-sig")
        assert secretary.phone in users and "password_hash" not in users
        assert "suggestions.csv" in zf.namelist() and "ballots.csv" in zf.namelist()
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "personal_data.export")
    ).all()
    assert [(e.actor_id, e.community_id) for e in entries] == [(secretary.id, community.id)]
