"""A vote's lifecycle: open (freeze manifest and electorate), close and count, certify and
publish, cancel; and `tick`, which opens and closes what is due."""

import logging
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts.models import User
from app.accounts.queries import deputies_of_station, members_of_community
from app.core import audit
from app.core.dates import show_list
from app.core.notifications import N_, notify
from app.core.time import utcnow
from app.extensions import db
from app.projects import operations as project_operations
from app.projects.models import ProjectStatus
from app.votes import ballot_log, methods, queries, signals, signing, tree
from app.votes.casting import checkpoint_due, latest_checkpoint, take_checkpoint
from app.votes.common import iso, lock_vote, params_given, require_manager
from app.votes.errors import VoteError
from app.votes.models import Ballot, ElectorateKind, Method, Vote, VoteElector, VoteStatus

log = logging.getLogger(__name__)


def electorate_members(vote: Vote) -> tuple[list[User], list]:
    """The users (deputies or residents) or households who make up the electorate right now."""
    if vote.electorate_kind == ElectorateKind.DEPUTIES:
        station_id = vote.station_id or 0  # the schema requires a station for a deputies' vote
        return [u for u in deputies_of_station(station_id) if u.deleted_at is None], []
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
    given = {k: v for k, v in params_given(vote.params).items() if k in required | optional}
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
                titles=show_list(taken),
            ),
            "not_candidates",
        )
    if vote.method == Method.EQUAL_SHARES:
        if not params_given(vote.params).get("budget"):
            raise VoteError(_l("An equal-shares vote needs a budget."), "no_budget")
        free = [p.title for p in projects if p.estimated_cost <= 0]
        if free:
            raise VoteError(
                _l(
                    "An equal-shares vote divides its budget by cost, so every project needs a cost "
                    "above zero. Give these projects a cost or take them off the ballot: %(titles)s",
                    titles=show_list(free),
                ),
                "no_cost",
            )


def _open(vote: Vote, actor, now: datetime) -> Vote:
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
    manifest["log"] = signing.new_log_vkey(vote)
    # Nothing is written before every check has passed, so a refused opening leaves no trace to commit.
    # Electors are numbered in the frozen list: the number makes each open-vote label unique.
    for number, user in enumerate(users, 1):
        db.session.add(VoteElector(vote_id=vote.id, user_id=user.id, number=number))
    for number, household in enumerate(households, 1):
        db.session.add(VoteElector(vote_id=vote.id, household_id=household.id, number=number))
    vote.witness_policy = signing.build_policy(
        vote, queries.community_witnesses(vote.community_id), vote.witness_quorum
    )
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
    notify(
        elector_users(vote),
        N_("The vote “%(title)s” is open: you can cast your ballot now."),
        link=f"/votes/{vote.id}/ballot",
        title=vote.title,
    )
    log.info("vote %s opened by %s", vote.id, getattr(actor, "id", None))
    signals.vote_opened.send(vote, actor=actor)
    return vote


def open_vote(vote: Vote, actor, now: datetime | None = None) -> Vote:
    """Open the vote: freeze its manifest and its electorate."""
    vote = lock_vote(vote)
    require_manager(actor, vote.community_id)
    return _open(vote, actor, now or utcnow())


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


def _close(vote: Vote, actor, now: datetime) -> Vote:
    if not vote.can_close():
        raise VoteError(_l("Only an open vote can be closed."), "not_open")
    vote.close(now)
    rows = db.session.execute(
        select(Ballot.hash, Ballot.choices).where(Ballot.vote_id == vote.id).order_by(Ballot.seq)
    ).all()
    # The tally reads every ballot once anyway: check that the head kept on the vote row is the
    # log's own root before the closing checkpoint is signed with it.
    root = ballot_log.merkle_root([h for h, _ in rows])
    if len(rows) != (vote.log_size or 0) or bytes.fromhex(root) != tree.frontier(vote).root():
        raise signing.LogForked(f"vote {vote.id}: the ballots and the log's head disagree")
    last = latest_checkpoint(vote)
    if last is None or last.size != len(rows):
        take_checkpoint(vote, now)
    vote.final_root = root
    vote.result = methods.tally(vote.manifest or {}, [c for _, c in rows], root)
    db.session.flush()
    audit.record(
        "vote.close",
        vote,
        community=vote.community_id,
        actor=actor,
        detail=f"{len(rows)} ballots, root {root}",
    )
    log.info("vote %s closed by %s", vote.id, getattr(actor, "id", None))
    signals.vote_closed.send(vote, actor=actor)
    return vote


