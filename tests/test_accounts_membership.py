"""Joining a household: one-time codes (每户一码) and requests the secretary decides."""

import re

from sqlalchemy import func, select

from app.accounts.models import Invitation, Membership, MembershipStatus
from app.core.audit import AuditEntry
from app.core.notifications import Notification
from tests.factories import zh


def codes_on(page: str) -> list[str]:
    return re.findall(r'<p class="code">([A-Z0-9]{4}-[A-Z0-9]{4})</p>', page)


def print_codes(client, community, buildings):
    return client.post(
        f"/communities/{community.id}/invitations",
        data={"buildings": [b.id for b in buildings], "only_without_code": "y"},
    )


def test_secretary_prints_one_code_per_household_of_chosen_buildings(client, db, make, login):
    community = make.community()
    first, second = make.building(community, households=4), make.building(community, households=3)
    login(make.user("secretary", community))
    response = print_codes(client, community, [first])
    assert response.status_code == 200
    codes = codes_on(response.get_data(as_text=True))
    assert len(codes) == 4 == len(set(codes))
    assert db.session.scalar(select(func.count(Invitation.id))) == 4
    # Printing again for households that still have an unused code makes none twice.
    again = codes_on(print_codes(client, community, [first, second]).get_data(as_text=True))
    assert len(again) == 3
    assert db.session.scalar(
        select(AuditEntry.detail).where(AuditEntry.action == "invitation.create").limit(1)
    )


def test_only_the_communitys_secretary_prints_codes(client, make, login):
    community, other = make.community(), make.community()
    building = make.building(community, households=2)
    for user in (
        make.user("secretary", other),
        make.user("resident", community),
        make.user("admin"),
    ):
        login(user)
        assert client.get(f"/communities/{community.id}/invitations").status_code == 403
        assert print_codes(client, community, [building]).status_code == 403
    client.post("/logout")
    assert client.get(f"/communities/{community.id}/invitations").status_code == 302


def test_redeeming_a_code_binds_the_account_to_the_household(client, db, make, login):
    household = make.household()
    invitation = Invitation(code="ABCD-EFGH", household_id=household.id)
    db.session.add(invitation)
    user = make.user()
    login(user)
    response = client.post("/join", data={"code-code": "abcd efgh"})
    assert response.status_code == 303
    assert user.household.id == household.id
    assert invitation.redeemed_by_id == user.id
    assert db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "membership.redeem_code")
    )


def _escaped(text: str) -> str:
    return text.replace("'", "&#39;")


def test_used_unknown_and_withdrawn_codes_are_refused_with_clear_messages(client, db, make, login):
    from app.core.time import utcnow

    household = make.household()
    used = Invitation(code="USED-0001", household_id=household.id, redeemed_at=utcnow())
    withdrawn = Invitation(code="GONE-0001", household_id=household.id, revoked_at=utcnow())
    db.session.add_all([used, withdrawn])
    login(make.user())
    # A used or withdrawn code is an illegal move of the code (409); an unknown one is bad input.
    for code, status, message in [
        (
            "USED-0001",
            409,
            "That code has already been used. Each code joins one account; ask your residents' committee for another.",
        ),
        (
            "NOPE-0001",
            400,
            "That code is not known. Check it against your slip, or ask your residents' committee.",
        ),
        (
            "GONE-0001",
            409,
            "That code has been withdrawn. Ask your residents' committee for a new one.",
        ),
    ]:
        for lang, expected in (("zh_Hans_CN", zh(message)), ("en", message)):
            client.set_cookie("lang", lang)
            response = client.post("/join", data={"code-code": code})
            assert response.status_code == status
            page = response.get_data(as_text=True)
            assert _escaped(expected) in page
            assert f'value="{code}"' in page
    assert db.session.scalar(select(func.count(Membership.id))) == 0


def test_a_second_request_while_one_waits_is_refused_and_the_note_kept(client, db, make, login):
    building = make.building(households=2)
    login(make.user())
    client.post("/join", data={"req-building": building.id, "req-number": "101"})
    message = "You already have a request waiting for the secretary."
    for lang, expected in (("zh_Hans_CN", zh(message)), ("en", message)):
        client.set_cookie("lang", lang)
        response = client.post(
            "/join", data={"req-building": building.id, "req-number": "102", "req-note": "再问"}
        )
        assert response.status_code == 409
        page = response.get_data(as_text=True)
        assert _escaped(expected) in page and "再问" in page and 'value="102"' in page
    assert db.session.scalar(select(func.count(Membership.id))) == 1


def test_request_is_sent_to_the_secretary_who_approves_it(client, db, make, login):
    community = make.community()
    building = make.building(community, households=2)
    secretary = make.user("secretary", community)
    resident = make.user()
    login(resident)
    response = client.post(
        "/join", data={"req-building": building.id, "req-number": "101", "req-note": "新搬来"}
    )
    assert response.status_code == 303
    membership = db.session.scalar(select(Membership))
    assert membership.status == MembershipStatus.PENDING
    assert db.session.scalar(select(Notification).where(Notification.user_id == secretary.id))

    login(secretary)
    page = client.get(f"/communities/{community.id}/members/requests").get_data(as_text=True)
    assert resident.display_name in page and "新搬来" in page
    response = client.post(
        f"/communities/{community.id}/members/requests/{membership.id}",
        data={"decision": "approve"},
    )
    assert response.status_code == 303
    assert membership.status == MembershipStatus.ACTIVE
    note = db.session.scalar(select(Notification).where(Notification.user_id == resident.id))
    assert "101" in note.text


