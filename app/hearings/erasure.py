"""A deleted account's traces in hearings: its registrations go, its name leaves the minutes.

Published minutes never change (`models.py`: ORM guards and database triggers) with one
exception, the law's right to erasure: a speaker entry linked to the deleted account, or whose
typed-in name is the deleted person's display name, loses the link and the name (shown as "a
resident" from then on), and the name is replaced wherever the speaker's points repeat it. The trigger is lifted for that one statement,
inside the deleting transaction, so nothing else can slip through.
"""

from sqlalchemy import Table, func, or_, select, text, update

from app.extensions import db
from app.hearings.freshness import renew_sessions_of_minutes
from app.hearings.models import Registration, Speaker, WalkIn
from app.hearings.operations import promote_waiting
from app.suggestions.triggers import immutable_trigger_sql

#: What replaces the name inside a speaker's points.
REDACTED = "***"


def erase_person(user) -> None:
    """`account_deleted` hook: registrations deleted (seats refilled), the name out of minutes."""
    name = (user.display_name or "").strip()
    registrations = db.session.scalars(
        select(Registration).where(Registration.user_id == user.id)
    ).all()
    refill = {
        r.session
        for r in registrations
        if r.is_registered and r.session.is_scheduled and r.session.registration_open
    }
    for registration in registrations:
        db.session.delete(registration)
    db.session.flush()
    for session in refill:
        promote_waiting(session)
    if name:
        db.session.execute(update(WalkIn).where(func.trim(WalkIn.name) == name).values(name=""))
    _erase_from_minutes(user.id, name)


def _erase_from_minutes(user_id: int, name: str) -> None:
    table: Table = Speaker.__table__  # type: ignore[assignment]
    matches = [table.c.user_id == user_id]
    if name:
        matches += [func.trim(table.c.name) == name, table.c.points.contains(name)]
    rows = db.session.execute(
        select(table.c.id, table.c.name, table.c.points, table.c.user_id, table.c.minutes_id).where(
            or_(*matches)
        )
    ).all()
    if not rows:
        return
    # Core statements below, which the flush hooks do not see: the pages are renewed by hand.
    renew_sessions_of_minutes({row.minutes_id for row in rows})
    with _immutability_lifted(table.name):
        for row in rows:
            # The entry was theirs when it is linked to the account or typed with their name:
            # it loses both (and the consent to name them) and reads "a resident" from now on.
            theirs = row.user_id == user_id or (bool(name) and row.name.strip() == name)
            # A Core UPDATE: the ORM's per-row guard is for edits, not for erasure.
            db.session.execute(
                update(table)
                .where(table.c.id == row.id)
                .values(
                    name="" if theirs else row.name,
                    consent=False if theirs else table.c.consent,
                    user_id=None if row.user_id == user_id else row.user_id,
                    points=row.points.replace(name, REDACTED) if name else row.points,
                )
            )


class _immutability_lifted:
    """Drop the table's immutability trigger for the statements inside, then restore it."""

    def __init__(self, table: str):
        self.table = table
        self.dialect = db.engine.dialect.name
        self.trigger = f"{table}_immutable"

    def __enter__(self):
        if self.dialect == "postgresql":
            db.session.execute(text(f"ALTER TABLE {self.table} DISABLE TRIGGER {self.trigger}"))
        else:
            db.session.execute(text(f"DROP TRIGGER IF EXISTS {self.trigger}"))
        return self

    def __exit__(self, *exc):
        if self.dialect == "postgresql":
            db.session.execute(text(f"ALTER TABLE {self.table} ENABLE TRIGGER {self.trigger}"))
        else:
            db.session.execute(text(immutable_trigger_sql(self.table, "sqlite")))
        return False
