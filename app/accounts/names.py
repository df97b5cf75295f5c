"""Public names: residents appear masked to the public, in full to their secretary."""

from flask_babel import gettext
from flask_login import current_user

from app.accounts.models import Role
from app.accounts.permissions import roles_in


def mask(name: str) -> str:
    """Keep the first character and hide the rest: 张伟 -> 张**, Anna -> A**."""
    name = (name or "").strip()
    if not name:
        return "**"
    return name[0] + "**"


def public_name(
    user, community=None, viewer=None, with_building: bool = True, public: bool = False
) -> str:
    """How `user` is shown: `张** · 3号楼` to the public, the full name to the community's secretary.

    `community` is the community the page is about; only its secretary sees full names.
    `public=True` shows what an anonymous visitor sees, whoever is looking.
    """
    if user is None or user.deleted_at is not None:
        return gettext("Former resident")
    viewer = current_user if viewer is None else viewer
    full = False
    if not public and viewer is not None and getattr(viewer, "is_authenticated", False):
        if viewer.id == user.id:
            full = True
        elif community is not None and Role.SECRETARY in roles_in(viewer, community):
            full = True
    name = user.display_name if full else mask(user.display_name)
    if with_building:
        household = user.household
        if household is not None:
            return f"{name} · {household.building.label}"
    return name
