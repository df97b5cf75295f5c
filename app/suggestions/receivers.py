"""What suggestions answer when a lower domain asks: the projects domain's candidate sources.

A suggestion the secretary marked as a candidate livelihood project is offered on the projects
page; the projects domain records the project and keeps the suggestion's id (its own table).
"""

from sqlalchemy import select

from app.extensions import db
from app.projects import signals as project_signals
from app.suggestions.models import Suggestion


def candidate_sources(community) -> list[project_signals.CandidateSource]:
    """The community's suggestions marked as candidate projects, oldest first."""
    rows = db.session.scalars(
        select(Suggestion)
        .where(Suggestion.community_id == community.id, Suggestion.is_candidate_project.is_(True))
        .order_by(Suggestion.id)
    )
    return [
        project_signals.CandidateSource(
            source_id=s.id,
            number=s.number,
            title=s.candidate_title,
            description=s.candidate_description,
            cost=s.candidate_cost or 0,
        )
        for s in rows
    ]


def connect() -> None:
    """Connect the receivers (called by `init_app`; connecting twice is harmless)."""
    project_signals.candidate_sources.connect(candidate_sources)
