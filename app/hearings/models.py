"""Sessions (hearings, meetings, deputy receptions), registrations, minutes and suggestions.

State rules live here: each model's transition methods raise `TransitionError` on an
illegal move, and its `can_*` predicates answer the views and templates.
"""

import enum
from datetime import date, datetime

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
from app.core.time import local_today, utcnow
from app.extensions import db
from app.org.models import Body, BodyKind, Building, Community, Station

__all__ = [
    "AgendaItem",
    "Category",
    "FollowUpAction",
    "HearingSession",
    "Minutes",
    "Rating",
    "Registration",
    "RegistrationStatus",
    "SessionKind",
    "SessionStatus",
    "Speaker",
    "Suggestion",
    "SuggestionEvent",
    "SuggestionSource",
    "SuggestionStatus",
    "TransitionError",
    "WalkIn",
]


class TransitionError(ValueError):
    """An illegal state change; its message is a translated sentence for the user."""


# --- sessions ----------------------------------------------------------------


class SessionKind(enum.StrEnum):
    HEARING = "hearing"  # 听证会
    COORDINATION = "coordination"  # 协调会
    REVIEW = "review"  # 评议会
    SUPERVISION = "supervision"  # 监督会
    RECEPTION = "reception"  # 代表接待

    @property
    def label(self):
        return SESSION_KIND_LABELS[self]


SESSION_KIND_LABELS = {
    SessionKind.HEARING: _l("Hearing"),
    SessionKind.COORDINATION: _l("Coordination meeting"),
    SessionKind.REVIEW: _l("Review meeting"),
    SessionKind.SUPERVISION: _l("Supervision meeting"),
    SessionKind.RECEPTION: _l("Deputy reception"),
}


class SessionStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    HELD = "held"
    MINUTES_PUBLISHED = "minutes_published"
    CANCELLED = "cancelled"

    @property
    def label(self):
        return SESSION_STATUS_LABELS[self]

    @property
    def badge(self) -> str:
        return {
            "scheduled": "info",
            "held": "neutral",
            "minutes_published": "ok",
            "cancelled": "danger",
        }[self.value]


SESSION_STATUS_LABELS = {
    SessionStatus.SCHEDULED: _l("Scheduled"),
    SessionStatus.HELD: _l("Held"),
    SessionStatus.MINUTES_PUBLISHED: _l("Minutes published"),
    SessionStatus.CANCELLED: _l("Cancelled"),
}

#: What a session's subject may link to (plain ids: no foreign keys into other domains).
SUBJECT_TYPES = ("pact", "vote", "project", "suggestion")
SUBJECT_TYPE_LABELS = {
    "pact": _l("Pact"),
    "vote": _l("Vote"),
    "project": _l("Project"),
    "suggestion": _l("Suggestion"),
}


