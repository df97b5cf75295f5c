"""Every write of the votes domain: projects, votes, ballots, checkpoints, tally, publication."""

import logging
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.accounts.names import mask
from app.accounts.queries import deputies_of_station, members_of_community
from app.core import audit
from app.core.db import begin_write, is_postgres
from app.core.notifications import N_, notify
from app.core.time import utcnow
from app.extensions import db
from app.org.models import Community
from app.votes import ballot_log
from app.votes.models import (
    Ballot,
    Checkpoint,
    ElectorateKind,
    IllegalVoteTransition,
    Method,
    Participation,
    Project,
    ProjectStatus,
    ProjectUpdate,
    Secrecy,
    Vote,
    VoteElector,
    VoteOption,
    VoteStatus,
)

log = logging.getLogger(__name__)

#: A checkpoint is taken after this many ballots...
CHECKPOINT_EVERY = 50
#: ...or when the last one is older than this and ballots have arrived since.
CHECKPOINT_INTERVAL = timedelta(minutes=10)


class VoteError(Exception):
    """An action refused for a reason the user must be told (the message is translatable)."""

    status = 400

    def __init__(self, message, code: str = "refused"):
        super().__init__(str(code))
        self.message = message
        self.code = code


class NotEligible(VoteError):
    status = 403


class AlreadyVoted(VoteError):
    status = 409


class VoteNotOpen(VoteError):
    status = 409


class InvalidChoices(VoteError):
    status = 400


# --------------------------------------------------------------------------- helpers


def iso(dt: datetime) -> str:
    """A naive-UTC datetime as published in the log: ISO 8601 with Z, whole seconds."""
    return dt.replace(microsecond=0).isoformat() + "Z"


def voter_public_name(vote: Vote, user: User) -> str:
    """How a voter appears publicly: deputies by name, residents masked with their building."""
    if vote.electorate_kind == ElectorateKind.DEPUTIES:
        return user.display_name
    household = user.household
    name = mask(user.display_name)
    return f"{name} · {household.building.label}" if household is not None else name


def _params_given(params: dict) -> dict:
    return {k: v for k, v in (params or {}).items() if v is not None and v != ""}


# --------------------------------------------------------------------------- projects


def create_project(
    community: Community,
    *,
    title: str,
    description: str = "",
    estimated_cost: int = 0,
    proponent: str = "",
    suggestions=(),
    actor=None,
) -> Project:
    """Record a candidate livelihood project, possibly from residents' suggestions."""
    project = Project(
        community_id=community.id,
        title=title.strip(),
        description=description or "",
        estimated_cost=int(estimated_cost or 0),
        proponent=(proponent or "").strip(),
        created_by_id=actor.id if actor is not None else None,
    )
    project.suggestions = list(suggestions)
    db.session.add(project)
    db.session.flush()
    audit.record(
        "project.create",
        project,
        community=community.id,
        actor=actor,
        detail=f"{project.title} ({project.estimated_cost} yuan)",
    )
    return project


def project_editable(project: Project) -> bool:
    """A candidate may be corrected while it sits only on drafts (they all pick up the change); not while
    an open or uncertified vote shows it to voters (its manifest already froze the title and cost)."""
    if project.status != ProjectStatus.CANDIDATE:
        return False
    busy = db.session.scalar(
        select(func.count(VoteOption.id))
        .join(Vote, Vote.id == VoteOption.vote_id)
        .where(
            VoteOption.project_id == project.id,
            Vote.status.in_([VoteStatus.OPEN, VoteStatus.CLOSED]),
        )
    )
    return not busy


def update_project(
    project: Project,
    *,
    title: str,
    description: str,
    estimated_cost: int,
    proponent: str,
    actor=None,
) -> Project:
    """Correct a candidate project's description before it goes to a vote."""
    if not project_editable(project):
        raise IllegalVoteTransition(
            "only a candidate project that is not being voted on can be edited"
        )
    project.title, project.description = title.strip(), description or ""
    project.estimated_cost, project.proponent = int(estimated_cost or 0), (proponent or "").strip()
    db.session.flush()
    audit.record("project.edit", project, community=project.community_id, actor=actor)
    return project