def test_refusal_carries_the_reason_to_the_resident(client, db, make, login):
    community = make.community()
    building = make.building(community, households=1)
    secretary = make.user("secretary", community)
    resident = make.user()
    login(resident)
    client.post("/join", data={"req-building": building.id, "req-number": "101"})
    membership = db.session.scalar(select(Membership))
    login(secretary)
    client.post(
        f"/communities/{community.id}/members/requests/{membership.id}",
        data={"decision": "refuse", "reason": "查无此人"},
    )
    assert membership.status == MembershipStatus.REFUSED
    assert (
        "查无此人"
        in db.session.scalar(select(Notification).where(Notification.user_id == resident.id)).text
    )


def test_unknown_flat_number_is_refused_and_input_kept(client, db, make, login):
    building = make.building(households=1)
    login(make.user())
    response = client.post(
        "/join", data={"req-building": building.id, "req-number": "999", "req-note": "我的备注"}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "我的备注" in page and 'value="999"' in page
    assert db.session.scalar(select(func.count(Membership.id))) == 0


def test_secretary_of_another_community_cannot_decide(client, db, make, login):
    community, other = make.community(), make.community()
    household = make.household(community_=community)
    membership = Membership(user_id=make.user().id, household_id=household.id)
    db.session.add(membership)
    login(make.user("secretary", other))
    response = client.post(
        f"/communities/{community.id}/members/requests/{membership.id}",
        data={"decision": "approve"},
    )
    assert response.status_code == 403
    # Through its own community's URL the membership is not found either.
    response = client.post(
        f"/communities/{other.id}/members/requests/{membership.id}", data={"decision": "approve"}
    )
    assert response.status_code == 404
    assert membership.status == MembershipStatus.PENDING


def test_member_list_is_for_the_secretary_and_each_look_is_audited(client, db, make, login):
    community = make.community()
    resident = make.user("resident", community, phone="13911112222")
    login(resident)
    assert client.get(f"/communities/{community.id}/members").status_code == 403
    login(make.user("secretary", community))
    page = client.get(f"/communities/{community.id}/members").get_data(as_text=True)
    assert "13911112222" in page
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "personal_data.members")
    )
    assert entry.community_id == community.id


def test_a_resident_can_export_and_delete_their_data(client, db, make, login):
    resident = make.user("resident", phone="13911112222", name="王秀英")
    login(resident)
    response = client.get("/account/export.json")
    assert response.status_code == 200
    assert response.json["account"]["phone"] == "13911112222"
    assert response.headers["Cache-Control"] == "no-store"
    response = client.post("/account/delete", data={"del-password": "wrong-one-123"})
    assert response.status_code == 400
    assert resident.deleted_at is None
    response = client.post("/account/delete", data={"del-password": "correct-horse-42"})
    assert response.status_code == 303
    assert (
        resident.deleted_at is not None and resident.phone is None and resident.display_name == ""
    )
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"personal_data.export", "user.delete"} <= actions


def test_secretary_withdraws_a_lost_sheet_and_those_codes_stop_working(client, db, make, login):
    community = make.community()
    building = make.building(community, households=2)
    other_building = make.building(make.community(), households=1)
    secretary = make.user("secretary", community)
    login(secretary)
    codes = codes_on(print_codes(client, community, [building]).get_data(as_text=True))
    assert 'name="building"' in client.get(f"/communities/{community.id}/invitations").get_data(
        as_text=True
    )
    # Another community's building is not this secretary's to touch.
    assert (
        client.post(
            f"/communities/{community.id}/invitations/withdraw",
            data={"building": other_building.id},
        ).status_code
        == 404
    )
    response = client.post(
        f"/communities/{community.id}/invitations/withdraw", data={"building": building.id}
    )
    assert response.status_code == 303
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "invitation.withdraw"))
    login(make.user())
    response = client.post("/join", data={"code-code": codes[0]})
    assert response.status_code == 409
    assert _escaped(
        zh("That code has been withdrawn. Ask your residents' committee for a new one.")
    ) in response.get_data(as_text=True)


def test_secretary_ends_a_membership_with_a_reason_the_resident_is_told(client, db, make, login):
    community = make.community()
    resident = make.user("resident", community)
    membership = resident.active_membership
    login(make.user("secretary", make.community()))
    assert (
        client.post(
            f"/communities/{community.id}/members/{membership.id}/end", data={"reason": "已搬离"}
        ).status_code
        == 403
    )
    login(make.user("secretary", community))
    message = "Give a reason (at most 200 characters); the resident is told."
    for lang, expected in (("zh_Hans_CN", zh(message)), ("en", message)):
        client.set_cookie("lang", lang)
        response = client.post(
            f"/communities/{community.id}/members/{membership.id}/end", data={"reason": " "}
        )
        assert response.status_code == 400
        assert _escaped(expected) in response.get_data(as_text=True)
        assert membership.status == MembershipStatus.ACTIVE
    assert not db.session.scalar(select(AuditEntry).where(AuditEntry.action == "membership.end"))
    client.set_cookie("lang", "zh_Hans_CN")
    client.post(
        f"/communities/{community.id}/members/{membership.id}/end", data={"reason": "已搬离"}
    )
    assert membership.status == MembershipStatus.ENDED
    assert (
        "已搬离"
        in db.session.scalar(select(Notification).where(Notification.user_id == resident.id)).text
    )
    assert (
        db.session.scalar(select(AuditEntry).where(AuditEntry.action == "membership.end")).detail
        == "已搬离"
    )


def test_log_ins_and_preference_changes_are_audited(client, db, make):
    make.user(phone="13912345678")
    client.post("/login", data={"identifier": "13912345678", "password": make.PASSWORD})
    client.post("/language", data={"lang": "en"})
    client.post("/text-size", data={"size": "large"})
    actions = list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == ["user.login", "user.preferences", "user.preferences"]