class HearingSession(db.Model):
    """A hearing, meeting or deputy reception: scheduled → held → minutes published, or cancelled."""

    __tablename__ = "hearing_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The community concerned; empty for a reception open to every community of its station.
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"), index=True)
    #: The liaison station, for deputy receptions.
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"), index=True)
    kind: Mapped[SessionKind] = mapped_column(value_enum(SessionKind, 20))
    title: Mapped[str] = mapped_column(String(200))
    #: Free-text subject, shown when the subject is not a link.
    subject_text: Mapped[str] = mapped_column(Text, default="")
    #: "pact" | "vote" | "project" | "suggestion", with `subject_id`, or empty.
    subject_type: Mapped[str | None] = mapped_column(String(20))
    subject_id: Mapped[int | None]
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(200))
    #: Seats for registered residents; empty means no limit.
    capacity: Mapped[int | None]
    status: Mapped[SessionStatus] = mapped_column(
        value_enum(SessionStatus, 20), default=SessionStatus.SCHEDULED
    )
    cancel_reason: Mapped[str] = mapped_column(String(500), default="")
    #: The deputy who receives residents, for receptions.
    host_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Bumped on every change, so calendar apps pick up reschedulings (iCalendar SEQUENCE).
    sequence: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    community: Mapped[Community | None] = relationship()
    station: Mapped[Station | None] = relationship()
    host = relationship("User", foreign_keys=[host_id])
    created_by = relationship("User", foreign_keys=[created_by_id])
    agenda: Mapped[list["AgendaItem"]] = relationship(
        back_populates="session", order_by="AgendaItem.position", cascade="all, delete-orphan"
    )
    registrations: Mapped[list["Registration"]] = relationship(
        back_populates="session", order_by="Registration.id"
    )
    walk_ins: Mapped[list["WalkIn"]] = relationship(back_populates="session", order_by="WalkIn.id")
    minutes: Mapped[list["Minutes"]] = relationship(
        back_populates="session", order_by="Minutes.revision"
    )

    __table_args__ = (
        CheckConstraint("community_id IS NOT NULL OR station_id IS NOT NULL", name="has_place"),
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        CheckConstraint("ends_at >= starts_at", name="ends_after_start"),
    )

    # -- state ---------------------------------------------------------------

    @property
    def is_upcoming(self) -> bool:
        return self.status == SessionStatus.SCHEDULED and self.ends_at >= utcnow()

    @property
    def is_past(self) -> bool:
        return self.starts_at < utcnow()

    @property
    def registration_open(self) -> bool:
        return self.status == SessionStatus.SCHEDULED and self.starts_at > utcnow()

    @property
    def registered(self) -> list["Registration"]:
        return [r for r in self.registrations if r.status == RegistrationStatus.REGISTERED]

    @property
    def waiting(self) -> list["Registration"]:
        return [r for r in self.registrations if r.status == RegistrationStatus.WAITING]

    @property
    def seats_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - len(self.registered), 0)

    @property
    def attendance_count(self) -> int:
        return sum(1 for r in self.registered if r.attended) + len(self.walk_ins)

    @property
    def current_minutes(self) -> "Minutes | None":
        return self.minutes[-1] if self.minutes else None

    def registration_of(self, user) -> "Registration | None":
        if user is None or not getattr(user, "is_authenticated", False):
            return None
        for r in self.registrations:
            if r.user_id == user.id and r.status != RegistrationStatus.CANCELLED:
                return r
        return None

    def mark_held(self) -> None:
        from flask_babel import gettext as _

        if self.status != SessionStatus.SCHEDULED:
            raise TransitionError(_("Only a scheduled session can be marked as held."))
        self.status = SessionStatus.HELD
        self.touch()

    def cancel(self, reason: str) -> None:
        from flask_babel import gettext as _

        if self.status != SessionStatus.SCHEDULED:
            raise TransitionError(_("Only a scheduled session can be cancelled."))
        if not reason.strip():
            raise TransitionError(_("Give a reason for the cancellation."))
        self.status = SessionStatus.CANCELLED
        self.cancel_reason = reason.strip()
        self.touch()

    def publish_minutes_state(self) -> None:
        from flask_babel import gettext as _

        if self.status == SessionStatus.CANCELLED:
            raise TransitionError(_("A cancelled session has no minutes."))
        if self.status == SessionStatus.SCHEDULED and self.starts_at > utcnow():
            raise TransitionError(_("Minutes can be written only once the session has begun."))
        self.status = SessionStatus.MINUTES_PUBLISHED
        self.touch()

    def touch(self) -> None:
        self.sequence = (self.sequence or 0) + 1
        self.updated_at = utcnow()

    @property
    def community_ids(self) -> list[int]:
        """The communities whose residents the session concerns."""
        if self.community_id is not None:
            return [self.community_id]
        return [c.id for c in self.station.communities] if self.station else []


class AgendaItem(db.Model):
    __tablename__ = "session_agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("hearing_sessions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(String(300))

    session: Mapped[HearingSession] = relationship(back_populates="agenda")