def advance_project(project: Project, to: ProjectStatus, actor=None) -> Project:
    """Move a project to its next status (planned, in progress, completed)."""
    previous = project.status
    project.advance(ProjectStatus(to))
    db.session.flush()
    audit.record(
        "project.status",
        project,
        community=project.community_id,
        actor=actor,
        detail=f"{previous} -> {project.status}",
    )
    return project


def add_project_update(
    project: Project, *, on: date, percent: int, note: str, actor=None
) -> ProjectUpdate:
    """Report progress on a winning project, with a date and how far along it is."""
    if not project.can_track():
        raise IllegalVoteTransition("progress is reported on planned or running projects only")
    if not 0 <= int(percent) <= 100:
        raise ValueError("percent must be 0..100")
    update = ProjectUpdate(
        project_id=project.id,
        on=on,
        percent=int(percent),
        note=note or "",
        author_id=actor.id if actor is not None else None,
    )
    db.session.add(update)
    db.session.flush()
    db.session.refresh(project)
    audit.record(
        "project.update",
        project,
        community=project.community_id,
        actor=actor,
        detail=f"{percent}% on {on.isoformat()}",
    )
    return update


# --------------------------------------------------------------------------- vote definition


def _set_options(vote: Vote, projects: list[Project]) -> None:
    for project in projects:
        if project.community_id != vote.community_id:
            raise ValueError("a vote's projects belong to its community")
    vote.options.clear()
    db.session.flush()
    for i, project in enumerate(projects):
        vote.options.append(VoteOption(project_id=project.id, position=i))


