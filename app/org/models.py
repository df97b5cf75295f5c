"""The organisation: subdistricts, communities, buildings, households, stations, bodies."""

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import value_enum
from app.core.revisions import new_cache_rev
from app.core.time import utcnow
from app.extensions import Model


class CommunityKind(enum.StrEnum):
    SOLD_PUBLIC = "sold_public"  # 售后公房
    OLD_VILLA = "old_villa"  # 老洋房
    COMMERCIAL = "commercial"  # 商品房
    RESETTLEMENT = "resettlement"  # 动迁安置房
    INTERNATIONAL = "international"  # 涉外商品房

    @property
    def label(self):
        return COMMUNITY_KIND_LABELS[self]


COMMUNITY_KIND_LABELS = {
    CommunityKind.SOLD_PUBLIC: _l("Sold public housing"),
    CommunityKind.OLD_VILLA: _l("Old villas"),
    CommunityKind.COMMERCIAL: _l("Commercial housing"),
    CommunityKind.RESETTLEMENT: _l("Resettlement housing"),
    CommunityKind.INTERNATIONAL: _l("Mixed international compound"),
}


class BodyKind(enum.StrEnum):
    PROPERTY_COMPANY = "property_company"  # 物业
    OWNERS_COMMITTEE = "owners_committee"  # 业委会
    RESIDENTS_COMMITTEE = "residents_committee"  # 居委会
    SUBDISTRICT_OFFICE = "subdistrict_office"  # 街镇科室

    @property
    def label(self):
        return BODY_KIND_LABELS[self]


BODY_KIND_LABELS = {
    BodyKind.PROPERTY_COMPANY: _l("Property company"),
    BodyKind.OWNERS_COMMITTEE: _l("Owners' committee"),
    BodyKind.RESIDENTS_COMMITTEE: _l("Residents' committee"),
    BodyKind.SUBDISTRICT_OFFICE: _l("Subdistrict office"),
}


class Subdistrict(Model):
    __tablename__ = "subdistricts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    communities: Mapped[list["Community"]] = relationship(
        back_populates="subdistrict", order_by="Community.name"
    )


station_communities = Table(
    "station_communities",
    Model.metadata,
    Column("station_id", ForeignKey("stations.id", ondelete="CASCADE"), primary_key=True),
    Column("community_id", ForeignKey("communities.id", ondelete="CASCADE"), primary_key=True),
)


class Community(Model):
    """A residents' area (居民区) or village (村); the unit every permission is checked in."""

    __tablename__ = "communities"

    id: Mapped[int] = mapped_column(primary_key=True)
    subdistrict_id: Mapped[int] = mapped_column(ForeignKey("subdistricts.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[CommunityKind] = mapped_column(value_enum(CommunityKind, 30))
    address: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Replaced by every write that changes what the suggestion board shows (the hearings'
    #: freshness hooks), so the board's cached parts are keyed by it.
    suggestions_rev: Mapped[str] = mapped_column(
        String(16), default=new_cache_rev, server_default="0"
    )

    subdistrict: Mapped[Subdistrict] = relationship(back_populates="communities")
    buildings: Mapped[list["Building"]] = relationship(
        back_populates="community", order_by="Building.sort_key"
    )
    stations: Mapped[list["Station"]] = relationship(
        secondary=station_communities, back_populates="communities"
    )

    __table_args__ = (UniqueConstraint("subdistrict_id", "name"),)

    def __repr__(self) -> str:
        return f"<Community {self.id} {self.name}>"


class Building(Model):
    __tablename__ = "buildings"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    #: Public label, e.g. "3号楼".
    name: Mapped[str] = mapped_column(String(50))
    #: Optional stairwell or unit (单元), e.g. "2单元".
    unit: Mapped[str] = mapped_column(String(50), default="")
    #: Orders buildings naturally (3 before 12).
    sort_key: Mapped[int] = mapped_column(default=0)

    community: Mapped[Community] = relationship(back_populates="buildings")
    households: Mapped[list["Household"]] = relationship(
        back_populates="building", order_by="Household.number"
    )

    __table_args__ = (UniqueConstraint("community_id", "name", "unit"),)

    @property
    def label(self) -> str:
        return f"{self.name}{self.unit}" if self.unit else self.name


class Household(Model):
    __tablename__ = "households"

    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"), index=True)
    #: Flat number within the building, e.g. "301".
    number: Mapped[str] = mapped_column(String(20))

    building: Mapped[Building] = relationship(back_populates="households")

    __table_args__ = (UniqueConstraint("building_id", "number"),)

    @property
    def community_id(self) -> int:
        return self.building.community_id

    @property
    def label(self) -> str:
        return f"{self.building.label} {self.number}"


class Station(Model):
    """A deputy liaison station (代表联络站) serving one or more communities."""

    __tablename__ = "stations"

    id: Mapped[int] = mapped_column(primary_key=True)
    subdistrict_id: Mapped[int] = mapped_column(ForeignKey("subdistricts.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(200), default="")

    subdistrict: Mapped[Subdistrict] = relationship()
    communities: Mapped[list[Community]] = relationship(
        secondary=station_communities, back_populates="stations", order_by="Community.name"
    )


class Body(Model):
    """A responsible body that answers suggestions: property company, committees, offices."""

    __tablename__ = "bodies"

    id: Mapped[int] = mapped_column(primary_key=True)
    subdistrict_id: Mapped[int] = mapped_column(ForeignKey("subdistricts.id"), index=True)
    #: The community served; empty for a subdistrict office, which serves them all.
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"), index=True)
    kind: Mapped[BodyKind] = mapped_column(value_enum(BodyKind, 30))
    name: Mapped[str] = mapped_column(String(100))
    contact: Mapped[str] = mapped_column(String(200), default="")

    subdistrict: Mapped[Subdistrict] = relationship()
    community: Mapped[Community | None] = relationship()

    def serves(self, community: Community) -> bool:
        if self.community_id is None:
            return community.subdistrict_id == self.subdistrict_id
        return self.community_id == community.id
