"""Suggestions (意见建议) and their append-only public history.

The status machine lives here: submitted → accepted (routed to a body) → answered → closed,
or reopened once after an unsatisfied rating, or declined. Every move goes through a method that
raises `Conflict` on an illegal move; the `can_*` predicates answer views, templates and
operations alike.
"""

from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    DDL,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import value_enum
from app.core.errors import Conflict, InvalidInput
from app.core.time import local_today, to_local, utcnow
from app.core.workdays import add_working_days, is_overdue
from app.extensions import Model
from app.org.models import Body, Building, Community, Station
from app.suggestions import permissions
from app.suggestions.enums import (
    AWAITING_ANSWER,
    SUGGESTION_STATUS_LABELS,
    TRANSITIONS,
    Rating,
    SuggestionSource,
    SuggestionStatus,
    VisitOutcome,
)
from app.suggestions.guide import CATEGORY_GUIDE, Category
from app.suggestions.triggers import immutable_trigger_sql

__all__ = [
    "AWAITING_ANSWER",
    "CATEGORY_GUIDE",
    "SUGGESTION_STATUS_LABELS",
    "TRANSITIONS",
    "Category",
    "CategoryTimeLimit",
    "Rating",
    "ReturnVisit",
    "Suggestion",
    "SuggestionEvent",
    "SuggestionSource",
    "SuggestionStatus",
    "VisitOutcome",
]


#: An unsatisfied rating reopens a suggestion this many times at most.
MAX_REOPENINGS = 1
#: Working days a body has to answer, counted from acceptance.
DEFAULT_DUE_WORKING_DAYS = 15
#: Working days the submitter has to rate an answer before the secretary may close it unrated
#: (closing at once would take away their chance to reopen it).
RATING_WINDOW_WORKING_DAYS = 5
#: Handlers are reminded this many working days before a due date.
REMINDER_WORKING_DAYS = 2
#: The longest time limit a community may set for a category, in working days.
MAX_TIME_LIMIT = 60
SUMMARY_MAX = 200
TEXT_MAX = 2000


