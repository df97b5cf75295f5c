"""The pact page's SQL cost does not grow with the number of comments."""

import pytest
from sqlalchemy import event, insert

from app.core.time import utcnow
from app.extensions import db
from app.pacts.models import Comment, Position, Stance
from tests import pacts_factories as pf


def _count_queries(client, url) -> tuple[int, str]:
    statements: list[str] = []

    def _count(conn, cursor, statement, *args):
        # SQLite's BEGIN (see app/core/db.py) opens a transaction; it is not a query.
        if not statement.startswith("BEGIN"):
            statements.append(statement)

    # Start from an empty identity map so both measurements load the same things.
    db.session.expunge_all()
    event.listen(db.engine, "before_cursor_execute", _count)
    try:
        response = client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", _count)
    assert response.status_code == 200
    _count_queries.last = statements
    return len(statements), response.get_data(as_text=True)


def _add_comments(big, n: int, start: int = 0) -> None:
    """`n` comments: a third on the pact, the rest on clauses; every fourth a reply."""
    clauses, authors, pact_id = big.clause_ids, big.resident_ids, big.pact_id
    now = utcnow()
    rows = []
    roots: dict = {}
    for i in range(start, start + n):
        clause = None if i % 3 == 0 else clauses[i % len(clauses)]
        key = clause
        row = {
            "pact_id": pact_id,
            "clause_id": key,
            "author_id": authors[i % len(authors)],
            "body": f"意见 **{i}**",
            "created_at": now,
            "agree_count": i % 5,
            "reply_count": 0,
        }
        rows.append(row)
    db.session.execute(insert(Comment), rows)
    # Replies: attach every fourth comment of each thread group to the first root of its place.
    db.session.flush()
    for c in (
        db.session.query(Comment)
        .filter(Comment.pact_id == pact_id, Comment.root_id.is_(None))
        .order_by(Comment.id)
    ):
        place = c.clause_id
        if place not in roots:
            roots[place] = c
        elif c.id % 4 == 0:
            c.root_id = c.parent_id = roots[place].id
            roots[place].reply_count += 1
    db.session.commit()


@pytest.fixture
def big(make, app):
    c = make.community()
    buildings = [make.building(c, households=4) for _ in range(4)]
    sec = make.user("secretary", community=c)
    residents = [
        make.user("resident", community=c, household=b.households[i])
        for b in buildings
        for i in range(4)
    ]
    clauses = [f"第{i}条 第{i}条的内容。" for i in range(1, 61)]
    with pf.request_context(app):
        pact = pf.pact(c, sec, clauses=clauses)
    db.session.add_all(
        Position(
            clause_id=cl.id,
            user_id=r.id,
            household_id=r.household.id,
            stance=[Stance.SUPPORT, Stance.OPPOSE, Stance.SUGGEST][(i + j) % 3],
        )
        for i, r in enumerate(residents)
        for j, cl in enumerate(pact.latest_version.clauses)
    )
    db.session.commit()
    assert len(pact.latest_version.clauses) == 60
    return type(
        "Big",
        (),
        {
            "pact_id": pact.id,
            "clause_ids": [cl.id for cl in pact.latest_version.clauses],
            "resident_ids": [r.id for r in residents],
            "residents": residents,
        },
    )


def test_pact_page_query_count_is_fixed_whatever_the_number_of_comments(client, big, login):
    login(big.residents[0])
    url = f"/pacts/{big.pact_id}"
    _add_comments(big, 200)
    small, _html = _count_queries(client, url)
    first = list(_count_queries.last)
    _add_comments(big, 1800, start=200)
    assert db.session.query(Comment).count() == 2000
    large, html = _count_queries(client, url)
    assert large == small, "\n".join(
        " | ".join(x) for x in zip(first, _count_queries.last + [""] * 5, strict=False)
    )
    assert large <= 30, f"{large} queries"
    assert "第60条 第60条的内容。" in html


def test_clause_page_query_count_is_fixed_too(client, big, login):
    login(big.residents[1])
    url = f"/pacts/{big.pact_id}/clauses/{big.clause_ids[1]}"
    _add_comments(big, 200)
    small, _ = _count_queries(client, url)
    _add_comments(big, 1800, start=200)
    large, _ = _count_queries(client, url)
    assert large == small
    assert large <= 30, f"{large} queries"


def test_the_secretarys_pact_page_with_its_to_answer_list_is_fixed_too(client, big, login, make):
    from app.org.models import Community
    from app.pacts.models import Pact

    community = db.session.get(Community, db.session.get(Pact, big.pact_id).community_id)
    login(make.user("secretary", community=community))
    url = f"/pacts/{big.pact_id}"
    _add_comments(big, 200)
    small, html = _count_queries(client, url)
    assert 'id="to-answer"' in html
    _add_comments(big, 1800, start=200)
    large, _ = _count_queries(client, url)
    assert large == small
    assert large <= 35, f"{large} queries"
