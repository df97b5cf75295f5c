"""What the reports read from the other domains, one period and one community at a time.

Where a domain already has the read (pacts' `consensus_for_version`, votes' `turnout` and
`export_document`), the reports call it; the statements here are the period-bound reads no page
needed before (suggestions are streamed with `yield_per`, which the suggestions domain's
`ledger_suggestions`, returning a list, cannot do).
"""

from collections.abc import Iterator

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.hearings.models import FollowUpAction, HearingSession, Minutes
from app.org.models import Community, Subdistrict
from app.pacts.enums import AmendmentStatus
from app.pacts.models import Amendment, Comment, Pact, PactVersion
from app.projects.models import Project
from app.reports.models import Period
from app.suggestions.models import Suggestion
from app.votes.models import Vote, VoteStatus


def published_versions(community_id: int, period: Period) -> list[PactVersion]:
    """Pact versions published in the period, oldest first."""
    return list(
        db.session.scalars(
            select(PactVersion)
            .join(Pact, Pact.id == PactVersion.pact_id)
            .where(
                Pact.community_id == community_id,
                PactVersion.published_at >= period.since,
                PactVersion.published_at <= period.until,
            )
            .options(selectinload(PactVersion.pact), selectinload(PactVersion.clauses))
            .order_by(PactVersion.published_at, PactVersion.id)
        )
    )


def comment_figures(pact_id: int, period: Period) -> tuple[int, int]:
    """(comments received, comments answered) on a pact in the period."""
    row = db.session.execute(
        select(func.count(Comment.id), func.count(Comment.answered_at)).where(
            Comment.pact_id == pact_id,
            Comment.created_at >= period.since,
            Comment.created_at <= period.until,
        )
    ).one()
    return int(row[0]), int(row[1])


def amendments_in(community_id: int, period: Period) -> list[Amendment]:
    """Amendments proposed in the period on the community's pacts, with their answers."""
    return list(
        db.session.scalars(
            select(Amendment)
            .join(Pact, Pact.id == Amendment.pact_id)
            .where(
                Pact.community_id == community_id,
                Amendment.created_at >= period.since,
                Amendment.created_at <= period.until,
            )
            .options(selectinload(Amendment.pact), selectinload(Amendment.clause))
            .order_by(Amendment.created_at, Amendment.id)
        )
    )


def accepted_and_rejected(amendments: list[Amendment], pact_id: int) -> tuple[int, int, int]:
    mine = [a for a in amendments if a.pact_id == pact_id]
    accepted = sum(1 for a in mine if a.status == AmendmentStatus.ACCEPTED)
    rejected = sum(1 for a in mine if a.status == AmendmentStatus.REJECTED)
    return len(mine), accepted, rejected


def ratification_of(version_id: int) -> Vote | None:
    """The latest counted vote ratifying a pact version."""
    return db.session.scalar(
        select(Vote)
        .where(
            Vote.pact_version_id == version_id,
            Vote.status.in_([VoteStatus.CLOSED, VoteStatus.PUBLISHED]),
        )
        .order_by(Vote.id.desc())
        .limit(1)
    )


def sessions_in(community: Community, period: Period) -> list[HearingSession]:
    """Sessions of every kind held for the community (receptions of its stations too)."""
    station_ids = [s.id for s in community.stations]
    return list(
        db.session.scalars(
            select(HearingSession)
            .where(
                or_(
                    HearingSession.community_id == community.id,
                    HearingSession.community_id.is_(None)
                    & HearingSession.station_id.in_(station_ids),
                ),
                HearingSession.starts_at >= period.since,
                HearingSession.starts_at <= period.until,
            )
            .options(
                selectinload(HearingSession.agenda),
                selectinload(HearingSession.registrations),
                selectinload(HearingSession.walk_ins),
                selectinload(HearingSession.minutes)
                .selectinload(Minutes.actions)
                .selectinload(FollowUpAction.completion),
            )
            .order_by(HearingSession.starts_at, HearingSession.id)
        )
    )


def votes_in(community_id: int, period: Period) -> list[Vote]:
    """Votes (not drafts) whose voting window overlaps the period."""
    return list(
        db.session.scalars(
            select(Vote)
            .where(
                Vote.community_id == community_id,
                Vote.status != VoteStatus.DRAFT,
                Vote.opens_at <= period.until,
                Vote.closes_at >= period.since,
            )
            .options(selectinload(Vote.options))
            .order_by(Vote.opens_at, Vote.id)
        )
    )


def published_votes(community_id: int) -> list[Vote]:
    return list(
        db.session.scalars(
            select(Vote)
            .where(Vote.community_id == community_id, Vote.status == VoteStatus.PUBLISHED)
            .order_by(Vote.id)
        )
    )


def suggestions_stream(community_id: int, period: Period, batch: int = 500) -> Iterator[Suggestion]:
    """The community's suggestions submitted in the period, read `batch` rows at a time."""
    stmt = (
        select(Suggestion)
        .where(
            Suggestion.community_id == community_id,
            Suggestion.submitted_at >= period.since,
            Suggestion.submitted_at <= period.until,
        )
        .options(selectinload(Suggestion.body))
        .order_by(Suggestion.submitted_at, Suggestion.id)
        .execution_options(yield_per=batch)
    )
    yield from db.session.scalars(stmt)


def projects_by_id(ids: list[int]) -> dict[int, Project]:
    if not ids:
        return {}
    rows = db.session.scalars(
        select(Project).where(Project.id.in_(ids)).options(selectinload(Project.updates))
    )
    return {p.id: p for p in rows}


def communities_of(subdistrict_id: int) -> list[Community]:
    return list(
        db.session.scalars(
            select(Community)
            .where(Community.subdistrict_id == subdistrict_id)
            .order_by(Community.name)
        )
    )


def subdistricts() -> list[Subdistrict]:
    return list(db.session.scalars(select(Subdistrict).order_by(Subdistrict.name)))
