"""The audit log is append-only and readable per community; public names are masked."""

import pytest
from sqlalchemy import select

from app.accounts.names import mask, public_name
from app.core import audit
from app.core.audit import AuditEntry


def test_audit_entries_cannot_be_changed_or_deleted(db, make):
    community = make.community()
    entry = audit.record("test.thing", community, community=community, detail="first")
    db.session.commit()
    entry.detail = "rewritten"
    with pytest.raises(RuntimeError):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(RuntimeError):
        db.session.delete(db.session.get(AuditEntry, entry.id))
        db.session.flush()


def test_secretary_reads_and_filters_own_community_log_only(client, db, make, login):
    community, other = make.community(), make.community()
    audit.record("membership.approve", community, community=community, detail="here")
    audit.record("vote.open", community, community=community, detail="also here")
    audit.record("membership.approve", other, community=other, detail="elsewhere")
    login(make.user("secretary", community))
    page = client.get(f"/communities/{community.id}/audit").get_data(as_text=True)
    assert "here" in page and "elsewhere" not in page
    page = client.get(f"/communities/{community.id}/audit?kind=votes").get_data(as_text=True)
    assert "also here" in page and ">here<" not in page
    assert client.get(f"/communities/{other.id}/audit").status_code == 403


def test_operations_write_the_audit_log(db, make):
    from app.accounts.models import Role
    from app.accounts.operations import appoint, leave_household, update_profile

    admin, resident = make.user("admin"), make.user("resident")
    community = make.community()
    appoint(resident, Role.SECRETARY, actor=admin, community=community)
    update_profile(resident, "新名字")
    leave_household(resident)
    actions = [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == ["role.appoint", "user.update_profile", "membership.leave"]


def test_mask_keeps_only_the_first_character():
    assert mask("张伟") == "张**"
    assert mask("Anna Müller") == "A**"
    assert mask("") == "**"


def test_public_sees_masked_name_and_building_secretary_sees_full_name(db, make):
    community = make.community()
    building = make.building(community, name="3号楼")
    resident = make.user("resident", community, name="张伟", building=building)
    visitor = make.user()
    secretary = make.user("secretary", community)
    other_secretary = make.user("secretary", make.community())
    assert public_name(resident, community, viewer=visitor) == "张** · 3号楼"
    assert public_name(resident, community, viewer=other_secretary) == "张** · 3号楼"
    assert public_name(resident, community, viewer=secretary) == "张伟 · 3号楼"
    assert public_name(resident, community, viewer=resident) == "张伟 · 3号楼"
    assert public_name(resident, community, viewer=resident, public=True) == "张** · 3号楼"
