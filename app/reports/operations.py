"""What reports do: each checks its permission, writes its audit entry and reads; nothing else is written."""

from flask_babel import lazy_gettext as _l

from app.core import audit
from app.core.errors import NotAllowed
from app.org.models import Community, Subdistrict
from app.reports import permissions
from app.reports.export_full import full_sheets
from app.reports.formats import Sheet
from app.reports.ledger import Ledger, build_ledger
from app.reports.models import Period
from app.reports.rollup import Rollup, build_rollup


def _refuse() -> NotAllowed:
    return NotAllowed(_l("Only the community's secretary or the subdistrict's staff may do this."))


def generate_ledger(community: Community, period: Period, *, actor, fmt: str = "html") -> Ledger:
    """Build the community's ledger for the period; an audited look at the community's records."""
    if not permissions.can_view_ledger(actor, community):
        raise _refuse()
    ledger = build_ledger(community, period)
    audit.record(
        "report.ledger",
        community,
        community=community,
        detail=f"{period.start.isoformat()}..{period.end.isoformat()} {fmt}",
        actor=actor,
    )
    return ledger


def export_community(community: Community, *, actor) -> list[Sheet]:
    """Every row of the community's data, personal data included: audited as a view of personal data."""
    if not permissions.can_export_all(actor, community):
        raise NotAllowed(_l("Only the community's secretary may download all of its data."))
    audit.record(
        "personal_data.export",
        community,
        community=community,
        detail="complete community export",
        actor=actor,
    )
    return full_sheets(community.id)


def generate_rollup(
    subdistrict: Subdistrict, period: Period, *, actor, fmt: str = "html"
) -> Rollup:
    """Every community of the subdistrict side by side for the period (admins only, audited)."""
    if not permissions.can_view_rollup(actor):
        raise NotAllowed(_l("Only the subdistrict's staff may see the roll-up."))
    rollup = build_rollup(subdistrict, period)
    audit.record(
        "report.rollup",
        subdistrict,
        detail=f"{period.start.isoformat()}..{period.end.isoformat()} {fmt}",
        actor=actor,
    )
    return rollup
