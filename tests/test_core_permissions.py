"""Who may do what, where: every protected page asked as each kind of user."""

import pytest

from app.accounts.models import Role
from app.accounts.permissions import roles_in
from app.org.models import BodyKind
from app.pacts import permissions as pact_permissions


def test_roles_are_per_community(make):
    a, b = make.community(), make.community()
    secretary = make.user("secretary", a)
    resident = make.user("resident", a)
    assert roles_in(secretary, a) == {Role.SECRETARY}
    assert roles_in(secretary, b) == frozenset()
    assert roles_in(resident, a) == {Role.RESIDENT}
    assert not pact_permissions.can_manage(secretary, b)
    assert pact_permissions.can_manage(secretary, a)


def test_deputy_acts_in_the_communities_their_station_serves(make):
    a, b, c = make.community(), make.community(), make.community()
    station = make.station([a, b])
    deputy = make.user("deputy", station=station)
    assert Role.DEPUTY in roles_in(deputy, a) and Role.DEPUTY in roles_in(deputy, b)
    assert roles_in(deputy, c) == frozenset()


def test_subdistrict_office_handler_serves_every_community_of_its_subdistrict(make):
    a = make.community()
    b = make.community(subdistrict_=a.subdistrict)
    elsewhere = make.community()
    office = make.body(None, BodyKind.SUBDISTRICT_OFFICE, subdistrict_=a.subdistrict)
    handler = make.user("handler", body=office)
    assert Role.HANDLER in roles_in(handler, a) and Role.HANDLER in roles_in(handler, b)
    assert roles_in(handler, elsewhere) == frozenset()
    company = make.body(a, BodyKind.PROPERTY_COMPANY)
    company_handler = make.user("handler", body=company)
    assert Role.HANDLER in roles_in(company_handler, a)
    assert roles_in(company_handler, b) == frozenset()


COMMUNITY_PAGES = [
    # (url pattern, who gets 200)
    ("/communities/{c}/members", {"secretary"}),
    ("/communities/{c}/members/requests", {"secretary"}),
    ("/communities/{c}/invitations", {"secretary"}),
    ("/communities/{c}/audit", {"secretary", "admin"}),
]
ADMIN_PAGES = [
    "/admin/org",
    "/admin/roles",
    "/admin/communities/new",
    "/admin/stations/new",
    "/admin/bodies/new",
    "/admin/communities/{c}/buildings",
    "/admin/communities/{c}/edit",
    "/audit",
]


@pytest.fixture
def people(make):
    community, other = make.community(), make.community()
    return community, {
        "resident of another community": make.user("resident", other),
        "secretary of another community": make.user("secretary", other),
        "resident": make.user("resident", community),
        "deputy": make.user("deputy", community),
        "handler": make.user("handler", community),
        "secretary": make.user("secretary", community),
        "admin": make.user("admin"),
    }


@pytest.mark.parametrize(("pattern", "allowed"), COMMUNITY_PAGES)
def test_community_pages_answer_each_role(client, login, people, pattern, allowed):
    community, users = people
    url = pattern.format(c=community.id)
    assert client.get(url).status_code == 302  # anonymous: to the log-in page
    for label, user in users.items():
        login(user)
        expected = 200 if label in allowed else 403
        assert client.get(url).status_code == expected, (label, url)


@pytest.mark.parametrize("pattern", ADMIN_PAGES)
def test_admin_pages_are_for_admins_only(client, login, people, pattern):
    community, users = people
    url = pattern.format(c=community.id)
    assert client.get(url).status_code == 302
    for label, user in users.items():
        login(user)
        assert client.get(url).status_code == (200 if label == "admin" else 403), (label, url)


def test_public_pages_need_no_account(client, people):
    community, users = people
    for url in [
        "/",
        "/communities",
        f"/communities/{community.id}",
        "/privacy",
        "/about",
        "/login",
        "/register",
    ]:
        assert client.get(url).status_code == 200, url


def test_unknown_ids_give_a_friendly_404(client, people, login):
    community, users = people
    login(users["admin"])
    for url in [
        "/communities/99999",
        "/communities/99999/audit",
        "/admin/communities/99999/edit",
        "/stations/99999",
    ]:
        response = client.get(url)
        assert response.status_code == 404
        assert "Traceback" not in response.get_data(as_text=True)


def test_a_membership_added_after_the_roles_were_read_shows_in_the_household_and_roles(make):
    # The role map fills `user.memberships` from its own query; a later write must not leave
    # the user with the list as it was before.
    from app.accounts.models import Membership, MembershipStatus
    from app.extensions import db

    c = make.community()
    home = make.household(community_=c)
    user = make.user()
    assert roles_in(user, c) == frozenset()
    assert user.household is None
    db.session.add(
        Membership(
            user_id=user.id, household_id=home.id, status=MembershipStatus.ACTIVE, via="code"
        )
    )
    db.session.flush()
    assert user.household == home
    assert roles_in(user, c) == {Role.RESIDENT}


def test_a_role_assigned_after_the_roles_were_read_shows_in_the_users_roles(make):
    from app.accounts.models import RoleAssignment
    from app.accounts.permissions import communities_where
    from app.extensions import db

    c = make.community()
    user = make.user()
    assert communities_where(user, [Role.SECRETARY]) == []
    assert not user.roles and not user.is_admin
    db.session.add(RoleAssignment(user_id=user.id, role=Role.ADMIN))
    db.session.flush()
    assert user.is_admin
    assert c.id in [ref.id for ref in communities_where(user, [Role.ADMIN])]


def test_communities_where_sees_a_community_made_in_the_same_request(make):
    from app.accounts.permissions import communities_where
    from app.extensions import db

    admin = make.user("admin")
    before = communities_where(admin, [Role.ADMIN])
    made = make.community()
    db.session.flush()
    assert communities_where(admin, [Role.ADMIN]) == sorted(
        [*before, (made.id, made.name)], key=lambda c: (c[1], c[0])
    )


def test_the_bodies_and_stations_of_a_user_come_in_the_order_of_appointment(make):
    from app.accounts.models import RoleAssignment
    from app.accounts.permissions import body_ids_handled_by, station_ids_of_deputy
    from app.extensions import db

    c = make.community()
    first, second = make.body(c, BodyKind.PROPERTY_COMPANY), make.body(c, BodyKind.PROPERTY_COMPANY)
    handler = make.user("handler", body=second)
    db.session.add(RoleAssignment(user_id=handler.id, role=Role.HANDLER, body_id=first.id))
    db.session.flush()
    assert body_ids_handled_by(handler) == [second.id, first.id]
    assert station_ids_of_deputy(handler) == []
    station = make.station([c])
    deputy = make.user("deputy", station=station)
    assert station_ids_of_deputy(deputy) == [station.id]
    assert body_ids_handled_by(deputy) == []
