"""The revision of the list of communities: replaced by every write that changes what the list
shows (a community added, removed, renamed, of another kind or subdistrict; a subdistrict
renamed), in the same transaction.

The home page keeps the list, and its rendered section, in the cache under this revision
(app/core/fragments.py), so nothing ever has to find and delete them. As in
app/pacts/freshness.py, a flush hook notes the change and a hook just before the commit replaces
the revision; a rollback keeps the old one. Until the first such write there is no revision row,
and nothing is cached (a restored or emptied database never meets the entries of another).
"""

import secrets
from typing import Any

from flask import g, has_app_context
from sqlalchemy import String, event, insert, inspect, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.core.fragments import mark_written
from app.extensions import Model, db
from app.org.models import Community, Subdistrict

#: The revision's name in `site_revisions`.
COMMUNITIES = "communities"
#: What the list shows of a community and of a subdistrict.
COMMUNITY_SHOWN = ("name", "kind", "subdistrict_id")
SUBDISTRICT_SHOWN = ("name",)
#: Where a session notes that a flush changed the list, until its transaction commits.
PENDING = "communities_to_renew"


class SiteRevision(Model):
    """A named revision of something many pages show (one row per name)."""

    __tablename__ = "site_revisions"

    name: Mapped[str] = mapped_column(String(30), primary_key=True)
    value: Mapped[str] = mapped_column(String(16))


def revision_query():
    """The revision of the list of communities, as a scalar subquery (None without a row)."""
    return select(SiteRevision.value).where(SiteRevision.name == COMMUNITIES).scalar_subquery()


def remember_revision(value: str | None) -> None:
    """`value`, read along with the signed-in user (accounts' `load_user`), is the revision for
    this request: no statement of its own."""
    if has_app_context():
        g._communities_rev = value


def communities_revision() -> str | None:
    """The revision of the list of communities, read once per request; None: do not cache."""
    if not has_app_context():
        return db.session.scalar(select(revision_query()))
    if "_communities_rev" not in g:
        g._communities_rev = db.session.scalar(select(revision_query()))
    return g._communities_rev


def _changes_list(session: Session) -> bool:
    new, dirty = session.new, session.dirty
    for obj in list(new) + list(dirty) + list(session.deleted):
        shown = (
            COMMUNITY_SHOWN
            if isinstance(obj, Community)
            else SUBDISTRICT_SHOWN
            if isinstance(obj, Subdistrict)
            else None
        )
        if shown is None:
            continue
        if obj not in dirty:
            return True  # added or removed
        state: Any = inspect(obj)
        if any(state.attrs[a].history.has_changes() for a in shown):
            return True
    return False


def _after_flush(session: Session, _flush_context) -> None:
    if not _changes_list(session):
        return
    mark_written(session)
    session.info[PENDING] = True
    if has_app_context():
        g.pop("_communities", None)
        g.pop("_communities_rev", None)


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return
    session.flush()
    if not session.info.pop(PENDING, False):
        return
    table: Any = SiteRevision.__table__
    connection = session.connection()
    value = secrets.token_hex(8)
    done = connection.execute(update(table).where(table.c.name == COMMUNITIES).values(value=value))
    if not done.rowcount:
        connection.execute(insert(table).values(name=COMMUNITIES, value=value))


def _after_transaction_end(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(PENDING, None)


def connect() -> None:
    """Install the hooks once per process (every app shares SQLAlchemy's Session class)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_transaction_end", _after_transaction_end)
