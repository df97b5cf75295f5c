"""The audit log in the reader's words: a name per action code, kinds to filter by, objects by name.

Each domain registers one `AuditKind` (registry kind "audit_kind") from its `init_app`: the
action codes it records, each with a message in its own catalogue, and how to name and link the
objects it records them on. The audit page (accounts) asks here; a code nobody named is shown
as the code itself, and tests/test_core_audit_log.py fails on it.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.registry import registered
from app.extensions import db


@dataclass(frozen=True)
class ObjectNamer:
    """How to name and link one table's rows in the log."""

    model: type
    #: What the object is, when it has no name of its own ("Comment").
    label: Any
    name: Callable[[Any], str] = lambda obj: ""
    link: Callable[[Any], str | None] = lambda obj: None


@dataclass(frozen=True)
class AuditKind:
    """A kind of entry to filter by: a named group of action codes."""

    key: str
    label: Any
    #: Code prefixes of the kind, with their dot ("pact.").
    prefixes: tuple[str, ...]
    #: code -> its name in the reader's language (a lazy string).
    actions: Mapping[str, Any]
    #: table name -> how to name its rows.
    objects: Mapping[str, ObjectNamer] = field(default_factory=dict)


@dataclass(frozen=True)
class ObjectView:
    """An entry's object as the page shows it."""

    text: str
    url: str | None


def personal_data_kind() -> AuditKind:
    """Every look at residents' personal data, whichever domain shows it."""
    return AuditKind(
        "personal_data",
        _l("Looks at personal data"),
        ("personal_data.",),
        {
            "personal_data.view": _l("Looked at personal data"),
            "personal_data.export": _l("Exported personal data"),
            "personal_data.members": _l("Looked at the member list"),
            "personal_data.requests": _l("Looked at the membership requests"),
            "personal_data.attendance": _l("Looked at a session's attendance list"),
            "personal_data.sign_in_sheet": _l("Opened a session's sign-in sheet"),
            "personal_data.submitter": _l("Looked at who submitted a suggestion"),
            "personal_data.voters": _l("Looked at the list of voters"),
        },
    )


def system_kind() -> AuditKind:
    """What the site does by itself: e-mails sent from the outbox."""
    return AuditKind("system", _l("E-mail"), ("mail.",), {"mail.sent": _l("Sent an e-mail")})


def kinds() -> list[AuditKind]:
    """Every registered kind, in registration order."""
    return [provider() for provider in registered("audit_kind")]


def action_names() -> dict[str, Any]:
    """Every named action code."""
    names: dict[str, Any] = {}
    for kind in kinds():
        names.update(kind.actions)
    return names


def action_label(code: str, names: Mapping[str, Any] | None = None) -> str:
    """The action's name in the reader's language, or its code when nobody named it."""
    names = action_names() if names is None else names
    label = names.get(code)
    return str(label) if label is not None else code


def prefixes_of(kind_key: str) -> tuple[str, ...]:
    """The code prefixes of the kind `kind_key` (none if there is no such kind)."""
    for kind in kinds():
        if kind.key == kind_key:
            return kind.prefixes
    return ()


def describe_objects(entries: Iterable) -> dict[int, ObjectView]:
    """entry id -> its object by name, with a link; each table loaded once."""
    namers: dict[str, ObjectNamer] = {}
    for kind in kinds():
        namers.update(kind.objects)
    wanted: dict[str, set[int]] = {}
    for e in entries:
        if e.object_type and e.object_id is not None:
            wanted.setdefault(e.object_type, set()).add(e.object_id)
    loaded: dict[tuple[str, int], Any] = {}
    for table, ids in wanted.items():
        namer = namers.get(table)
        if namer is None:
            continue
        model: Any = namer.model
        for obj in db.session.scalars(select(model).where(model.id.in_(ids))):
            loaded[(table, obj.id)] = obj
    views: dict[int, ObjectView] = {}
    for e in entries:
        if not e.object_type:
            continue
        namer = namers.get(e.object_type)
        obj = loaded.get((e.object_type, e.object_id)) if namer else None
        if namer is None:
            views[e.id] = ObjectView(f"{e.object_type} #{e.object_id}", None)
        elif obj is None:
            views[e.id] = ObjectView(f"{namer.label} #{e.object_id}", None)
        else:
            name = namer.name(obj)
            views[e.id] = ObjectView(name or f"{namer.label} #{obj.id}", namer.link(obj))
    return views


def link_to(endpoint: str, **values) -> str:
    """`url_for`, for the namers' links."""
    return url_for(endpoint, **values)