def close_vote(vote: Vote, actor, now: datetime | None = None) -> Vote:
    """Close the vote: final checkpoint, Merkle root and tally."""
    vote = lock_vote(vote)
    require_manager(actor, vote.community_id)
    return _close(vote, actor, now or utcnow())


def publish_vote(vote: Vote, actor, now: datetime | None = None) -> Vote:
    """The secretary certifies the tally and publishes it; winners become planned projects.

    A ratification's pact is concluded by whoever listens to `vote_published` (pacts).
    """
    vote = lock_vote(vote)
    require_manager(actor, vote.community_id)
    if not vote.can_publish():
        raise VoteError(_l("Only a closed vote can be certified and published."), "not_closed")
    vote.publish(actor, now or utcnow())
    db.session.flush()
    if vote.method != Method.RATIFICATION:
        winners = {int(w) for w in (vote.result or {}).get("winners", [])}
        for option in vote.options:
            if option.project_id in winners and option.project.is_candidate:
                project_operations.plan_selected(option.project, actor)
    audit.record(
        "vote.publish",
        vote,
        community=vote.community_id,
        actor=actor,
        detail=f"certified; root {vote.final_root}",
    )
    signals.vote_published.send(vote, actor=actor)
    electors = elector_users(vote)
    if electors:
        notify(
            list(electors),
            N_("The result of the vote “%(title)s” is published."),
            link=f"/votes/{vote.id}",
            title=vote.title,
        )
    return vote


def cancel_vote(vote: Vote, reason: str, actor) -> Vote:
    """Cancel a draft or open vote, with a reason; any ballots stay in the log."""
    vote = lock_vote(vote)
    require_manager(actor, vote.community_id)
    if not (reason or "").strip():
        raise VoteError(_l("Give a reason for cancelling the vote."), "no_reason")
    if not vote.can_cancel():
        raise VoteError(_l("This vote can no longer be cancelled."), "not_cancellable")
    vote.cancel(reason, utcnow())
    db.session.flush()
    audit.record("vote.cancel", vote, community=vote.community_id, actor=actor, detail=reason)
    signals.vote_cancelled.send(vote, actor=actor)
    return vote


def tick(now: datetime | None = None) -> dict:
    """Open what is due, close what is due, and take checkpoints on open votes (the scheduler)."""
    now = now or utcnow()
    done: dict[str, list[int]] = {"opened": [], "closed": [], "checkpoints": []}
    due_open = db.session.scalars(
        select(Vote.id).where(
            Vote.status == VoteStatus.DRAFT, Vote.auto_open.is_(True), Vote.opens_at <= now
        )
    ).all()
    for vote_id in due_open:
        vote = lock_vote(db.session.get_one(Vote, vote_id))
        try:
            _open(vote, None, now)
            done["opened"].append(vote_id)
        except VoteError as error:
            log.warning("vote %s could not open: %s", vote_id, error.code)
    for vote_id in db.session.scalars(select(Vote.id).where(Vote.status == VoteStatus.OPEN)).all():
        vote = lock_vote(db.session.get_one(Vote, vote_id))
        if vote.closes_at <= now:
            _close(vote, None, now)
            done["closed"].append(vote_id)
            continue
        size = vote.log_size or 0
        last = latest_checkpoint(vote)
        if size and (last is None or last.size < size) and checkpoint_due(vote, size, now):
            take_checkpoint(vote, now)
            done["checkpoints"].append(vote_id)
    db.session.flush()
    return done
