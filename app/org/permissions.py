"""Who may change the organisation: subdistrict administrators.

org sits below accounts, so it asks the user object (`is_admin`, which accounts' User provides)
instead of importing accounts' role rules.
"""

from typing import Any


def can_manage_org(user: Any) -> bool:
    """Create and edit subdistricts, communities, buildings, stations and bodies."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and getattr(user, "is_admin", False)
    )
