"""The organisation's actions and objects as the audit log names them (core/audit_names.py)."""

from flask_babel import lazy_gettext as _l

from app.core.audit_names import AuditKind, ObjectNamer, link_to
from app.org.models import Body, Building, Community, Station, Subdistrict


def audit_kind() -> AuditKind:
    """Subdistricts, communities, buildings, stations, bodies and the working-day calendar."""
    return AuditKind(
        "org",
        _l("Communities and organisation"),
        ("subdistrict.", "community.", "building.", "station.", "body.", "calendar."),
        {
            "subdistrict.create": _l("Created a subdistrict"),
            "community.create": _l("Created a community"),
            "community.update": _l("Edited a community"),
            "building.save": _l("Saved a building and its households"),
            "station.create": _l("Created a liaison station"),
            "station.update": _l("Edited a liaison station"),
            "body.create": _l("Created a responsible body"),
            "body.update": _l("Edited a responsible body"),
            "calendar.set": _l("Set a day in the working-day calendar"),
            "calendar.remove": _l("Removed a day from the working-day calendar"),
        },
        {
            "communities": ObjectNamer(
                Community,
                _l("Community"),
                lambda c: c.name,
                lambda c: link_to("org.community", community_id=c.id),
            ),
            "buildings": ObjectNamer(Building, _l("Building"), lambda b: b.label),
            "stations": ObjectNamer(
                Station,
                _l("Liaison station"),
                lambda s: s.name,
                lambda s: link_to("org.station", station_id=s.id),
            ),
            "bodies": ObjectNamer(Body, _l("Responsible body"), lambda b: b.name),
            "subdistricts": ObjectNamer(Subdistrict, _l("Subdistrict"), lambda s: s.name),
        },
    )
