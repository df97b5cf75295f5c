"""The "which body?" guide: each topic of a suggestion, the body that usually answers it, and why."""

import enum

from flask_babel import lazy_gettext as _l

from app.org.models import BodyKind


class Category(enum.StrEnum):
    """What a suggestion is about; the guide names the body that usually answers it."""

    LIFT = "lift"
    LEAKS = "leaks"
    CLEANING = "cleaning"
    PARKING = "parking"
    SECURITY = "security"
    PROPERTY_SERVICE = "property_service"
    PROPERTY_COMPANY_CHOICE = "property_company_choice"
    MAINTENANCE_FUND = "maintenance_fund"
    NEIGHBOURS = "neighbours"
    ELDERLY = "elderly"
    COMMUNITY_LIFE = "community_life"
    STREETS = "streets"
    OTHER = "other"

    @property
    def label(self):
        return CATEGORY_GUIDE[self][0]

    @property
    def suggested_body_kind(self) -> BodyKind:
        return CATEGORY_GUIDE[self][1]

    @property
    def why(self):
        return CATEGORY_GUIDE[self][2]


#: The "which body?" guide: category → (label, the body that usually answers, why).
CATEGORY_GUIDE = {
    Category.LIFT: (
        _l("Lift breakdowns and repairs"),
        BodyKind.PROPERTY_COMPANY,
        _l("The property company maintains lifts under its service contract."),
    ),
    Category.LEAKS: (
        _l("Leaks, pipes and drains in shared areas"),
        BodyKind.PROPERTY_COMPANY,
        _l("Shared pipes and drains are maintained by the property company."),
    ),
    Category.CLEANING: (
        _l("Cleaning, rubbish sorting and greenery"),
        BodyKind.PROPERTY_COMPANY,
        _l("Cleaning and greenery are part of the property company's daily service."),
    ),
    Category.PARKING: (
        _l("Parking and charging inside the compound"),
        BodyKind.PROPERTY_COMPANY,
        _l("The property company manages parking spaces and gates."),
    ),
    Category.SECURITY: (
        _l("Gates, security and fire passages"),
        BodyKind.PROPERTY_COMPANY,
        _l("Gate guards, patrols and clear fire passages are the property company's duty."),
    ),
    Category.PROPERTY_SERVICE: (
        _l("Quality of property services and fees"),
        BodyKind.OWNERS_COMMITTEE,
        _l(
            "The owners' committee holds the property company to its contract on the owners' behalf."
        ),
    ),
    Category.PROPERTY_COMPANY_CHOICE: (
        _l("Choosing or changing the property company"),
        BodyKind.OWNERS_COMMITTEE,
        _l(
            "Only the owners, through their owners' committee, hire or replace the property company."
        ),
    ),
    Category.MAINTENANCE_FUND: (
        _l("Use of the special maintenance fund"),
        BodyKind.OWNERS_COMMITTEE,
        _l(
            "Spending the maintenance fund needs the owners' decision, organised by the owners' committee."
        ),
    ),
    Category.NEIGHBOURS: (
        _l("Disputes between neighbours"),
        BodyKind.RESIDENTS_COMMITTEE,
        _l("The residents' committee mediates between neighbours (人民调解)."),
    ),
    Category.ELDERLY: (
        _l("Elderly care, meals and home visits"),
        BodyKind.RESIDENTS_COMMITTEE,
        _l("The residents' committee organises elderly care and visits."),
    ),
    Category.COMMUNITY_LIFE: (
        _l("Community activities and public notices"),
        BodyKind.RESIDENTS_COMMITTEE,
        _l("The residents' committee runs community activities and notices."),
    ),
    Category.STREETS: (
        _l("Streets, traffic and markets outside the compound"),
        BodyKind.SUBDISTRICT_OFFICE,
        _l("Roads and public space outside the compound are the subdistrict office's remit."),
    ),
    Category.OTHER: (
        _l("Something else"),
        BodyKind.RESIDENTS_COMMITTEE,
        _l("When unsure, the residents' committee receives it and the secretary routes it on."),
    ),
}
