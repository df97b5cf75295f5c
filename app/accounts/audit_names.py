"""The account actions and objects as the audit log names them (core/audit_names.py)."""

from flask_babel import lazy_gettext as _l

from app.accounts.models import Invitation, Membership, RoleAssignment, User
from app.core.audit_names import AuditKind, ObjectNamer


def audit_kind() -> AuditKind:
    """Accounts, households, memberships and roles."""
    return AuditKind(
        "accounts",
        _l("Accounts and memberships"),
        ("user.", "membership.", "invitation.", "role.", "password."),
        {
            "user.register": _l("Created an account"),
            "user.login": _l("Logged in"),
            "user.preferences": _l("Changed language or text size"),
            "user.update_profile": _l("Changed their profile"),
            "user.delete": _l("Deleted an account"),
            "membership.request": _l("Asked to join a household"),
            "membership.redeem_code": _l("Joined a household with a code"),
            "membership.approve": _l("Approved a membership"),
            "membership.refuse": _l("Refused a membership"),
            "membership.leave": _l("Left a household"),
            "membership.end": _l("Ended a membership"),
            "invitation.create": _l("Printed household codes"),
            "invitation.withdraw": _l("Withdrew unused household codes"),
            "role.appoint": _l("Appointed a role"),
            "role.revoke": _l("Removed a role"),
            "password.reset_code.issue": _l("Issued a password reset code"),
            "password.reset_code.void": _l("A reset code was voided"),
            "password.reset_code.use": _l("Reset a password with a code"),
            "password.reset_link.send": _l("Sent a password reset link"),
            "password.reset_link.use": _l("Reset a password with an e-mailed link"),
            "password.change": _l("Changed their password"),
        },
        {
            "users": ObjectNamer(User, _l("Person"), lambda u: u.display_name),
            "memberships": ObjectNamer(
                Membership,
                _l("Membership"),
                lambda m: f"{m.user.display_name} · {m.household.label}",
            ),
            "invitations": ObjectNamer(
                Invitation, _l("Household code"), lambda i: i.household.label
            ),
            "role_assignments": ObjectNamer(
                RoleAssignment,
                _l("Role"),
                lambda r: f"{r.user.display_name} · {r.role.label}",
            ),
        },
    )
