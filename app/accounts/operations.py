"""Every write about accounts: registration, membership, invitations, roles, privacy.

Each operation takes the acting user and checks what it may do itself (a `can_*` predicate of
`accounts/permissions.py`); a refusal is a `DomainError` (`core/errors.py`). Operations flush,
never commit: the request lifecycle commits once (`core/lifecycle.py`), the CLI commits itself.
"""

import secrets
from typing import Any

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts.models import (
    Consent,
    Invitation,
    Membership,
    Role,
    RoleAssignment,
    User,
)
from app.accounts.permissions import (
    can_appoint_roles,
    can_approve_memberships,
    can_print_invitations,
    clear_cache,
)
from app.accounts.queries import secretaries_of
from app.core import audit
from app.core.errors import Conflict, InvalidInput, NotAllowed
from app.core.notifications import N_, notify
from app.core.privacy import forget_addresses
from app.core.registry import registered
from app.core.time import utcnow
from app.extensions import db
from app.org.models import Building, Community, Household

# Codes avoid characters that are easy to confuse on paper (0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
#: The longest reason a secretary may give for ending or refusing a membership.
REASON_MAX = 200


def _allowed(allowed: bool) -> None:
    if not allowed:
        raise NotAllowed()


def register_user(display_name: str, password: str, *, phone=None, email=None, locale=None) -> User:
    """Create an account and record the consent to the current privacy notice."""
    user = User(
        display_name=display_name.strip(), phone=phone or None, email=email or None, locale=locale
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    db.session.add(
        Consent(user_id=user.id, notice_version=current_app.config["PRIVACY_NOTICE_VERSION"])
    )
    audit.record("user.register", user, actor=user)
    return user


def log_in(user: User) -> None:
    """Note a successful log-in (the view has checked the password and logged the user in)."""
    user.last_login_at = utcnow()
    audit.record("user.login", user, actor=user)


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def create_invitations(
    community: Community, buildings: list[Building], *, only_without_code: bool, actor: User
) -> list[Invitation]:
    """Make one unused invitation code per household of the chosen buildings (每户一码)."""
    _allowed(can_print_invitations(actor, community))
    if any(b.community_id != community.id for b in buildings):
        raise NotAllowed()
    created: list[Invitation] = []
    for building in buildings:
        for household in building.households:
            if only_without_code:
                existing = db.session.scalar(
                    select(Invitation.id).where(
                        Invitation.household_id == household.id, Invitation.is_usable
                    )
                )
                if existing:
                    continue
            invitation = Invitation(
                code=new_code(), household_id=household.id, created_by_id=actor.id
            )
            db.session.add(invitation)
            created.append(invitation)
        db.session.flush()
        audit.record(
            "invitation.create",
            building,
            community=building.community_id,
            actor=actor,
            detail=f"{len([i for i in created if i.household.building_id == building.id])} codes for {building.label}",
        )
    return created


def redeem_invitation(user: User, invitation: Invitation | None) -> Membership:
    """Bind `user` to the household named by an unused invitation code."""
    if invitation is None:
        raise InvalidInput(
            _l(
                "That code is not known. Check it against your slip, or ask your residents' committee."
            )
        )
    membership = invitation.redeem(user)
    db.session.add(membership)
    db.session.flush()
    clear_cache()
    community_id = invitation.household.building.community_id
    audit.record(
        "membership.redeem_code",
        membership,
        community=community_id,
        actor=user,
        detail=f"household {invitation.household.label}",
    )
    return membership


def request_membership(user: User, household: Household | None, note: str = "") -> Membership:
    """Ask the community's secretary to approve `user` as a member of `household`."""
    if household is None:
        raise InvalidInput(
            _l(
                "There is no flat with that number in this building. Check the number, or ask your residents' committee."
            )
        )
    user.ensure_can_join()
    if user.pending_membership is not None:
        raise Conflict(_l("You already have a request waiting for the secretary."))
    membership = Membership(
        user_id=user.id, household_id=household.id, note=note.strip(), via="request"
    )
    db.session.add(membership)
    db.session.flush()
    community_id = household.building.community_id
    audit.record(
        "membership.request",
        membership,
        community=community_id,
        actor=user,
        detail=f"household {household.label}",
    )
    notify(
        secretaries_of(community_id),
        N_("A resident asked to join household %(household)s."),
        link=url_for("accounts.membership_requests", community_id=community_id),
        household=household.label,
    )
    return membership


def decide_membership(
    membership: Membership, approve: bool, actor: User, reason: str = ""
) -> Membership:
    """Approve or refuse a pending membership request."""
    _allowed(can_approve_memberships(actor, membership.community))
    if approve:
        membership.approve(actor)
    else:
        membership.refuse(actor, reason)
    db.session.flush()
    clear_cache()
    audit.record(
        "membership.approve" if approve else "membership.refuse",
        membership,
        community=membership.community.id,
        actor=actor,
        detail=reason[:200],
    )
    if approve:
        notify(
            membership.user,
            N_("You are now a member of household %(household)s."),
            link=url_for("core.home"),
            household=membership.household.label,
        )
    else:
        notify(
            membership.user,
            N_("Your request to join household %(household)s was refused: %(reason)s"),
            link=url_for("accounts.join"),
            household=membership.household.label,
            reason=reason or "—",
        )
    return membership


def leave_household(user: User) -> None:
    """End the user's active membership (moving house)."""
    membership = user.active_membership
    if membership is None:
        return
    membership.end()
    db.session.flush()
    clear_cache()
    audit.record("membership.leave", membership, community=membership.community.id, actor=user)


def end_membership(membership: Membership, *, actor: User, reason: str) -> Membership:
    """The secretary ends a resident's membership (moved out, or joined by mistake)."""
    _allowed(can_approve_memberships(actor, membership.community))
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_MAX:
        raise InvalidInput(_l("Give a reason (at most 200 characters); the resident is told."))
    membership.end(actor, reason)
    db.session.flush()
    clear_cache()
    audit.record(
        "membership.end",
        membership,
        community=membership.community.id,
        actor=actor,
        detail=reason[:200],
    )
    notify(
        membership.user,
        N_("Your membership of household %(household)s was ended by the secretary: %(reason)s"),
        link=url_for("accounts.join"),
        household=membership.household.label,
        reason=reason or "—",
    )
    return membership


def withdraw_invitations(building: Building, *, actor: User) -> int:
    """Withdraw every unused code of a building (a printed sheet was lost); returns how many."""
    _allowed(can_print_invitations(actor, building.community_id))
    count = 0
    for invitation in db.session.scalars(
        select(Invitation)
        .join(Household, Invitation.household_id == Household.id)
        .where(Household.building_id == building.id, Invitation.is_usable)
    ):
        invitation.withdraw()
        count += 1
    db.session.flush()
    audit.record(
        "invitation.withdraw",
        building,
        community=building.community_id,
        actor=actor,
        detail=f"{count} unused codes of {building.label}",
    )
    return count


def set_preferences(
    user: User, *, locale: str | None = None, large_text: bool | None = None
) -> None:
    """Save the user's language or text size."""
    if locale is not None:
        user.locale = locale
    if large_text is not None:
        user.large_text = large_text
    db.session.flush()
    audit.record(
        "user.preferences",
        user,
        actor=user,
        detail=f"locale={user.locale} large_text={user.large_text}",
    )


def appoint(
    user: User,
    role: Role,
    *,
    actor: User | None,
    community: Any = None,
    station: Any = None,
    body: Any = None,
    title: str = "",
) -> RoleAssignment:
    """Give `user` a role where it applies; appointing twice returns the existing role.

    `actor` is the appointing admin; None only for the system (the `create-admin` command).
    """
    if actor is not None:
        _allowed(can_appoint_roles(actor))
    existing = db.session.scalar(
        select(RoleAssignment).where(
            RoleAssignment.user_id == user.id,
            RoleAssignment.role == role,
            RoleAssignment.community_id == (community.id if community else None),
            RoleAssignment.station_id == (station.id if station else None),
            RoleAssignment.body_id == (body.id if body else None),
        )
    )
    if existing is not None:
        return existing
    assignment = RoleAssignment(
        user_id=user.id,
        role=role,
        community_id=community.id if community else None,
        station_id=station.id if station else None,
        body_id=body.id if body else None,
        appointed_by_id=actor.id if actor else None,
        title=title,
    )
    db.session.add(assignment)
    db.session.flush()
    clear_cache()
    where = (
        community.name if community else station.name if station else body.name if body else "all"
    )
    audit.record(
        "role.appoint",
        assignment,
        community=community,
        actor=actor,
        detail=f"{role.value} of {where}",
    )
    # A plain "/" (the home page): the `create-admin` command appoints outside any request.
    notify(user, N_("You were appointed %(role)s."), link="/", role=role.value)
    return assignment


def revoke(assignment: RoleAssignment, *, actor: User) -> None:
    """Take a role away; an admin cannot remove their own administrator role."""
    _allowed(can_appoint_roles(actor))
    if assignment.user_id == actor.id and assignment.role == Role.ADMIN:
        raise Conflict(_l("You cannot remove your own administrator role."))
    audit.record(
        "role.revoke",
        assignment,
        community=assignment.community_id,
        actor=actor,
        detail=f"{assignment.role.value} of user {assignment.user_id}",
    )
    db.session.delete(assignment)
    db.session.flush()
    clear_cache()


def update_profile(user: User, display_name: str, email_delivery: str | None = None) -> User:
    """Change the user's own display name and how they receive notifications by e-mail."""
    user.display_name = display_name.strip()
    if email_delivery is not None:
        if email_delivery not in ("immediate", "digest", "none"):
            raise InvalidInput(_l("Please choose how to receive notifications."))
        user.email_delivery = email_delivery
    db.session.flush()
    audit.record("user.update_profile", user, actor=user, detail=f"e-mail: {user.email_delivery}")
    return user


def export_personal_data(user: User) -> dict[str, Any]:
    """Everything Yishiting holds about `user`, as a JSON-ready dict (PIPL access right)."""
    data: dict[str, Any] = {
        "account": {
            "id": user.id,
            "display_name": user.display_name,
            "phone": user.phone,
            "email": user.email,
            "locale": user.locale,
            "large_text": user.large_text,
            "email_delivery": user.email_delivery,
            "created_at": user.created_at.isoformat(),
        },
        "consents": [
            {
                "notice_version": c.notice_version,
                "given_at": c.given_at.isoformat(),
                "withdrawn_at": c.withdrawn_at.isoformat() if c.withdrawn_at else None,
            }
            for c in user.consents
        ],
        "memberships": [
            {
                "household": m.household.label,
                "community": m.community.name,
                "status": m.status.value,
                "via": m.via,
                "requested_at": m.requested_at.isoformat(),
            }
            for m in user.memberships
        ],
        "roles": [
            {
                "role": r.role.value,
                "community": r.community.name if r.community else None,
                "station": r.station.name if r.station else None,
                "body": r.body.name if r.body else None,
            }
            for r in user.roles
        ],
    }
    # Each domain adds its section in its init_app: fn(user) -> (key, data).
    for section in registered("personal_data"):
        key, value = section(user)
        data[key] = value
    audit.record("personal_data.export", user, actor=user)
    return data


def delete_account(user: User) -> None:
    """Anonymise the account: contact data and name go, the community's record and ballots stay.

    Every domain erases its own traces first (registry kind "account_deleted": notifications,
    registrations, the name in minutes, the network address in the audit log), while the name
    is still known to match it.
    """
    audit.record("user.delete", user, actor=user)
    for erase in registered("account_deleted"):
        erase(user)
    for membership in user.memberships:
        if membership.is_current or membership.is_pending:
            membership.close()
    for assignment in list(user.roles):
        db.session.delete(assignment)
    for consent in user.consents:
        if consent.withdrawn_at is None:
            consent.withdrawn_at = utcnow()
    user.display_name = ""
    user.phone = None
    user.email = None
    user.password_hash = ""
    user.deleted_at = utcnow()
    db.session.flush()
    forget_addresses(user)
    clear_cache()