def create_vote(
    community: Community,
    *,
    title: str,
    description: str = "",
    electorate_kind: ElectorateKind,
    station_id: int | None = None,
    method: Method,
    secrecy: Secrecy,
    params: dict | None = None,
    opens_at: datetime,
    closes_at: datetime,
    auto_open: bool = False,
    projects=(),
    pact_version=None,
    actor=None,
) -> Vote:
    """Define a vote as a draft; nothing is frozen until it opens."""
    if closes_at <= opens_at:
        raise ValueError("a vote closes after it opens")
    vote = Vote(
        community_id=community.id,
        title=title.strip(),
        description=description or "",
        electorate_kind=ElectorateKind(electorate_kind),
        station_id=station_id
        if ElectorateKind(electorate_kind) == ElectorateKind.DEPUTIES
        else None,
        method=Method(method),
        secrecy=Secrecy(secrecy),
        params=_params_given(params),
        opens_at=opens_at,
        closes_at=closes_at,
        auto_open=auto_open,
        pact_version_id=pact_version.id if pact_version is not None else None,
        created_by_id=actor.id if actor is not None else None,
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


def update_vote(vote: Vote, *, actor=None, projects=None, **fields) -> Vote:
    """Change a draft vote; a vote that has opened can no longer change."""
    _lock_vote(vote)
    if not vote.can_edit():
        raise VoteError(
            _l("This vote has already opened; its definition is frozen and cannot be edited."),
            "frozen",
        )
    for name in ("title", "description", "opens_at", "closes_at", "auto_open", "station_id"):
        if name in fields:
            setattr(vote, name, fields[name])
    for name, cls in (
        ("electorate_kind", ElectorateKind),
        ("method", Method),
        ("secrecy", Secrecy),
    ):
        if name in fields:
            setattr(vote, name, cls(fields[name]))
    if "params" in fields:
        vote.params = _params_given(fields["params"])
    if vote.electorate_kind != ElectorateKind.DEPUTIES:
        vote.station_id = None
    if vote.closes_at <= vote.opens_at:
        raise ValueError("a vote closes after it opens")
    if projects is not None and vote.method != Method.RATIFICATION:
        _set_options(vote, list(projects))
    db.session.flush()
    audit.record("vote.edit", vote, community=vote.community_id, actor=actor)
    return vote


# --------------------------------------------------------------------------- lifecycle


def _lock_vote(vote: Vote) -> Vote:
    """Serialise writers on this vote: BEGIN IMMEDIATE on SQLite, SELECT ... FOR UPDATE on PostgreSQL."""
    begin_write()
    stmt = select(Vote).where(Vote.id == vote.id).execution_options(populate_existing=True)
    if is_postgres():
        stmt = stmt.with_for_update()
    return db.session.execute(stmt).scalar_one()


def electorate_members(vote: Vote) -> tuple[list[User], list]:
    """The users (deputies or residents) or households who make up the electorate right now."""
    if vote.electorate_kind == ElectorateKind.DEPUTIES:
        return [u for u in deputies_of_station(vote.station_id) if u.deleted_at is None], []
    residents = members_of_community(vote.community_id)
    if vote.electorate_kind == ElectorateKind.RESIDENTS:
        return residents, []
    households = {}
    for user in residents:
        household = user.household
        if household is not None:
            households[household.id] = household
    return [], [households[k] for k in sorted(households)]


def build_manifest(vote: Vote, electorate_size: int, opened_at: datetime) -> dict:
    """The manifest that freezes the vote (DESIGN.md, ballot log)."""
    options = (
        [
            {
                "id": str(o.project_id),
                "title": o.project.title,
                "cost": int(o.project.estimated_cost),
            }
            for o in vote.options
        ]
        if vote.method != Method.RATIFICATION
        else []
    )
    required, optional = ballot_log.PARAM_KEYS[vote.method.value]
    given = {k: v for k, v in _params_given(vote.params).items() if k in required | optional}
    params = ballot_log.default_params(
        vote.method.value, electorate_size, n_options=len(options), **given
    )
    return {
        "vote": vote.id,
        "title": vote.title,
        "method": vote.method.value,
        "options": options,
        "params": params,
        "electorate": {"kind": vote.electorate_kind.value, "size": electorate_size},
        "secrecy": vote.secrecy.value,
        "opens_at": iso(opened_at),
        "closes_at": iso(vote.closes_at),
    }


def _check_ballot_fits_method(vote: Vote) -> None:
    """Refuse to open a vote whose ballot could not be counted or published as it stands.

    Checked at opening (by hand or by `flask votes tick`), whatever path built the draft: a
    project may sit on several drafts, win one of them, or have no cost.
    """
    if vote.method == Method.RATIFICATION:
        return
    projects = [o.project for o in vote.options]
    taken = [p.title for p in projects if p.status != ProjectStatus.CANDIDATE]
    if taken:
        raise VoteError(
            _l(
                "These projects are no longer candidates (another vote or the secretary already "
                "planned them); remove them from the ballot first: %(titles)s",
                titles="、".join(taken),
            ),
            "not_candidates",
        )
    if vote.method == Method.EQUAL_SHARES:
        if not _params_given(vote.params).get("budget"):
            raise VoteError(_l("An equal-shares vote needs a budget."), "no_budget")
        free = [p.title for p in projects if p.estimated_cost <= 0]
        if free:
            raise VoteError(
                _l(
                    "An equal-shares vote divides its budget by cost, so every project needs a cost "
                    "above zero. Give these projects a cost or take them off the ballot: %(titles)s",
                    titles="、".join(free),
                ),
                "no_cost",
            )


def open_vote(vote: Vote, actor=None, now: datetime | None = None) -> Vote:
    """Open the vote: freeze its manifest and its electorate."""
    vote = _lock_vote(vote)
    now = now or utcnow()
    if not vote.can_open():
        if vote.status != VoteStatus.DRAFT:
            raise VoteError(_l("Only a draft vote can be opened."), "not_draft")
        raise VoteError(_l("Add at least one project before opening the vote."), "no_options")
    if vote.closes_at <= now:
        raise VoteError(
            _l("The closing time is already past; change it before opening."), "closes_in_past"
        )
    _check_ballot_fits_method(vote)
    users, households = electorate_members(vote)
    size = len(users) + len(households)
    if size == 0:
        raise VoteError(_l("The electorate is empty: nobody could vote."), "empty_electorate")
    try:
        manifest = build_manifest(vote, size, now)
    except ValueError as error:
        raise VoteError(
            _l("The vote's rules are incomplete; edit the vote before opening it."), "bad_params"
        ) from error
    problems = ballot_log.manifest_problems(manifest)
    if problems:
        log.warning("vote %s cannot open: %s", vote.id, "; ".join(problems))
        raise VoteError(
            _l("The vote's rules are incomplete; edit the vote before opening it."), "bad_params"
        )
    # Nothing is written before every check has passed, so a refused opening leaves no trace to commit.
    for user in users:
        db.session.add(VoteElector(vote_id=vote.id, user_id=user.id))
    for household in households:
        db.session.add(VoteElector(vote_id=vote.id, household_id=household.id))
    vote.open(manifest, ballot_log.manifest_hash(manifest), size, now)
    vote.opens_at = now.replace(microsecond=0)
    db.session.flush()
    audit.record(
        "vote.open",
        vote,
        community=vote.community_id,
        actor=actor,
        detail=f"electorate {size}, manifest {vote.manifest_hash}",
    )
    if users or households:
        notify(
            elector_users(vote),
            N_("The vote “%(title)s” is open: you can cast your ballot now."),
            link=f"/votes/{vote.id}/ballot",
            title=vote.title,
        )
    log.info("vote %s opened by %s", vote.id, getattr(actor, "id", None))
    return vote


def elector_users(vote: Vote) -> list[User]:
    """Everyone who may vote in the frozen electorate: its users, or every member of its households."""
    electors = list(
        db.session.scalars(
            select(User)
            .join(VoteElector, VoteElector.user_id == User.id)
            .where(VoteElector.vote_id == vote.id)
        )
    )
    if vote.per_household:
        households = set(
            db.session.scalars(
                select(VoteElector.household_id).where(VoteElector.vote_id == vote.id)
            )
        )
        electors += [
            u
            for u in members_of_community(vote.community_id)
            if u.household is not None and u.household.id in households
        ]
    return electors


def _hashes(vote_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(Ballot.hash).where(Ballot.vote_id == vote_id).order_by(Ballot.seq)
        )
    )