class Suggestion(Model):
    """A resident's suggestion (意见建议) with a tracking number, a responsible body and a deadline."""

    __tablename__ = "suggestions"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    #: Public tracking number, S-YYYY-NNNNNN.
    number: Mapped[str] = mapped_column(String(20), unique=True)
    year: Mapped[int]
    #: Sequence within the year; the number's last six digits.
    seq: Mapped[int]
    category: Mapped[Category] = mapped_column(value_enum(Category, 30))
    building_id: Mapped[int | None] = mapped_column(ForeignKey("buildings.id"))
    #: Public one-line summary; the full text is shown only to staff and the submitter.
    summary: Mapped[str] = mapped_column(String(SUMMARY_MAX))
    text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[SuggestionStatus] = mapped_column(
        value_enum(SuggestionStatus, 20), default=SuggestionStatus.SUBMITTED, index=True
    )
    source: Mapped[SuggestionSource] = mapped_column(
        value_enum(SuggestionSource, 20), default=SuggestionSource.ONLINE
    )
    #: The resident with an account who made it; empty for a walk-in without an account.
    submitter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: A walk-in's name as given to the deputy or secretary; never public.
    walk_in_name: Mapped[str] = mapped_column(String(50), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: The session or reception where it was recorded (the hearings domain links to it by id).
    session_id: Mapped[int | None] = mapped_column(ForeignKey("hearing_sessions.id"), index=True)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"), index=True)
    body_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id"), index=True)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    accepted_at: Mapped[datetime | None]
    due_date: Mapped[date | None] = mapped_column(Date)
    first_answered_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    #: The latest answer; earlier ones stay in the history.
    answer: Mapped[str] = mapped_column(Text, default="")
    decline_reason: Mapped[str] = mapped_column(String(500), default="")
    rating: Mapped[Rating | None] = mapped_column(value_enum(Rating, 20))
    rated_at: Mapped[datetime | None]
    reopen_count: Mapped[int] = mapped_column(default=0)
    #: When it was escalated (督办), by the schedule or by hand; cleared when it is reopened.
    escalated_at: Mapped[datetime | None]
    # Candidate livelihood project (the projects domain turns these into projects).
    is_candidate_project: Mapped[bool] = mapped_column(default=False, index=True)
    candidate_title: Mapped[str] = mapped_column(String(200), default="")
    candidate_description: Mapped[str] = mapped_column(Text, default="")
    #: Estimated cost in yuan.
    candidate_cost: Mapped[int | None]

    community: Mapped[Community] = relationship()
    building: Mapped[Building | None] = relationship()
    body: Mapped[Body | None] = relationship()
    submitter = relationship("User", foreign_keys=[submitter_id])
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])
    #: The hearings domain's session, by name: suggestions never import hearings.
    session = relationship("HearingSession", foreign_keys=[session_id])
    station: Mapped[Station | None] = relationship()
    events: Mapped[list["SuggestionEvent"]] = relationship(
        back_populates="suggestion", order_by="SuggestionEvent.id"
    )

    __table_args__ = (
        UniqueConstraint("year", "seq"),
        CheckConstraint("candidate_cost IS NULL OR candidate_cost >= 0", name="cost_not_negative"),
        CheckConstraint("reopen_count >= 0", name="reopen_count_not_negative"),
        Index("ix_suggestions_community_status", "community_id", "status"),
    )

    def __repr__(self) -> str:
        return f"<Suggestion {self.number}>"

    # -- state ---------------------------------------------------------------

    def can_move_to(self, status: SuggestionStatus) -> bool:
        return status in TRANSITIONS[self.status]

    def check_move(self, status: SuggestionStatus) -> None:
        """Raise `Conflict` unless the suggestion may move to `status` now."""
        if not self.can_move_to(status):
            raise Conflict(
                _l(
                    "A suggestion that is “%(current)s” cannot become “%(new)s”.",
                    current=self.status.label,
                    new=status.label,
                )
            )

    def _move(self, status: SuggestionStatus) -> None:
        self.check_move(status)
        self.status = status

    @property
    def is_submitted(self) -> bool:
        return self.status == SuggestionStatus.SUBMITTED

    @property
    def is_answered(self) -> bool:
        return self.status == SuggestionStatus.ANSWERED

    @property
    def is_reopened(self) -> bool:
        return self.status == SuggestionStatus.REOPENED

    @property
    def is_declined(self) -> bool:
        return self.status == SuggestionStatus.DECLINED

    @property
    def is_finished(self) -> bool:
        """Closed or declined: nothing more will happen to it."""
        return self.status in (SuggestionStatus.CLOSED, SuggestionStatus.DECLINED)

    @property
    def shows_answer(self) -> bool:
        """Whether the page shows the latest answer (answered, reopened or closed after one)."""
        return bool(self.answer) and self.status in (
            SuggestionStatus.ANSWERED,
            SuggestionStatus.CLOSED,
            SuggestionStatus.REOPENED,
        )

    @property
    def is_overdue(self) -> bool:
        """Awaiting an answer and a statutory working day has passed since its due date."""
        return self.status in AWAITING_ANSWER and is_overdue(self.due_date)

    @property
    def is_escalated(self) -> bool:
        """Escalated (督办) and still awaiting the body's answer: the board flags it."""
        return self.status in AWAITING_ANSWER and self.escalated_at is not None

    def needs_return_visit(self, today: date | None = None) -> bool:
        """Answered, unrated, and its rating window is over (or a walk-in, who cannot rate online)."""
        return self.is_answered and self.rating is None and self.can_close_unrated(today)

    @property
    def awaiting_answer(self) -> bool:
        return self.status in AWAITING_ANSWER

    @property
    def age_days(self) -> int:
        end = self.closed_at or utcnow()
        return max((end - self.submitted_at).days, 0)

    @property
    def age_ticks_at(self) -> datetime:
        """When `age_days` next changes (never, once closed): a cached row is good until then."""
        if self.closed_at is not None:
            return datetime.max
        return self.submitted_at + timedelta(days=self.age_days + 1)

    @property
    def answered_on_time(self) -> bool | None:
        if self.first_answered_at is None or self.due_date is None:
            return None
        return to_local(self.first_answered_at).date() <= self.due_date

    @property
    def may_reopen(self) -> bool:
        return self.reopen_count < MAX_REOPENINGS

    @property
    def rating_deadline(self) -> date | None:
        """The last day the submitter may rate before the answer can be closed unrated; None for a walk-in."""
        if self.answered_at is None or self.submitter_id is None:
            return None
        return add_working_days(to_local(self.answered_at).date(), RATING_WINDOW_WORKING_DAYS)

    def can_close_unrated(self, today: date | None = None) -> bool:
        if self.status != SuggestionStatus.ANSWERED:
            return False
        deadline = self.rating_deadline
        return deadline is None or (today or local_today()) > deadline

    def is_submitter(self, user) -> bool:
        return bool(
            user is not None
            and getattr(user, "is_authenticated", False)
            and self.submitter_id == user.id
        )

    # -- what a user may do now (state and permission together) -----------------

    def can_see_text(self, user) -> bool:
        return permissions.can_see_text(user, self)

    def can_triage(self, user) -> bool:
        return permissions.can_triage(user, self.community_id)

    def can_accept(self, user) -> bool:
        return self.is_submitted and self.can_triage(user)

    def can_reroute(self, user) -> bool:
        return self.awaiting_answer and self.can_triage(user)

    def can_decline(self, user) -> bool:
        return self.can_move_to(SuggestionStatus.DECLINED) and self.can_triage(user)

    def can_close(self, user) -> bool:
        """The secretary may close an answered suggestion (once its rating window is over)."""
        return self.is_answered and self.can_triage(user)

    def can_mark_candidate(self, user) -> bool:
        return not self.is_declined and self.can_triage(user)

    def can_escalate(self, user) -> bool:
        """The secretary may escalate by hand a suggestion awaiting an answer, once per round."""
        return self.awaiting_answer and self.escalated_at is None and self.can_triage(user)

    def can_record_visit(self, user) -> bool:
        """The secretary records the return visit (回访) of an answered suggestion."""
        return self.is_answered and self.can_triage(user)

    def can_answer(self, user) -> bool:
        return self.awaiting_answer and permissions.can_answer(user, self)

    def can_rate(self, user) -> bool:
        return self.is_answered and permissions.can_rate(user, self)

    # -- transitions ---------------------------------------------------------------

    def accept(self, body: Body, due_date: date, now: datetime) -> None:
        """Route the suggestion to `body`, which owes an answer by `due_date`."""
        self._move(SuggestionStatus.ACCEPTED)
        self.body_id, self.body = body.id, body
        self.accepted_at = now
        self.due_date = due_date

    def check_reroutable(self) -> None:
        if not self.awaiting_answer:
            raise Conflict(_l("Only a suggestion awaiting an answer can be re-routed."))

    def reroute(self, body: Body) -> None:
        """Send a suggestion awaiting an answer to another body; the due date stays."""
        self.check_reroutable()
        if body.id == self.body_id:
            raise InvalidInput(_l("The suggestion is with this body already."))
        self.body_id, self.body = body.id, body

    def decline(self, reason: str, now: datetime) -> None:
        if not reason.strip():
            raise InvalidInput(_l("Give a reason for declining."))
        self._move(SuggestionStatus.DECLINED)
        self.decline_reason = reason.strip()[:500]
        self.closed_at = now

    def give_answer(self, answer: str, now: datetime) -> None:
        """Publish the body's answer; a new one replaces the last (the history keeps both)."""
        if not answer.strip():
            raise InvalidInput(_l("Write the answer."))
        if len(answer) > TEXT_MAX:
            raise InvalidInput(
                _l("The text is too long (at most %(num)d characters).", num=TEXT_MAX)
            )
        self._move(SuggestionStatus.ANSWERED)
        self.answer = answer.strip()
        self.answered_at = now
        if self.first_answered_at is None:
            self.first_answered_at = now
        self.rating = None
        self.rated_at = None

    def check_rateable(self) -> None:
        if not self.is_answered:
            raise Conflict(_l("Only an answered suggestion can be rated."))

    def rate(self, rating: Rating, now: datetime) -> None:
        self.check_rateable()
        self.rating = rating
        self.rated_at = now

    @property
    def reopens_on(self) -> bool:
        """Whether its latest rating reopens it (不满意, and not reopened already)."""
        return self.rating == Rating.UNSATISFIED and self.may_reopen

    def reopen(self, due_date: date) -> None:
        self._move(SuggestionStatus.REOPENED)
        self.reopen_count += 1
        self.due_date = due_date
        self.escalated_at = None

    def escalate(self, now: datetime) -> None:
        """Escalate (督办) a suggestion awaiting an answer; once until it is answered or reopened."""
        if not self.awaiting_answer:
            raise Conflict(_l("Only a suggestion awaiting an answer can be escalated."))
        if self.escalated_at is not None:
            raise Conflict(_l("This suggestion is escalated already."))
        self.escalated_at = now

    def check_visitable(self) -> None:
        if not self.is_answered:
            raise Conflict(_l("Only an answered suggestion gets a return visit."))

    def close(self, now: datetime) -> None:
        self._move(SuggestionStatus.CLOSED)
        self.closed_at = now

    def check_may_become_project(self) -> None:
        if self.is_declined:
            raise Conflict(_l("A declined suggestion cannot become a project."))

    def mark_candidate(self, title: str, description: str, cost: int | None) -> None:
        self.check_may_become_project()
        if not title.strip():
            raise InvalidInput(_l("Give the project a title."))
        if cost is not None and cost < 0:
            raise InvalidInput(_l("The cost cannot be negative."))
        self.is_candidate_project = True
        self.candidate_title = title.strip()[:200]
        self.candidate_description = (description or "").strip()
        self.candidate_cost = cost


