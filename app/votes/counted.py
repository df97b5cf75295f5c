"""What a counted vote's page lists, read once and then from the cache (the result page).

Once a vote is closed its ballots and participations never change: a ballot is cast (with its
participation row, in one transaction) only under the vote's row lock while it is open, the
closing takes that lock, and ballots are insert-only. The final root, written by the closing,
commits to every ballot; with the vote's id and manifest hash it names the lists for good, so
what is cached under it cannot go stale. An open vote's lists are read each time.
"""

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select

from app.accounts.models import User
from app.core import fragments
from app.core.db import is_postgres
from app.extensions import db
from app.votes.export import reconciliation
from app.votes.models import Ballot, Participation, Vote


def counted_key(vote: Vote) -> tuple | None:
    """The cache key of a counted vote's ballots and participations (None while they may grow)."""
    if not vote.is_counted or not vote.final_root:
        return None
    return (vote.id, vote.manifest_hash, vote.final_root)


def _participant_names(vote: Vote, offset: int, limit: int) -> list[str]:
    name = Participation.name.collate("C") if is_postgres() else Participation.name
    return list(
        db.session.scalars(
            select(Participation.name)
            .where(Participation.vote_id == vote.id)
            .order_by(name)
            .offset(offset)
            .limit(limit)
        )
    )


def _counts(vote: Vote) -> dict:
    """Participants, ballots and paper ballots per secretary, counted by the database."""
    return {
        "participants": db.session.scalar(
            select(func.count(Participation.id)).where(Participation.vote_id == vote.id)
        )
        or 0,
        "ballots": db.session.scalar(select(func.count(Ballot.id)).where(Ballot.vote_id == vote.id))
        or 0,
        "paper_by": [
            [user_id, n]
            for user_id, n in db.session.execute(
                select(Ballot.entered_by_id, func.count(Ballot.id))
                .where(Ballot.vote_id == vote.id, Ballot.entered_by_id.is_not(None))
                .group_by(Ballot.entered_by_id)
                .order_by(Ballot.entered_by_id)
            )
        ],
    }


def counted_figures(vote: Vote) -> dict:
    """A counted vote's participants, ballots and paper ballots per secretary's id, read once."""
    key = counted_key(vote)
    if key is None:
        return _counts(vote)
    return fragments.remember("vote-counts", key, lambda: _counts(vote))


def page_reconciliation(vote: Vote) -> dict:
    """`reconciliation(vote)` as the result page shows it: a counted vote's figures come from
    `counted_figures`; only the names of the secretaries who entered paper ballots are read
    (a name may change), and not at all when there were none."""
    if counted_key(vote) is None:
        return reconciliation(vote)
    figures = counted_figures(vote)
    by_whom: dict[str, int] = {}
    if figures["paper_by"]:
        names = dict(
            db.session.execute(
                select(User.id, User.display_name).where(
                    User.id.in_([user_id for user_id, _ in figures["paper_by"]])
                )
            ).all()
        )
        for user_id, n in figures["paper_by"]:
            if user_id in names:
                by_whom[names[user_id]] = by_whom.get(names[user_id], 0) + n
    paper = sum(by_whom.values())
    return {
        "electorate": vote.electorate_size or 0,
        "participants": figures["participants"],
        "ballots": figures["ballots"],
        "paper_ballots": paper,
        "online_ballots": figures["ballots"] - paper,
        "paper_entered_by": by_whom,
    }


class _KnownPagination(Pagination):
    """A page of a list whose length is already known (``?page=`` as `db.paginate` reads it)."""

    def _query_items(self) -> list:
        return self._query_args["items"](self.page, self.per_page)

    def _query_count(self) -> int:
        return self._query_args["total"]


def participants_page(vote: Vote, per_page: int):
    """One page of who took part, by name (``?page=``), for the result page."""
    key = counted_key(vote)
    if key is None:
        name = Participation.name.collate("C") if is_postgres() else Participation.name
        return db.paginate(
            select(Participation.name).where(Participation.vote_id == vote.id).order_by(name),
            per_page=per_page,
            max_per_page=per_page,
            error_out=False,
        )
    total = counted_figures(vote)["participants"]

    def items(page: int, size: int) -> list[str]:
        offset = (page - 1) * size
        if offset >= total:  # past the end: nothing to read, and nothing kept per page number
            return []
        return fragments.remember(
            "vote-names", (*key, size, page), lambda: _participant_names(vote, offset, size)
        )

    return _KnownPagination(
        per_page=per_page, max_per_page=per_page, error_out=False, items=items, total=total
    )


def _roll_call(vote: Vote, offset: int, limit: int) -> list[dict]:
    return [
        {"seq": seq, "voter": voter, "choices": choices}
        for seq, voter, choices in db.session.execute(
            select(Ballot.seq, Ballot.voter, Ballot.choices)
            .where(Ballot.vote_id == vote.id)
            .order_by(Ballot.seq)
            .offset(offset)
            .limit(limit)
        )
    ]


def page_number(per_page: int) -> int:
    """The ``?page=`` asked for, as `db.paginate` reads it (1 when it is missing or wrong)."""
    return Pagination._prepare_page_args(
        page=None, per_page=per_page, max_per_page=per_page, error_out=False
    )[0]


def roll_call_page(vote: Vote, per_page: int) -> list[dict]:
    """One page of the vote's records (seq, voter, choices) in seq order (the same ``?page=``)."""
    page = page_number(per_page)
    offset = (page - 1) * per_page
    key = counted_key(vote)
    if key is None:
        return _roll_call(vote, offset, per_page)
    if offset >= (vote.log_size or 0):
        return []
    return fragments.remember(
        "vote-roll-call", (*key, per_page, page), lambda: _roll_call(vote, offset, per_page)
    )
