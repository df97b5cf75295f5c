"""The report actions as the audit log names them (core/audit_names.py)."""

from flask_babel import lazy_gettext as _l

from app.core.audit_names import AuditKind


def audit_kind() -> AuditKind:
    """Ledgers and roll-ups drawn up (exports of personal data are looks at personal data)."""
    return AuditKind(
        "reports",
        _l("Reports"),
        ("report.",),
        {
            "report.ledger": _l("Drew up a community's ledger"),
            "report.rollup": _l("Drew up a subdistrict roll-up"),
        },
    )
