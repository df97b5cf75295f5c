"""Defining a vote: create and edit a draft, and put a pact version to a ratification vote."""

from collections.abc import Iterable
from datetime import datetime

from flask_babel import lazy_gettext as _l

from app.core import audit
from app.core.db import begin_write
from app.core.errors import InvalidInput
from app.extensions import db
from app.org.models import Community
from app.projects.models import Project
from app.votes.common import lock_vote, params_given, require_manager
from app.votes.errors import VoteError
from app.votes.models import ElectorateKind, Method, Secrecy, Vote, VoteOption

CLOSES_AFTER_OPENS = _l("The vote must close after it opens.")


def _set_options(vote: Vote, projects: list[Project]) -> None:
    for project in projects:
        if project.community_id != vote.community_id:
            raise InvalidInput(_l("This action is not possible."), code="foreign_project")
    vote.options.clear()
    db.session.flush()
    for i, project in enumerate(projects):
        vote.options.append(VoteOption(project_id=project.id, position=i))


def create_vote(
    community: Community,
    *,
    title: str,
    description: str = "",
    electorate_kind: ElectorateKind | str,
    station_id: int | None = None,
    method: Method | str,
    secrecy: Secrecy | str,
    params: dict | None = None,
    opens_at: datetime,
    closes_at: datetime,
    auto_open: bool = False,
    projects: Iterable[Project] = (),
    pact_version_id: int | None = None,
    witness_quorum: int | None = None,
    actor,
) -> Vote:
    """Define a vote as a draft; nothing is frozen until it opens."""
    begin_write()
    require_manager(actor, community.id)
    if closes_at <= opens_at:
        raise InvalidInput(CLOSES_AFTER_OPENS, code="closes_before_opens")
    kind = ElectorateKind(electorate_kind)
    vote = Vote(
        community_id=community.id,
        title=title.strip(),
        description=description or "",
        electorate_kind=kind,
        station_id=station_id if kind == ElectorateKind.DEPUTIES else None,
        method=Method(method),
        secrecy=Secrecy(secrecy),
        params=params_given(params),
        opens_at=opens_at,
        closes_at=closes_at,
        auto_open=auto_open,
        pact_version_id=pact_version_id,
        witness_quorum=witness_quorum or None,
        created_by_id=actor.id,
    )
    db.session.add(vote)
    db.session.flush()
    if vote.method != Method.RATIFICATION:
        _set_options(vote, list(projects))
    db.session.flush()
    audit.record(
        "vote.create",
        vote,
        community=community.id,
        actor=actor,
        detail=f"{vote.title} · {vote.method} · {vote.electorate_kind}",
    )
    return vote


def update_vote(vote: Vote, *, actor, projects=None, **fields) -> Vote:
    """Change a draft vote; a vote that has opened can no longer change."""
    vote = lock_vote(vote)
    require_manager(actor, vote.community_id)
    if not vote.can_edit():
        raise VoteError(
            _l("This vote has already opened; its definition is frozen and cannot be edited."),
            "frozen",
        )
    for name in ("title", "description", "opens_at", "closes_at", "auto_open", "station_id"):
        if name in fields:
            setattr(vote, name, fields[name])
    if "witness_quorum" in fields:
        vote.witness_quorum = fields["witness_quorum"] or None
    for name, cls in (
        ("electorate_kind", ElectorateKind),
        ("method", Method),
        ("secrecy", Secrecy),
    ):
        if name in fields:
            setattr(vote, name, cls(fields[name]))
    if "params" in fields:
        vote.params = params_given(fields["params"])
    if vote.electorate_kind != ElectorateKind.DEPUTIES:
        vote.station_id = None
    if vote.closes_at <= vote.opens_at:
        raise InvalidInput(CLOSES_AFTER_OPENS, code="closes_before_opens")
    if projects is not None and vote.method != Method.RATIFICATION:
        _set_options(vote, list(projects))
    db.session.flush()
    audit.record("vote.edit", vote, community=vote.community_id, actor=actor)
    return vote


def create_ratification(
    community: Community,
    actor,
    *,
    title: str,
    pact_version_id: int,
    opens_at: datetime,
    closes_at: datetime,
    electorate_kind: ElectorateKind | str = ElectorateKind.RESIDENTS,
    secrecy: Secrecy | str = Secrecy.SECRET,
    params: dict | None = None,
) -> Vote:
    """Put a pact version to a ratification vote (a draft), from plain data.

    The pacts domain calls this from its own view, then moves its pact to ratification; votes
    keeps only the version's id and the title (for instance "<pact title>, version 2" in the creator's language).
    """
    return create_vote(
        community,
        title=title,
        electorate_kind=electorate_kind,
        method=Method.RATIFICATION,
        secrecy=secrecy,
        params=params,
        opens_at=opens_at,
        closes_at=closes_at,
        pact_version_id=pact_version_id,
        actor=actor,
    )