def latest_checkpoint(vote: Vote) -> Checkpoint | None:
    return db.session.scalar(
        select(Checkpoint)
        .where(Checkpoint.vote_id == vote.id)
        .order_by(Checkpoint.size.desc(), Checkpoint.id.desc())
        .limit(1)
    )


def take_checkpoint(
    vote: Vote, now: datetime | None = None, hashes: list[str] | None = None
) -> Checkpoint:
    """Record the log's size and Merkle root now."""
    now = now or utcnow()
    hashes = _hashes(vote.id) if hashes is None else hashes
    checkpoint = Checkpoint(
        vote_id=vote.id,
        size=len(hashes),
        root=ballot_log.merkle_root(hashes),
        at=iso(now),
        taken_at=now,
    )
    db.session.add(checkpoint)
    db.session.flush()
    return checkpoint


def checkpoint_due(vote: Vote, size: int, now: datetime) -> bool:
    """Every 50 ballots, or 10 minutes after the last checkpoint if ballots arrived since."""
    if size == 0:
        return False
    last = latest_checkpoint(vote)
    if last is not None and last.size >= size:
        return False
    if size % CHECKPOINT_EVERY == 0:
        return True
    since = last.taken_at if last is not None else (vote.opened_at or now)
    return now - since >= CHECKPOINT_INTERVAL


