"""What a session can be about: the pacts, votes, projects and suggestions of its communities.

Hearings import none of those domains (their models live above or beside this one): each
registers a provider (registry kind "session_subjects") returning a triple `(type, options,
title)`: `options(community_ids) -> [(id, title)]`, `title(id) -> str | None`. The form offers them by title in one searchable list (an
`<input list>` with a `<datalist>`: the browser narrows it as one types, without JavaScript),
and the session page shows the linked subject by its title, never "公约 #2".
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from app.core.registry import registered
from app.hearings.models import SUBJECT_TYPE_LABELS, SUBJECT_TYPES


@dataclass(frozen=True)
class SubjectSource:
    """One domain's objects a session may be about."""

    type: str
    #: community ids -> [(id, title)]
    options: Callable[[list[int]], list[tuple[int, str]]]
    #: id -> title, or None when there is no such object
    title: Callable[[int], str | None]


def _sources() -> dict[str, SubjectSource]:
    sources = [SubjectSource(*provider()) for provider in registered("session_subjects")]
    return {s.type: s for s in sources if s.type in SUBJECT_TYPES}


def projects_source() -> tuple:
    """Projects (a domain below hearings)."""
    from app.projects import session_subjects

    return ("project", session_subjects.options, session_subjects.title)


def suggestions_source() -> tuple:
    """Suggestions (a domain below hearings)."""
    from app.suggestions import session_subjects

    return ("suggestion", session_subjects.options, session_subjects.title)


def label(subject_type: str, title: str) -> str:
    """How the list shows a subject: "公约：文明养犬公约" / "Pact: Dog-keeping pact"."""
    return f"{SUBJECT_TYPE_LABELS[subject_type]}{_colon()}{title}"


def _colon() -> str:
    from flask_babel import get_locale

    locale = get_locale()
    return "：" if locale is None or locale.language == "zh" else ": "


def options(community_ids: Iterable[int]) -> list[tuple[str, int, str]]:
    """Every subject of these communities as (type, id, label), kinds in a fixed order."""
    ids = list(community_ids)
    sources = _sources()
    found = []
    for subject_type in SUBJECT_TYPES:
        source = sources.get(subject_type)
        if source is None:
            continue
        for obj_id, title in source.options(ids):
            found.append((subject_type, obj_id, label(subject_type, title)))
    return found


def title_of(subject_type: str | None, subject_id: int | None) -> str | None:
    """The linked subject's title, or None when it is gone (or nobody provides its kind)."""
    if not subject_type or not subject_id:
        return None
    source = _sources().get(subject_type)
    return source.title(subject_id) if source is not None else None
