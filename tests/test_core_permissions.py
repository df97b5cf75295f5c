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