def close_vote(vote: Vote, actor=None, now: datetime | None = None) -> Vote:
    """Close the vote: final checkpoint, Merkle root and tally."""
    from app.votes import methods

    vote = _lock_vote(vote)
    now = now or utcnow()
    if not vote.can_close():
        raise VoteError(_l("Only an open vote can be closed."), "not_open")
    vote.close(now)
    ballots = list(
        db.session.scalars(select(Ballot).where(Ballot.vote_id == vote.id).order_by(Ballot.seq))
    )
    hashes = [b.hash for b in ballots]
    last = latest_checkpoint(vote)
    if last is None or last.size != len(hashes):
        take_checkpoint(vote, now, hashes)
    root = ballot_log.merkle_root(hashes)
    vote.final_root = root
    vote.result = methods.tally(vote.manifest, [b.choices for b in ballots], root)
    db.session.flush()
    audit.record(
        "vote.close",
        vote,
        community=vote.community_id,
        actor=actor,
        detail=f"{len(ballots)} ballots, root {root}",
    )
    log.info("vote %s closed by %s", vote.id, getattr(actor, "id", None))
    return vote


def publish_vote(vote: Vote, actor, now: datetime | None = None) -> Vote:
    """The secretary certifies the tally and publishes it; winners become planned projects."""
    vote = _lock_vote(vote)
    if not vote.can_publish():
        raise VoteError(_l("Only a closed vote can be certified and published."), "not_closed")
    vote.publish(actor, now or utcnow())
    db.session.flush()
    if vote.method == Method.RATIFICATION:
        from app.pacts.models import PactStatus

        pact = vote.pact_version.pact if vote.pact_version is not None else None
        # Only a pact waiting in ratification is concluded (an imported or replayed vote changes nothing).
        if pact is not None and pact.status == PactStatus.RATIFICATION:
            from app.pacts.operations import conclude_ratification

            conclude_ratification(pact, bool(vote.result.get("adopted")), actor)
    else:
        winners = {int(w) for w in vote.result.get("winners", [])}
        for option in vote.options:
            if option.project_id in winners and option.project.status == ProjectStatus.CANDIDATE:
                advance_project(option.project, ProjectStatus.PLANNED, actor)
    audit.record(
        "vote.publish",
        vote,
        community=vote.community_id,
        actor=actor,
        detail=f"certified; root {vote.final_root}",
    )
    electors = elector_users(vote)
    if electors:
        notify(
            list(electors),
            N_("The result of the vote “%(title)s” is published."),
            link=f"/votes/{vote.id}",
            title=vote.title,
        )
    return vote


def cancel_vote(vote: Vote, reason: str, actor=None) -> Vote:
    """Cancel a draft or open vote, with a reason; any ballots stay in the log."""
    vote = _lock_vote(vote)
    if not (reason or "").strip():
        raise VoteError(_l("Give a reason for cancelling the vote."), "no_reason")
    if not vote.can_cancel():
        raise VoteError(_l("This vote can no longer be cancelled."), "not_cancellable")
    vote.cancel(reason, utcnow())
    db.session.flush()
    audit.record("vote.cancel", vote, community=vote.community_id, actor=actor, detail=reason)
    if vote.method == Method.RATIFICATION and vote.pact_version is not None:
        from app.pacts.models import PactStatus
        from app.pacts.operations import conclude_ratification

        pact = vote.pact_version.pact
        if pact.status == PactStatus.RATIFICATION:
            # A cancelled ratification sends the pact back to revision.
            conclude_ratification(pact, False, actor)
    return vote


# --------------------------------------------------------------------------- casting


def elector_for(vote: Vote, user: User) -> VoteElector | None:
    """The frozen electorate entry under which `user` may vote, if any."""
    if user is None or not getattr(user, "is_authenticated", True) or user.deleted_at is not None:
        return None
    if vote.per_household:
        household = user.household
        if household is None:
            return None
        return db.session.scalar(
            select(VoteElector).where(
                VoteElector.vote_id == vote.id, VoteElector.household_id == household.id
            )
        )
    return db.session.scalar(
        select(VoteElector).where(VoteElector.vote_id == vote.id, VoteElector.user_id == user.id)
    )


