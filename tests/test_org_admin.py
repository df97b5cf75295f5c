"""Admins build the organisation: communities, buildings with households, stations, bodies."""

import pytest
from sqlalchemy import func, select

from app.core.audit import AuditEntry
from app.org.forms import parse_numbers
from app.org.models import Body, Community, Household, Station, Subdistrict
from tests.factories import zh


def test_parse_numbers_reads_ranges_and_singles():
    assert parse_numbers("101-103, 201，301、302") == ["101", "102", "103", "201", "301", "302"]
    assert parse_numbers("101-102, 101") == ["101", "102"]
    assert parse_numbers("") == []
    for bad in ["105-101", "a-b", "1-9999"]:
        with pytest.raises(ValueError):
            parse_numbers(bad)


def test_admin_creates_a_community_with_buildings_and_households(client, db, make, login):
    subdistrict = make.subdistrict()
    login(make.user("admin"))
    response = client.post(
        "/admin/communities/new",
        data={
            "subdistrict": subdistrict.id,
            "name": "梅园居民区",
            "kind": "sold_public",
            "address": "番禺路",
        },
    )
    assert response.status_code == 303
    community = db.session.scalar(select(Community).where(Community.name == "梅园居民区"))
    response = client.post(
        f"/admin/communities/{community.id}/buildings",
        data={"name": "3号楼", "unit": "", "households": "101-104, 201-204"},
    )
    assert response.status_code == 303
    assert db.session.scalar(select(func.count(Household.id))) == 8
    # Adding more flats to the same building keeps the existing ones.
    client.post(
        f"/admin/communities/{community.id}/buildings",
        data={"name": "3号楼", "households": "204, 301"},
    )
    assert db.session.scalar(select(func.count(Household.id))) == 9
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"community.create", "building.save"} <= actions


def test_bad_building_input_is_explained_and_kept(client, db, make, login):
    community = make.community()
    login(make.user("admin"))
    response = client.post(
        f"/admin/communities/{community.id}/buildings",
        data={"name": "5号楼", "households": "301-201"},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "301-201" in page and 'value="5号楼"' in page
    assert db.session.scalar(select(func.count(Household.id))) == 0


def test_duplicate_community_name_is_refused_and_the_form_kept(client, db, make, login):
    community = make.community(name="梅园居民区")
    login(make.user("admin"))
    message = "This subdistrict has a community with this name already."
    for lang, expected in (("zh_Hans_CN", zh(message)), ("en", message)):
        client.set_cookie("lang", lang)
        response = client.post(
            "/admin/communities/new",
            data={
                "subdistrict": community.subdistrict_id,
                "name": "梅园居民区",
                "kind": "commercial",
                "address": "梅园路1号",
            },
        )
        assert response.status_code == 409
        page = response.get_data(as_text=True)
        assert expected in page and 'value="梅园路1号"' in page
    assert db.session.scalar(select(func.count(Community.id))) == 1


def test_duplicate_subdistrict_is_refused_beside_its_name(client, db, make, login):
    make.subdistrict(name="天平路街道")
    login(make.user("admin"))
    message = "A subdistrict with this name exists already."
    for lang, expected in (("zh_Hans_CN", zh(message)), ("en", message)):
        client.set_cookie("lang", lang)
        response = client.post("/admin/org", data={"name": "天平路街道"})
        assert response.status_code == 409
        page = response.get_data(as_text=True)
        assert expected in page and 'value="天平路街道"' in page
    assert db.session.scalar(select(func.count(Subdistrict.id))) == 1
    assert not db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "subdistrict.create")
    )


def test_admin_creates_a_station_serving_two_communities_and_a_body(client, db, make, login):
    a = make.community()
    b = make.community(subdistrict_=a.subdistrict)
    login(make.user("admin"))
    response = client.post(
        "/admin/stations/new",
        data={
            "subdistrict": a.subdistrict_id,
            "name": "联络站",
            "address": "",
            "communities": [a.id, b.id],
        },
    )
    assert response.status_code == 303
    station = db.session.scalar(select(Station))
    assert {c.id for c in station.communities} == {a.id, b.id}
    response = client.post(
        "/admin/bodies/new",
        data={
            "subdistrict": a.subdistrict_id,
            "kind": "property_company",
            "community": 0,
            "name": "物业",
        },
    )
    assert response.status_code == 400  # a property company serves one community
    response = client.post(
        "/admin/bodies/new",
        data={
            "subdistrict": a.subdistrict_id,
            "kind": "property_company",
            "community": a.id,
            "name": "物业",
        },
    )
    assert response.status_code == 303
    assert db.session.scalar(select(Body)).community_id == a.id


def test_admin_appoints_and_revokes_a_secretary(client, db, make, login):
    from app.accounts.models import Role, RoleAssignment

    community = make.community()
    person = make.user(phone="13955556666")
    admin = make.user("admin")
    login(admin)
    response = client.post(
        "/admin/roles",
        data={
            "user": "13955556666",
            "role": "secretary",
            "community": community.id,
            "station": 0,
            "body": 0,
        },
    )
    assert response.status_code == 303
    assignment = db.session.scalar(
        select(RoleAssignment).where(RoleAssignment.user_id == person.id)
    )
    assert assignment.role == Role.SECRETARY and assignment.community_id == community.id
    response = client.post(
        "/admin/roles", data={"user": "13900000000", "role": "secretary", "community": community.id}
    )
    assert response.status_code == 400
    response = client.post(
        "/admin/roles", data={"user": "13955556666", "role": "deputy", "station": 0}
    )
    assert response.status_code == 400  # a deputy needs a station
    client.post(f"/admin/roles/{assignment.id}/revoke")
    assert (
        db.session.scalar(select(RoleAssignment).where(RoleAssignment.user_id == person.id)) is None
    )
