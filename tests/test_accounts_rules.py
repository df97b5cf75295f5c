"""Accounts' rules in one place: membership and code moves, who may do what, operations' checks."""

import pytest
from sqlalchemy import func, select

from app.accounts.models import Invitation, Membership, MembershipStatus, Role, RoleAssignment
from app.accounts.operations import (
    appoint,
    create_invitations,
    decide_membership,
    end_membership,
    revoke,
    withdraw_invitations,
)
from app.accounts.permissions import (
    can_appoint_roles,
    can_approve_memberships,
    can_export_data,
    can_print_invitations,
    can_read_audit,
    can_view_members,
)
from app.core.errors import Conflict, InvalidInput, NotAllowed
from app.core.time import utcnow
from app.org.permissions import can_manage_org
from tests.factories import zh


def _pending(db, make, community=None):
    household = make.household(community_=community)
    membership = Membership(user_id=make.user().id, household_id=household.id)
    db.session.add(membership)
    db.session.commit()
    return membership


def test_a_request_is_decided_once(db, make):
    secretary = make.user("secretary")
    membership = _pending(db, make)
    membership.approve(secretary)
    assert membership.status == MembershipStatus.ACTIVE and membership.decided_by_id == secretary.id
    for move in (lambda: membership.approve(secretary), lambda: membership.refuse(secretary)):
        with pytest.raises(Conflict) as refused:
            move()
        assert str(refused.value.message) == zh("This request has already been decided.")


def test_refusing_keeps_the_reason_and_ending_needs_an_active_membership(db, make):
    secretary = make.user("secretary")
    membership = _pending(db, make)
    with pytest.raises(Conflict):
        membership.end(secretary, "moved")
    membership.refuse(secretary, "  查无此人 ")
    assert membership.status == MembershipStatus.REFUSED and membership.refusal_reason == "查无此人"
    with pytest.raises(Conflict):
        membership.end()


def test_an_ended_membership_cannot_end_again(db, make):
    resident = make.user("resident")
    membership = resident.active_membership
    membership.end()
    assert membership.status == MembershipStatus.ENDED and not membership.is_current
    with pytest.raises(Conflict) as refused:
        membership.end()
    assert refused.value.status == 409


def test_approving_someone_already_in_another_household_is_refused(db, make):
    membership = _pending(db, make)
    db.session.add(
        Membership(
            user_id=membership.user_id,
            household_id=make.household().id,
            status=MembershipStatus.ACTIVE,
        )
    )
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        membership.approve(make.user("secretary"))
    assert str(refused.value.message) == zh("This person is already a member of another household.")


def test_a_code_is_usable_until_redeemed_or_withdrawn_in_python_and_sql(db, make):
    household = make.household()
    fresh = Invitation(code="AAAA-0001", household_id=household.id)
    used = Invitation(code="AAAA-0002", household_id=household.id, redeemed_at=utcnow())
    gone = Invitation(code="AAAA-0003", household_id=household.id, revoked_at=utcnow())
    db.session.add_all([fresh, used, gone])
    db.session.commit()
    assert [fresh.is_usable, used.is_usable, gone.is_usable] == [True, False, False]
    assert db.session.scalars(select(Invitation.code).where(Invitation.is_usable)).all() == [
        "AAAA-0001"
    ]
    for invitation in (used, gone):
        with pytest.raises(Conflict):
            invitation.redeem(make.user())
        with pytest.raises(Conflict):
            invitation.withdraw()


def test_redeeming_binds_once_and_refuses_a_member_of_another_household(db, make):
    invitation = Invitation(code="BBBB-0001", household_id=make.household().id)
    db.session.add(invitation)
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        invitation.redeem(make.user("resident"))
    assert str(refused.value.message) == zh(
        "You are already a member of a household. Leave it first from your account page."
    )
    assert invitation.is_usable
    user = make.user()
    membership = invitation.redeem(user)
    assert membership.status == MembershipStatus.ACTIVE and membership.joined_by_code
    assert invitation.redeemed_by_id == user.id and not invitation.is_usable


def test_who_may_do_what_in_a_community(make):
    community, other = make.community(), make.community()
    secretary = make.user("secretary", community)
    resident = make.user("resident", community)
    admin = make.user("admin")
    for predicate in (
        can_approve_memberships,
        can_print_invitations,
        can_view_members,
        can_export_data,
    ):
        assert predicate(secretary, community)
        assert not predicate(secretary, other)
        assert not predicate(resident, community)
        assert not predicate(admin, community)
    assert can_read_audit(secretary, community) and can_read_audit(admin, community)
    assert not can_read_audit(resident, community) and not can_read_audit(secretary, other)
    # The whole log, appointments and the organisation are the admin's.
    assert can_read_audit(admin) and not can_read_audit(secretary)
    assert can_appoint_roles(admin) and not can_appoint_roles(secretary)
    assert can_manage_org(admin) and not can_manage_org(secretary)
    assert not can_manage_org(None)


def test_operations_check_their_actor_themselves(db, make):
    community = make.community()
    building = make.building(community, households=2)
    resident = make.user("resident", household=building.households[0])
    stranger = make.user("secretary", make.community())
    membership = _pending(db, make, community)
    with pytest.raises(NotAllowed):
        decide_membership(membership, True, stranger)
    with pytest.raises(NotAllowed):
        end_membership(resident.active_membership, actor=stranger, reason="搬走了")
    with pytest.raises(NotAllowed):
        create_invitations(community, [building], only_without_code=False, actor=stranger)
    with pytest.raises(NotAllowed):
        withdraw_invitations(building, actor=stranger)
    with pytest.raises(NotAllowed):
        appoint(resident, Role.ADMIN, actor=stranger)
    db.session.rollback()
    assert db.session.scalar(select(func.count(Invitation.id))) == 0
    assert membership.status == MembershipStatus.PENDING


def test_ending_a_membership_needs_a_short_reason(db, make):
    community = make.community()
    resident = make.user("resident", community)
    secretary = make.user("secretary", community)
    for reason in ("", "  ", "x" * 201):
        with pytest.raises(InvalidInput):
            end_membership(resident.active_membership, actor=secretary, reason=reason)
    assert resident.active_membership is not None


def test_an_admin_cannot_remove_their_own_admin_role(client, db, make, login):
    admin = make.user("admin")
    assignment = db.session.scalar(select(RoleAssignment).where(RoleAssignment.user_id == admin.id))
    with pytest.raises(Conflict):
        revoke(assignment, actor=admin)
    db.session.rollback()
    login(admin)
    message = "You cannot remove your own administrator role."
    for lang, expected in (("zh_Hans_CN", zh(message)), ("en", message)):
        client.set_cookie("lang", lang)
        response = client.post(f"/admin/roles/{assignment.id}/revoke")
        assert response.status_code == 409
        assert expected in response.get_data(as_text=True)
    assert db.session.get(RoleAssignment, assignment.id) is not None


def test_a_refused_appointment_keeps_the_form(client, db, make, login):
    login(make.user("admin"))
    response = client.post(
        "/admin/roles", data={"user": "13999999999", "role": "admin", "title": "街道干部"}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert zh("No account with that phone or e-mail. Ask the person to register first.") in page
    assert 'value="街道干部"' in page
