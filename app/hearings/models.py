"""Sessions (hearings, meetings, deputy receptions), registrations, walk-ins and minutes.

State rules live here: each model's transition methods raise `Conflict` (or `InvalidInput`)
on an illegal move, and its `can_*` predicates (built on `app/hearings/permissions.py`) answer
views, templates, operations and the CLI alike.
"""

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import DDL, CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import value_enum
from app.core.errors import Conflict, InvalidInput
from app.core.revisions import new_cache_rev
from app.core.time import utcnow
from app.core.workdays import is_overdue
from app.extensions import Model
from app.hearings import permissions
from app.hearings.actions import ActionCompletion
from app.org.models import Body, Building, Community, Station
from app.suggestions.triggers import immutable_trigger_sql

__all__ = [
    "ActionCompletion",
    "AgendaItem",
    "FollowUpAction",
    "HearingSession",
    "Minutes",
    "Registration",
    "RegistrationStatus",
    "SessionKind",
    "SessionStatus",
    "Speaker",
    "WalkIn",
]


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


class HearingSession(Model):
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
    #: Replaced by every write that changes what the session page shows (hearings/freshness.py).
    cache_rev: Mapped[str] = mapped_column(String(16), default=new_cache_rev)

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

    # -- what a user may do here --------------------------------------------------

    def can_manage(self, user) -> bool:
        """Reschedule, cancel, write the minutes."""
        return permissions.can_manage(user, self)

    def can_run(self, user) -> bool:
        """Take attendance, add walk-ins, record suggestions, mark it held."""
        return permissions.can_run(user, self)

    def can_register(self, user) -> bool:
        """Whether `user` is someone who may sign up (a resident of a community it concerns)."""
        return permissions.can_register(user, self)

    # -- state and transitions -------------------------------------------------------
    @property
    def is_scheduled(self) -> bool:
        return self.status == SessionStatus.SCHEDULED

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED

    @property
    def is_held_pending(self) -> bool:
        """Under way or over, but not yet marked as held."""
        return self.is_scheduled and self.is_past

    @property
    def attendance_editable(self) -> bool:
        return self.status in (SessionStatus.SCHEDULED, SessionStatus.HELD)

    def check_changeable(self) -> None:
        if not self.is_scheduled:
            raise Conflict(_l("Only a scheduled session can be changed."))

    def check_attendance_editable(self) -> None:
        if not self.attendance_editable:
            raise Conflict(_l("Attendance can no longer be changed for this session."))

    def check_not_cancelled(self) -> None:
        if self.is_cancelled:
            raise Conflict(_l("This session was cancelled."))

    def check_open_for_registration(self) -> None:
        self.check_not_cancelled()
        if not self.registration_open:
            raise Conflict(_l("Registration is closed: the session has begun or is over."))

    def check_cancellable(self) -> None:
        if not self.is_scheduled:
            raise Conflict(_l("Only a scheduled session can be cancelled."))

    def check_minutes_allowed(self) -> None:
        if self.is_cancelled:
            raise Conflict(_l("A cancelled session has no minutes."))

    def mark_held(self) -> None:
        if not self.is_scheduled:
            raise Conflict(_l("Only a scheduled session can be marked as held."))
        self.status = SessionStatus.HELD
        self.touch()

    def cancel(self, reason: str) -> None:
        self.check_cancellable()
        if not reason.strip():
            raise InvalidInput(_l("Give a reason for the cancellation."))
        self.status = SessionStatus.CANCELLED
        self.cancel_reason = reason.strip()
        self.touch()

    def publish_minutes_state(self) -> None:
        self.check_minutes_allowed()
        if self.is_scheduled and self.starts_at > utcnow():
            raise Conflict(_l("Minutes can be written only once the session has begun."))
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


class AgendaItem(Model):
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


class Registration(Model):
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
    def is_registered(self) -> bool:
        return self.status == RegistrationStatus.REGISTERED

    @property
    def is_cancelled(self) -> bool:
        return self.status == RegistrationStatus.CANCELLED

    def set_attended(self, attended: bool, now: datetime) -> None:
        """Tick (or untick) the registrant at the door."""
        self.session.check_attendance_editable()
        if not self.is_registered:
            raise Conflict(_l("Only registered residents can be marked present."))
        self.attended = attended
        self.attended_at = now if attended else None

    @property
    def waiting_position(self) -> int | None:
        if self.status != RegistrationStatus.WAITING:
            return None
        queue = sorted(self.session.waiting, key=lambda r: (r.queued_at, r.id))
        return queue.index(self) + 1


class WalkIn(Model):
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


class Minutes(Model):
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


class FollowUpAction(Model):
    """A follow-up action decided at a session, with the body responsible and a due date."""

    __tablename__ = "minutes_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(ForeignKey("session_minutes.id"), index=True)
    text: Mapped[str] = mapped_column(String(500))
    body_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id"))
    due_date: Mapped[date | None] = mapped_column(Date)

    minutes: Mapped[Minutes] = relationship(back_populates="actions")
    body: Mapped[Body | None] = relationship()
    completion: Mapped[ActionCompletion | None] = relationship()

    @property
    def is_done(self) -> bool:
        return self.completion is not None

    @property
    def is_overdue(self) -> bool:
        """Not done, and a statutory working day has passed since its due date (as for suggestions)."""
        return not self.is_done and is_overdue(self.due_date)

    def can_mark_done(self, user) -> bool:
        """The secretary of a community the session concerns, or a handler of the action's body."""
        return permissions.can_mark_action_done(user, self.minutes.session, self.body_id)

    def check_markable(self) -> None:
        """Only an action of the latest minutes, not yet done, can be marked done."""
        if self.is_done:
            raise Conflict(_l("This follow-up action is already marked done."))
        latest = self.minutes.session.current_minutes
        if latest is None or latest.id != self.minutes_id:
            raise Conflict(_l("This follow-up action is from superseded minutes."))


class Speaker(Model):
    """Who spoke and what they said; the name is published only with the speaker's consent."""

    __tablename__ = "minutes_speakers"

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(ForeignKey("session_minutes.id"), index=True)
    #: The name as the speaker agreed to have it published; empty → "a resident". A linked
    #: speaker (`user_id`) keeps no copy: their current display name is shown instead.
    name: Mapped[str] = mapped_column(String(50), default="")
    consent: Mapped[bool] = mapped_column(default=False)
    points: Mapped[str] = mapped_column(Text)
    #: The member who spoke, when the secretary linked the entry to their account; cleared when
    #: that account is deleted (hearings/erasure.py), so the entry then reads "a resident".
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    minutes: Mapped[Minutes] = relationship(back_populates="speakers")
    user = relationship("User")

    @property
    def public_name(self) -> str | None:
        """The name the minutes show, only with the speaker's consent; None → "a resident"."""
        if not self.consent:
            return None
        if self.user_id is not None:
            return (self.user.display_name or "").strip() or None if self.user else None
        return self.name or None


def _refuse_change(_mapper, _connection, target):
    raise RuntimeError("published minutes are immutable; publish a correction instead")


for _model in (Minutes, FollowUpAction, Speaker):
    event.listen(_model, "before_update", _refuse_change)
    event.listen(_model, "before_delete", _refuse_change)


#: Published minutes never change: the ORM listeners above refuse it, these triggers too (0003).
for _model in (Minutes, FollowUpAction, Speaker):
    for _dialect in ("sqlite", "postgresql"):
        event.listen(
            _model.__table__,
            "after_create",
            DDL(immutable_trigger_sql(_model.__tablename__, _dialect)).execute_if(dialect=_dialect),
        )
