"""The published ballot log as one JSON document, streamed in bounded memory.

The document is exactly what ``json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True)``
writes (tools/verify_ballot_log.py reads it; older exports stay byte-identical): the ballots
and the participation list are read from the database a page at a time and written as they
come, everything else (manifest, checkpoints, result, policy, reconciliation) is small.
"""

import json
from collections.abc import Iterable, Iterator

from sqlalchemy import func, select

from app.accounts.models import User
from app.core.db import is_postgres
from app.extensions import db
from app.votes import ballot_log
from app.votes.models import Ballot, Checkpoint, Participation, Vote

#: Rows read from the database at a time, and bytes written to the client at a time.
PAGE = 1000
CHUNK = 64 * 1024


def ballot_records(vote_id: int) -> Iterator[dict]:
    """The vote's records in seq order, exactly as published, a page of rows at a time."""
    stmt = (
        select(
            Ballot.seq,
            Ballot.vote_id,
            Ballot.cast_at,
            Ballot.voter,
            Ballot.choices,
            Ballot.nonce,
            Ballot.prev,
            Ballot.hash,
        )
        .where(Ballot.vote_id == vote_id)
        .order_by(Ballot.seq)
        .execution_options(yield_per=PAGE)
    )
    for row in db.session.execute(stmt):
        yield {
            "seq": row.seq,
            "vote": row.vote_id,
            "cast_at": row.cast_at,
            "voter": row.voter,
            "choices": row.choices,
            "nonce": row.nonce,
            "prev": row.prev,
            "hash": row.hash,
        }


def participation_names(vote_id: int) -> Iterator[str]:
    """Who took part, sorted as Python sorts strings (code points: the C collation of UTF-8)."""
    name = Participation.name.collate("C") if is_postgres() else Participation.name
    stmt = (
        select(Participation.name)
        .where(Participation.vote_id == vote_id)
        .order_by(name)
        .execution_options(yield_per=PAGE)
    )
    yield from db.session.scalars(stmt)


def reconciliation(vote: Vote) -> dict:
    """Electorate, participants, ballots logged, paper and online ballots: they must add up.

    ``paper_entered_by`` names who typed in the paper ballots in the room, and how many each.
    Counted by the database, not by loading the ballots.
    """
    participants = db.session.scalar(
        select(func.count(Participation.id)).where(Participation.vote_id == vote.id)
    )
    logged = db.session.scalar(select(func.count(Ballot.id)).where(Ballot.vote_id == vote.id))
    by_whom: dict[str, int] = {}
    for name, n in db.session.execute(
        select(User.display_name, func.count(Ballot.id))
        .join(User, User.id == Ballot.entered_by_id)
        .where(Ballot.vote_id == vote.id)
        .group_by(User.id, User.display_name)
    ):
        by_whom[name] = by_whom.get(name, 0) + n
    paper = sum(by_whom.values())
    return {
        "electorate": vote.electorate_size or 0,
        "participants": participants or 0,
        "ballots": logged or 0,
        "paper_ballots": paper,
        "online_ballots": (logged or 0) - paper,
        "paper_entered_by": by_whom,
    }


def _head(vote: Vote) -> dict:
    """The export without its two long lists: format /2 when every checkpoint is signed, else /1."""
    cps = list(
        db.session.scalars(
            select(Checkpoint)
            .where(Checkpoint.vote_id == vote.id)
            .order_by(Checkpoint.size, Checkpoint.id)
        )
    )
    witnessed = bool(cps) and vote.witness_policy is not None and all(c.note for c in cps)
    exported = [
        {**c.as_dict(), "note": c.cosigned_note()} if witnessed else c.as_dict() for c in cps
    ]
    head = ballot_log.build_export(
        vote.manifest or {},
        [],
        exported,
        [],
        vote.result or {},
        policy=vote.witness_policy if witnessed else None,
        reconciliation=reconciliation(vote) if witnessed else None,
    )
    del head["ballots"], head["participation"]
    return head


def export_document(vote: Vote) -> dict:
    """The vote's ballot log as a dict (for the reports and the tests; the page streams it)."""
    return {
        **_head(vote),
        "ballots": list(ballot_records(vote.id)),
        "participation": list(participation_names(vote.id)),
    }


def export_stream(vote: Vote) -> Iterator[str]:
    """The export's text in chunks of about 64 KB; the head is read now, the lists as it is sent."""
    head, vote_id = _head(vote), vote.id
    lists = {
        "ballots": (lambda: ballot_records(vote_id)),
        "participation": (lambda: participation_names(vote_id)),
    }
    return _buffered(stream_json(head, lists))


def stream_json(doc: dict, lists: dict) -> Iterator[str]:
    """``json.dumps({**doc, **lists}, ensure_ascii=False, indent=1, sort_keys=True)`` in pieces.

    ``lists`` maps a key to a callable that returns the list's items as an iterable; each
    item is written as json.dumps writes it at depth 2.
    """
    keys = sorted({*doc, *lists})
    if not keys:
        yield "{}"
        return
    for i, key in enumerate(keys):
        yield ("{\n " if i == 0 else ",\n ") + json.dumps(key, ensure_ascii=False) + ": "
        if key in lists:
            empty = True
            items: Iterable = lists[key]()
            for item in items:
                yield ("[\n  " if empty else ",\n  ") + _dumps(item, 2)
                empty = False
            yield "[]" if empty else "\n ]"
        else:
            yield _dumps(doc[key], 1)
    yield "\n}"


def _dumps(value, depth: int) -> str:
    # JSON strings never hold a raw newline, so every newline starts an indented line.
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True).replace(
        "\n", "\n" + " " * depth
    )


def _buffered(pieces: Iterable[str]) -> Iterator[str]:
    buffer: list[str] = []
    size = 0
    for piece in pieces:
        buffer.append(piece)
        size += len(piece)
        if size >= CHUNK:
            yield "".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer)
