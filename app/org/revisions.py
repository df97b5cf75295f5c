"""The revision of the list of communities: replaced by every write that changes what the list
shows (a community added, removed, renamed, of another kind or subdistrict; a subdistrict
renamed), in the same transaction.

The home page keeps the list, and its rendered section, in the cache under this revision
(app/core/fragments.py), so nothing ever has to find and delete them. As for pacts
(app/core/revisions.py), a flush hook notes the change and a hook just before the commit replaces
the revision; a rollback keeps the old one. Until the first such write there is no revision row,
and nothing is cached (a restored or emptied database never meets the entries of another).
"""

from typing import Any

from flask import g, has_app_context
from sqlalchemy import String, insert, inspect, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.core.revisions import Flushed, Found, Renewal, new_cache_rev
from app.extensions import Model, db
from app.org.models import Community, Subdistrict

#: The revision's name in `site_revisions`.
COMMUNITIES = "communities"
#: What the list shows of a community and of a subdistrict.
COMMUNITY_SHOWN = ("name", "kind", "subdistrict_id")
SUBDISTRICT_SHOWN = ("name",)


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


def _changes(_session: Session, objects: Flushed) -> Found:
    """{"list": {1}} when this flush changed what the list shows; the request's copies of the
    list and its revision are then forgotten (it may read them again after its write)."""
    if not _changes_list(objects):
        return {}
    if has_app_context():
        g.pop("_communities", None)
        g.pop("_communities_rev", None)
    return {"list": {1}}


def _changes_list(objects: Flushed) -> bool:
    for obj, how in objects:
        shown = (
            COMMUNITY_SHOWN
            if isinstance(obj, Community)
            else SUBDISTRICT_SHOWN
            if isinstance(obj, Subdistrict)
            else None
        )
        if shown is None:
            continue
        if how != "updated":
            return True  # added or removed
        state: Any = inspect(obj)
        if any(state.attrs[a].history.has_changes() for a in shown):
            return True
    return False


def _renew(session: Session, _found: Found) -> None:
    table: Any = SiteRevision.__table__
    connection = session.connection()
    value = new_cache_rev()
    done = connection.execute(update(table).where(table.c.name == COMMUNITIES).values(value=value))
    if not done.rowcount:
        connection.execute(insert(table).values(name=COMMUNITIES, value=value))


#: The list's revision, renewed by the session hooks of app/core/revisions.py.
renewal = Renewal("communities", _changes, _renew)
connect = renewal.connect