def has_voted(vote: Vote, user: User) -> bool:
    elector = elector_for(vote, user)
    if elector is None:
        return False
    key = elector.household_id if vote.per_household else elector.user_id
    return (
        db.session.scalar(
            select(Participation.id).where(
                Participation.vote_id == vote.id, Participation.voter_key == key
            )
        )
        is not None
    )


def check_choices(vote: Vote, choices: dict) -> dict:
    """The choices normalised for the vote's method, or InvalidChoices with a clear message."""
    try:
        return ballot_log.validate_choices(
            vote.method.value,
            vote.option_ids()
            if vote.manifest is None
            else [o["id"] for o in vote.manifest["options"]],
            vote.manifest["params"] if vote.manifest else vote.params,
            choices,
        )
    except ballot_log.InvalidBallot as error:
        raise InvalidChoices(
            invalid_ballot_message(vote, error), getattr(error, "code", "invalid")
        ) from error


def invalid_ballot_message(vote: Vote, error) -> str:
    code = getattr(error, "code", "") or ""
    k = (vote.manifest or {}).get("params", {}).get("max_choices")
    if "too_many" in code or "max" in code:
        return _l("You chose more projects than allowed (at most %(k)s).", k=k)
    if "unknown" in code:
        return _l("Your ballot names a project that is not on this vote.")
    if "missing" in code:
        return _l("Please answer yes, no or abstain for every project.")
    if "duplicate" in code:
        return _l("Your ballot names the same project twice.")
    if "empty" in code or "none" in code:
        return _l("Please choose at least one project.")
    if "answer" in code or "value" in code:
        return _l("Please answer yes, no or abstain.")
    return _l("This ballot is not valid for this vote.")


def cast_ballot(
    vote: Vote,
    voter_user: User,
    choices: dict,
    entered_by: User | None = None,
    now: datetime | None = None,
) -> Ballot:
    """Append one ballot to the log, with its participation row, in one transaction.

    Refused ballots change nothing: no participation, no record, the chain does not advance.
    """
    vote = _lock_vote(vote)
    now = now or utcnow()
    if not vote.can_receive_ballots(now):
        raise VoteNotOpen(_l("This vote is not open for ballots."), "not_open")
    elector = elector_for(vote, voter_user)
    if elector is None:
        raise NotEligible(
            _l("You are not in this vote's electorate, so you cannot vote in it."), "not_eligible"
        )
    key = elector.household_id if vote.per_household else elector.user_id
    if has_voted(vote, voter_user):
        raise AlreadyVoted(_already_voted_message(vote), "already_voted")
    normalised = check_choices(vote, choices)

    last = db.session.execute(
        select(Ballot.seq, Ballot.hash)
        .where(Ballot.vote_id == vote.id)
        .order_by(Ballot.seq.desc())
        .limit(1)
    ).first()
    seq = 0 if last is None else last.seq + 1
    prev = vote.manifest_hash if last is None else last.hash
    name = voter_public_name(vote, voter_user)
    record = ballot_log.make_record(
        seq=seq,
        vote=vote.id,
        cast_at=iso(now),
        voter=None if vote.is_secret else name,
        choices=normalised,
        nonce=ballot_log.new_nonce(),
        prev=prev,
    )
    try:
        with db.session.begin_nested():
            db.session.add(
                Participation(
                    vote_id=vote.id,
                    voter_key=key,
                    user_id=voter_user.id,
                    household_id=elector.household_id,
                    name=name,
                    at=now,
                )
            )
            db.session.flush()
            ballot = Ballot(
                vote_id=vote.id,
                seq=seq,
                cast_at=record["cast_at"],
                voter=record["voter"],
                choices=record["choices"],
                nonce=record["nonce"],
                prev=record["prev"],
                hash=record["hash"],
                entered_by_id=entered_by.id if entered_by is not None else None,
            )
            db.session.add(ballot)
            db.session.flush()
    except IntegrityError as error:
        raise AlreadyVoted(_already_voted_message(vote), "already_voted") from error
    if checkpoint_due(vote, seq + 1, now):
        take_checkpoint(vote, now)
    # In a secret vote the audit log must not tie a voter to a record: it names neither the seq
    # nor (for a ballot cast online) the voter, whose time would match the record's cast_at.
    # Who took part is in the participation list; the secretary who typed in a paper ballot saw
    # its choices anyway, so that entry still says who entered it and for whom.
    which = "" if vote.is_secret else f" #{seq}"
    if entered_by is not None:
        audit.record(
            "vote.paper_ballot",
            vote,
            community=vote.community_id,
            actor=entered_by,
            detail=f"paper ballot{which} entered by user {entered_by.id} for user {voter_user.id}",
        )
    else:
        audit.record(
            "vote.cast",
            vote,
            community=vote.community_id,
            actor=voter_user,
            detail=f"ballot{which}",
            anonymous=vote.is_secret,
        )
    return ballot


