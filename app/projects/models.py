"""Livelihood projects and their progress updates."""

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import value_enum
from app.core.errors import Conflict
from app.core.time import utcnow
from app.extensions import Model

__all__ = ["Project", "ProjectStatus", "ProjectUpdate", "project_suggestions"]


class ProjectStatus(enum.StrEnum):
    CANDIDATE = "candidate"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"

    @property
    def label(self):
        return PROJECT_STATUS_LABELS[self]

    @property
    def badge(self):
        return {
            "candidate": "neutral",
            "planned": "info",
            "in_progress": "warn",
            "completed": "ok",
        }[self.value]


PROJECT_STATUS_LABELS = {
    ProjectStatus.CANDIDATE: _l("Candidate"),
    ProjectStatus.PLANNED: _l("Planned"),
    ProjectStatus.IN_PROGRESS: _l("In progress"),
    ProjectStatus.COMPLETED: _l("Completed"),
}

#: status -> the status it may move on to.
PROJECT_NEXT = {
    ProjectStatus.CANDIDATE: ProjectStatus.PLANNED,
    ProjectStatus.PLANNED: ProjectStatus.IN_PROGRESS,
    ProjectStatus.IN_PROGRESS: ProjectStatus.COMPLETED,
}

#: The suggestions a project came from (the suggestions domain owns `suggestions`).
project_suggestions = Table(
    "project_suggestions",
    Model.metadata,
    Column("project_id", ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("suggestion_id", ForeignKey("suggestions.id", ondelete="CASCADE"), primary_key=True),
)


class Project(Model):
    """A livelihood project (民生实事项目): a candidate for a vote, then tracked until completed."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: Estimated cost in whole yuan.
    estimated_cost: Mapped[int] = mapped_column(default=0)
    #: Who proposed it, as shown publicly (a body, a building's residents, a deputy...).
    proponent: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[ProjectStatus] = mapped_column(
        value_enum(ProjectStatus), default=ProjectStatus.CANDIDATE
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    community = relationship("Community")
    created_by = relationship("User")
    updates: Mapped[list["ProjectUpdate"]] = relationship(
        back_populates="project", order_by="(ProjectUpdate.on.desc(), ProjectUpdate.id.desc())"
    )

    __table_args__ = (CheckConstraint("estimated_cost >= 0", name="cost_not_negative"),)

    @property
    def progress(self) -> int:
        if self.status == ProjectStatus.COMPLETED:
            return 100
        return self.updates[0].percent if self.updates else 0

    @property
    def next_status(self) -> ProjectStatus | None:
        return PROJECT_NEXT.get(self.status)

    @property
    def is_candidate(self) -> bool:
        return self.status == ProjectStatus.CANDIDATE

    @property
    def shows_progress(self) -> bool:
        """Progress is shown once a project was selected (planned or later)."""
        return self.status != ProjectStatus.CANDIDATE

    def advance(self, to: ProjectStatus) -> None:
        """Move along candidate → planned → in progress → completed, one step at a time."""
        if PROJECT_NEXT.get(self.status) != to:
            raise Conflict(
                _l("The project cannot move to that status from where it is now."),
                code="illegal_project_transition",
            )
        self.status = to

    def can_track(self) -> bool:
        """Progress is reported on planned or running projects only."""
        return self.status in (ProjectStatus.PLANNED, ProjectStatus.IN_PROGRESS)


class ProjectUpdate(Model):
    """A dated progress report on a project, with how far along it is."""

    __tablename__ = "project_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    on: Mapped[date]
    percent: Mapped[int]
    note: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    project: Mapped[Project] = relationship(back_populates="updates")
    author = relationship("User")

    __table_args__ = (CheckConstraint("percent >= 0 AND percent <= 100", name="percent_range"),)
