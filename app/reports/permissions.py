"""Who may read which report: predicates with an explicit user, built on `roles_in`."""

from app.accounts.models import Role
from app.accounts.permissions import is_admin, roles_in


def can_view_ledger(user, community) -> bool:
    """The community's secretary and the subdistrict's admins read its ledger."""
    return bool(roles_in(user, community) & {Role.SECRETARY, Role.ADMIN})


def can_export_all(user, community) -> bool:
    """Only the community's own secretary downloads everything, personal data included."""
    return Role.SECRETARY in roles_in(user, community)


def can_view_rollup(user) -> bool:
    """The subdistrict admin compares every community side by side."""
    return is_admin(user)