class RegistrationStatus(enum.StrEnum):
    REGISTERED = "registered"
    WAITING = "waiting"
    CANCELLED = "cancelled"

    @property
    def label(self):
        return {
            "registered": _l("Registered"),
            "waiting": _l("On the waiting list"),
            "cancelled": _l("Cancelled"),
        }[self.value]


class Registration(db.Model):
    """A resident's place at a session, or on its waiting list; at most one row per resident."""

    __tablename__ = "session_registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("hearing_sessions.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(value_enum(RegistrationStatus, 20))
    #: What the resident asks to speak about; empty if they only listen.
    speak_topic: Mapped[str] = mapped_column(String(200), default="")
    #: Orders the waiting list: first come, first promoted (re-set on each new sign-up).
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]
    promoted_at: Mapped[datetime | None]
    attended: Mapped[bool] = mapped_column(default=False)
    attended_at: Mapped[datetime | None]

    session: Mapped[HearingSession] = relationship(back_populates="registrations")
    user = relationship("User")

    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    @property
    def waiting_position(self) -> int | None:
        if self.status != RegistrationStatus.WAITING:
            return None
        queue = sorted(self.session.waiting, key=lambda r: (r.queued_at, r.id))
        return queue.index(self) + 1


class WalkIn(db.Model):
    """Someone who came without registering, perhaps without an account: name and building optional."""

    __tablename__ = "session_walk_ins"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("hearing_sessions.id"), index=True)
    name: Mapped[str] = mapped_column(String(50), default="")
    building_id: Mapped[int | None] = mapped_column(ForeignKey("buildings.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    session: Mapped[HearingSession] = relationship(back_populates="walk_ins")
    building: Mapped[Building | None] = relationship()


class Minutes(db.Model):
    """One published revision of a session's minutes (纪要); never edited, corrected by a new revision."""

    __tablename__ = "session_minutes"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("hearing_sessions.id"), index=True)
    #: 1 for the first publication, then 2, 3, ... for corrections.
    revision: Mapped[int] = mapped_column(default=1)
    summary: Mapped[str] = mapped_column(Text)
    decisions: Mapped[str] = mapped_column(Text, default="")
    #: Why this revision corrects the previous one (empty for revision 1).
    correction_note: Mapped[str] = mapped_column(String(500), default="")
    attendance_registered: Mapped[int] = mapped_column(default=0)
    attendance_walk_ins: Mapped[int] = mapped_column(default=0)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    session: Mapped[HearingSession] = relationship(back_populates="minutes")
    published_by = relationship("User")
    actions: Mapped[list["FollowUpAction"]] = relationship(
        back_populates="minutes", order_by="FollowUpAction.id", cascade="all"
    )
    speakers: Mapped[list["Speaker"]] = relationship(
        back_populates="minutes", order_by="Speaker.id", cascade="all"
    )

    __table_args__ = (UniqueConstraint("session_id", "revision"),)

    @property
    def attendance_total(self) -> int:
        return self.attendance_registered + self.attendance_walk_ins


class FollowUpAction(db.Model):
    """A follow-up action decided at a session, with the body responsible and a due date."""

    __tablename__ = "minutes_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(ForeignKey("session_minutes.id"), index=True)
    text: Mapped[str] = mapped_column(String(500))
    body_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id"))
    due_date: Mapped[date | None] = mapped_column(Date)

    minutes: Mapped[Minutes] = relationship(back_populates="actions")
    body: Mapped[Body | None] = relationship()


class Speaker(db.Model):
    """Who spoke and what they said; the name is published only with the speaker's consent."""

    __tablename__ = "minutes_speakers"

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(ForeignKey("session_minutes.id"), index=True)
    #: The name as the speaker agreed to have it published; empty → "a resident".
    name: Mapped[str] = mapped_column(String(50), default="")
    consent: Mapped[bool] = mapped_column(default=False)
    points: Mapped[str] = mapped_column(Text)

    minutes: Mapped[Minutes] = relationship(back_populates="speakers")

    @property
    def public_name(self) -> str | None:
        return self.name if self.consent and self.name else None


def _refuse_change(_mapper, _connection, target):
    raise RuntimeError("published minutes are immutable; publish a correction instead")


for _model in (Minutes, FollowUpAction, Speaker):
    event.listen(_model, "before_update", _refuse_change)
    event.listen(_model, "before_delete", _refuse_change)


#: Tables whose rows never change once written (published minutes, a suggestion's history). The ORM
#: listeners refuse changes made through the app; these triggers refuse them from any client too.
#: SQLite refuses UPDATE (tests empty tables with DELETE); PostgreSQL refuses UPDATE and DELETE
#: (tests empty tables with TRUNCATE, which triggers do not see). Migration 0003 creates the same.
IMMUTABLE_TABLES = ("session_minutes", "minutes_actions", "minutes_speakers", "suggestion_events")


def immutable_trigger_sql(table: str, dialect: str) -> str:
    if dialect == "postgresql":
        return (
            "CREATE OR REPLACE FUNCTION hearings_refuse_change() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' rows are immutable'; END; $$ LANGUAGE plpgsql; "
            f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION hearings_refuse_change();"
        )
    return (
        f"CREATE TRIGGER {table}_immutable BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} rows are immutable'); END"
    )


# --- suggestions -------------------------------------------------------------


class Category(enum.StrEnum):
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


class SuggestionStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    ANSWERED = "answered"
    REOPENED = "reopened"
    CLOSED = "closed"
    DECLINED = "declined"

    @property
    def label(self):
        return SUGGESTION_STATUS_LABELS[self]

    @property
    def badge(self) -> str:
        return {
            "submitted": "info",
            "accepted": "warn",
            "answered": "ok",
            "reopened": "warn",
            "closed": "neutral",
            "declined": "danger",
        }[self.value]


SUGGESTION_STATUS_LABELS = {
    SuggestionStatus.SUBMITTED: _l("Submitted"),
    SuggestionStatus.ACCEPTED: _l("Accepted, awaiting answer"),
    SuggestionStatus.ANSWERED: _l("Answered"),
    SuggestionStatus.REOPENED: _l("Reopened"),
    SuggestionStatus.CLOSED: _l("Closed"),
    SuggestionStatus.DECLINED: _l("Declined"),
}

#: Status → the statuses it may move to.
TRANSITIONS: dict[SuggestionStatus, frozenset[SuggestionStatus]] = {
    SuggestionStatus.SUBMITTED: frozenset({SuggestionStatus.ACCEPTED, SuggestionStatus.DECLINED}),
    SuggestionStatus.ACCEPTED: frozenset({SuggestionStatus.ANSWERED, SuggestionStatus.DECLINED}),
    SuggestionStatus.ANSWERED: frozenset({SuggestionStatus.CLOSED, SuggestionStatus.REOPENED}),
    SuggestionStatus.REOPENED: frozenset({SuggestionStatus.ANSWERED}),
    SuggestionStatus.CLOSED: frozenset(),
    SuggestionStatus.DECLINED: frozenset(),
}

#: Statuses in which the responsible body owes an answer.
AWAITING_ANSWER = (SuggestionStatus.ACCEPTED, SuggestionStatus.REOPENED)


class SuggestionSource(enum.StrEnum):
    ONLINE = "online"
    SESSION = "session"
    RECEPTION = "reception"
    MINUTES = "minutes"

    @property
    def label(self):
        return {
            "online": _l("Submitted online"),
            "session": _l("Recorded at a session"),
            "reception": _l("Recorded at a deputy reception"),
            "minutes": _l("Drawn from a session's minutes"),
        }[self.value]


class Rating(enum.StrEnum):
    SATISFIED = "satisfied"  # 满意
    FAIRLY_SATISFIED = "fairly_satisfied"  # 基本满意
    UNSATISFIED = "unsatisfied"  # 不满意

    @property
    def label(self):
        return {
            "satisfied": _l("Satisfied"),
            "fairly_satisfied": _l("Fairly satisfied"),
            "unsatisfied": _l("Unsatisfied"),
        }[self.value]

    @property
    def badge(self) -> str:
        return {"satisfied": "ok", "fairly_satisfied": "info", "unsatisfied": "danger"}[self.value]


#: An unsatisfied rating reopens a suggestion this many times at most.
MAX_REOPENINGS = 1
#: Working days a body has to answer, counted from acceptance.
DEFAULT_DUE_WORKING_DAYS = 15
#: Working days the submitter has to rate an answer before the secretary may close it unrated
#: (closing at once would take away their chance to reopen it).
RATING_WINDOW_WORKING_DAYS = 5
SUMMARY_MAX = 200
TEXT_MAX = 2000


class Suggestion(db.Model):
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
    # Candidate livelihood project (the Votes domain turns these into vote projects).
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
    session: Mapped[HearingSession | None] = relationship()
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

    def _move(self, status: SuggestionStatus) -> None:
        from flask_babel import gettext as _

        if not self.can_move_to(status):
            raise TransitionError(
                _(
                    "A suggestion that is “%(current)s” cannot become “%(new)s”.",
                    current=self.status.label,
                    new=status.label,
                )
            )
        self.status = status

    @property
    def is_overdue(self) -> bool:
        return (
            self.status in AWAITING_ANSWER
            and self.due_date is not None
            and self.due_date < local_today()
        )

    @property
    def awaiting_answer(self) -> bool:
        return self.status in AWAITING_ANSWER

    @property
    def age_days(self) -> int:
        end = self.closed_at or utcnow()
        return max((end - self.submitted_at).days, 0)

    @property
    def answered_on_time(self) -> bool | None:
        if self.first_answered_at is None or self.due_date is None:
            return None
        from app.core.time import to_local

        return to_local(self.first_answered_at).date() <= self.due_date

    @property
    def may_reopen(self) -> bool:
        return self.reopen_count < MAX_REOPENINGS

    @property
    def rating_deadline(self) -> date | None:
        """The last day the submitter may rate before the answer can be closed unrated; None for a walk-in."""
        if self.answered_at is None or self.submitter_id is None:
            return None
        from app.core.time import add_working_days, to_local

        return add_working_days(to_local(self.answered_at).date(), RATING_WINDOW_WORKING_DAYS)

    def can_close_unrated(self, today: date | None = None) -> bool:
        if self.status != SuggestionStatus.ANSWERED:
            return False
        deadline = self.rating_deadline
        return deadline is None or (today or local_today()) > deadline

    def can_rate(self, user) -> bool:
        return (
            self.status == SuggestionStatus.ANSWERED
            and user is not None
            and getattr(user, "is_authenticated", False)
            and self.submitter_id == user.id
        )

    def is_submitter(self, user) -> bool:
        return bool(
            user is not None
            and getattr(user, "is_authenticated", False)
            and self.submitter_id == user.id
        )


class SuggestionEvent(db.Model):
    """One step in a suggestion's public history: its new status and the public note that went with it."""

    __tablename__ = "suggestion_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    suggestion_id: Mapped[int] = mapped_column(ForeignKey("suggestions.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    #: "submitted", "accepted", "rerouted", "answered", "rated", "reopened", "closed", "declined", "candidate".
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
}


@event.listens_for(SuggestionEvent, "before_update")
@event.listens_for(SuggestionEvent, "before_delete")
def _history_is_append_only(_mapper, _connection, target):
    raise RuntimeError("a suggestion's history is append-only")


for _model in (Minutes, FollowUpAction, Speaker, SuggestionEvent):
    for _dialect in ("sqlite", "postgresql"):
        event.listen(
            _model.__table__,
            "after_create",
            DDL(immutable_trigger_sql(_model.__tablename__, _dialect)).execute_if(dialect=_dialect),
        )