class SuggestionEvent(Model):
    """One step in a suggestion's public history: its new status and the public note that went with it."""

    __tablename__ = "suggestion_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    suggestion_id: Mapped[int] = mapped_column(ForeignKey("suggestions.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    #: "submitted", "accepted", "rerouted", "answered", "rated", "reopened", "closed", "declined",
    #: "candidate", "escalated", "escalated_by_hand", "visited", "visit_failed".
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[SuggestionStatus] = mapped_column(value_enum(SuggestionStatus, 20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    body_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id"))
    #: Public text: the answer, the reason for declining, a re-routing note.
    note: Mapped[str] = mapped_column(Text, default="")
    rating: Mapped[Rating | None] = mapped_column(value_enum(Rating, 20))
    due_date: Mapped[date | None] = mapped_column(Date)

    suggestion: Mapped[Suggestion] = relationship(back_populates="events")
    body: Mapped[Body | None] = relationship()
    actor = relationship("User")

    @property
    def label(self):
        return EVENT_LABELS.get(self.kind, self.kind)

    @property
    def shows_body(self) -> bool:
        return self.kind in ("accepted", "rerouted") and self.body is not None

    @property
    def shows_due_date(self) -> bool:
        return (
            self.kind in ("reopened", "escalated", "escalated_by_hand")
            and self.due_date is not None
        )


EVENT_LABELS = {
    "submitted": _l("Submitted"),
    "accepted": _l("Accepted and routed"),
    "rerouted": _l("Re-routed"),
    "answered": _l("Answered"),
    "rated": _l("Rated"),
    "reopened": _l("Reopened after an unsatisfied rating"),
    "closed": _l("Closed"),
    "declined": _l("Declined"),
    "candidate": _l("Proposed as a candidate project"),
    "escalated": _l("Escalated (督办): the answer is overdue"),
    "escalated_by_hand": _l("Escalated (督办) by the secretary"),
    "visited": _l("Return visit (回访)"),
    "visit_failed": _l("Return visit (回访): could not be reached"),
}


@event.listens_for(SuggestionEvent, "before_update")
@event.listens_for(SuggestionEvent, "before_delete")
def _history_is_append_only(_mapper, _connection, target):
    raise RuntimeError("a suggestion's history is append-only")


for _dialect in ("sqlite", "postgresql"):
    event.listen(
        SuggestionEvent.__table__,
        "after_create",
        DDL(immutable_trigger_sql(SuggestionEvent.__tablename__, _dialect)).execute_if(
            dialect=_dialect
        ),
    )


class CategoryTimeLimit(Model):
    """A community's own time limit for one category (e.g. 5 working days for safety hazards)."""

    __tablename__ = "suggestion_time_limits"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    category: Mapped[Category] = mapped_column(value_enum(Category, 30))
    working_days: Mapped[int]
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("community_id", "category"),
        CheckConstraint(
            f"working_days >= 1 AND working_days <= {MAX_TIME_LIMIT}", name="time_limit_range"
        ),
    )


class ReturnVisit(Model):
    """A return visit (回访): the secretary's phone call or visit to a submitter who did not rate."""

    __tablename__ = "suggestion_return_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    suggestion_id: Mapped[int] = mapped_column(ForeignKey("suggestions.id"), index=True)
    outcome: Mapped[VisitOutcome] = mapped_column(value_enum(VisitOutcome, 20))
    #: What the resident said; for staff only, never public.
    note: Mapped[str] = mapped_column(String(1000), default="")
    visited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    visited_at: Mapped[datetime] = mapped_column(default=utcnow)

    suggestion: Mapped[Suggestion] = relationship()
    visited_by = relationship("User")