def _already_voted_message(vote: Vote):
    if vote.per_household:
        return _l("Your household has already voted; a ballot, once cast, is final.")
    return _l("You have already voted in this vote; a ballot, once cast, is final.")


# --------------------------------------------------------------------------- scheduled work


def tick(now: datetime | None = None) -> dict:
    """Open what is due, close what is due, and take checkpoints on open votes."""
    now = now or utcnow()
    done = {"opened": [], "closed": [], "checkpoints": []}
    due_open = db.session.scalars(
        select(Vote.id).where(
            Vote.status == VoteStatus.DRAFT, Vote.auto_open.is_(True), Vote.opens_at <= now
        )
    ).all()
    for vote_id in due_open:
        vote = db.session.get(Vote, vote_id)
        try:
            open_vote(vote, None, now)
            done["opened"].append(vote_id)
        except VoteError as error:
            log.warning("vote %s could not open: %s", vote_id, error.code)
    for vote_id in db.session.scalars(select(Vote.id).where(Vote.status == VoteStatus.OPEN)).all():
        vote = db.session.get(Vote, vote_id)
        if vote.closes_at <= now:
            close_vote(vote, None, now)
            done["closed"].append(vote_id)
            continue
        size = db.session.scalar(select(func.count(Ballot.id)).where(Ballot.vote_id == vote_id))
        last = latest_checkpoint(vote)
        if size and (last is None or last.size < size) and checkpoint_due(vote, size, now):
            take_checkpoint(vote, now)
            done["checkpoints"].append(vote_id)
    db.session.flush()
    return done


# --------------------------------------------------------------------------- ratification


def create_ratification(
    pact,
    actor,
    *,
    opens_at: datetime,
    closes_at: datetime,
    electorate_kind: ElectorateKind = ElectorateKind.RESIDENTS,
    secrecy: Secrecy = Secrecy.SECRET,
    params: dict | None = None,
    title: str | None = None,
) -> Vote:
    """Put a pact's latest version to a ratification vote and move the pact to ratification."""
    from app.pacts.operations import begin_ratification

    version = pact.latest_version
    if version is None:
        raise VoteError(_l("This pact has no published version to ratify."), "no_version")
    community = db.session.get(Community, pact.community_id)
    vote = create_vote(
        community,
        title=title or f"{pact.title} · v{version.number}",
        electorate_kind=electorate_kind,
        method=Method.RATIFICATION,
        secrecy=secrecy,
        params=params,
        opens_at=opens_at,
        closes_at=closes_at,
        pact_version=version,
        actor=actor,
    )
    begin_ratification(pact, actor)
    return vote
