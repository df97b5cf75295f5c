"""The main pages cost a fixed number of SQL statements whatever the data (issue 13, item 4):
home with 2 or 30 communities, the pact page with 10 or 200 comments."""

import pytest
from sqlalchemy import event

from app.accounts.models import Role, RoleAssignment
from app.extensions import db
from tests.test_pacts_queries import _add_comments, big  # noqa: F401, F811 - the fixture


def _statements(client, url) -> list[str]:
    seen: list[str] = []

    def _count(conn, cursor, statement, *args):
        if not statement.startswith("BEGIN"):
            seen.append(statement)

    db.session.expunge_all()
    event.listen(db.engine, "before_cursor_execute", _count)
    try:
        response = client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", _count)
    assert response.status_code == 200, url
    return seen


def _diff(a: list[str], b: list[str]) -> str:
    """The statements whose number differs between the two runs."""
    from collections import Counter

    ca, cb = Counter(a), Counter(b)
    return "\n".join(f"{ca[s]} -> {cb[s]}: {s}" for s in cb if ca[s] != cb[s])


@pytest.fixture
def communities(make):
    """`add(n)` makes `n` more communities, each with a building, a household and a secretary."""

    def add(n: int):
        made = []
        for _ in range(n):
            c = make.community()
            make.user("resident", community=c)
            made.append(c)
        return made

    return add


@pytest.mark.parametrize("who", ["resident", "secretary everywhere", "admin"])
def test_home_costs_the_same_with_2_or_30_communities(client, make, login, communities, who):
    first = communities(2)
    user = make.user("resident", community=first[0])
    if who == "admin":
        db.session.add(RoleAssignment(user_id=user.id, role=Role.ADMIN))
    db.session.commit()

    def appoint(cs):
        if who == "secretary everywhere":
            db.session.add_all(
                RoleAssignment(user_id=user.id, role=Role.SECRETARY, community_id=c.id) for c in cs
            )
            db.session.commit()

    appoint(first)
    login(user)
    small = _statements(client, "/")
    appoint(communities(28))
    large = _statements(client, "/")
    assert len(large) == len(small), _diff(small, large)


def test_a_signed_in_page_loads_the_user_roles_household_and_unread_count_in_one_statement(
    client, make, login
):
    c = make.community()
    user = make.user("resident", community=c)
    db.session.add(RoleAssignment(user_id=user.id, role=Role.SECRETARY, community_id=c.id))
    db.session.commit()
    login(user)
    seen = _statements(client, "/about")
    assert len(seen) == 1, "\n".join(seen)


def test_a_residents_home_page_is_five_statements(client, make, login, communities):
    # The user (with household, roles, unread count and the revision of the list of
    # communities, which is cached), and one for each section that reads: the resident's
    # suggestions, sessions, open pacts and votes.
    first = communities(30)
    user = make.user("resident", community=first[0])
    db.session.commit()
    login(user)
    _statements(client, "/")
    seen = _statements(client, "/")
    assert len(seen) <= 5, "\n".join(seen)


def test_pact_page_costs_the_same_with_10_or_200_comments(client, big, login):  # noqa: F811
    url = f"/pacts/{big.pact_id}"
    _add_comments(big, 10)
    login(big.residents[0])
    small = _statements(client, url)
    _add_comments(big, 190, start=10)
    large = _statements(client, url)
    assert len(large) == len(small), _diff(small, large)
    # The same for a visitor, and once the page is in the cache it costs fewer, not more.
    anonymous = client.application.test_client()
    cold = _statements(anonymous, url)
    warm = _statements(anonymous, url)
    assert len(warm) <= len(cold)


def _same_cost(client, url, grow) -> None:
    small = _statements(client, url)
    grow()
    large = _statements(client, url)
    assert len(large) == len(small), _diff(small, large)


@pytest.mark.parametrize("as_resident", [False, True])
def test_the_suggestion_board_costs_the_same_with_2_or_20_suggestions(
    client, make, login, app, as_resident
):
    from app.accounts.models import User
    from app.org.models import Community
    from tests import hearings_factories as hf

    c = make.community()
    cid = c.id
    residents = [make.user("resident", community=c).id for _ in range(20)]
    if as_resident:
        login(db.session.get(User, residents[0]))

    def add(users):
        with app.test_request_context("/"):
            community = db.session.get(Community, cid)
            for uid in users:
                hf.suggestion(community, db.session.get(User, uid), summary=f"{uid}号的建议")
        db.session.commit()

    add(residents[:2])
    _same_cost(client, f"/hearings/community/{cid}/suggestions", lambda: add(residents[2:]))


def test_the_votes_list_and_a_votes_page_cost_the_same_with_few_or_many(client, app, login):
    from app.accounts.models import User
    from app.votes import operations as vops
    from app.votes.models import Vote
    from tests import votes_factories as vf

    with app.test_request_context("/"):
        w = vf.world(n_deputies=12)
        first = vf.vote(w).id
    deputies = [d.id for d in w.deputies]
    community_id = w.community.id
    choice = vf.ids(w.projects[:1])

    def more_votes():
        with app.test_request_context("/"):
            fresh = vf.World(
                db.session.merge(w.community),
                db.session.merge(w.station),
                db.session.merge(w.secretary),
                [],
                [],
                None,
                [db.session.merge(p) for p in w.projects],
            )
            for i in range(8):
                vf.vote(fresh, title=f"第{i}次票决")

    def cast(ids):
        with app.test_request_context("/"):
            vote = db.session.get(Vote, first)
            for uid in ids:
                vops.cast_ballot(vote, db.session.get(User, uid), {"approve": choice})
        db.session.commit()

    cast(deputies[:2])
    login(db.session.get(User, deputies[0]))
    _same_cost(client, f"/votes/community/{community_id}", more_votes)
    _same_cost(client, f"/votes/{first}", lambda: cast(deputies[2:]))


def test_a_sessions_page_costs_the_same_with_1_or_12_registrations(client, make, login, app):
    from app.accounts.models import User
    from app.hearings import operations as hops
    from app.hearings.models import HearingSession
    from tests import hearings_factories as hf

    c = make.community()
    residents = [make.user("resident", community=c).id for _ in range(12)]
    with app.test_request_context("/"):
        session_id = hf.session(c).id
    db.session.commit()

    def register(ids):
        with app.test_request_context("/"):
            for uid in ids:
                hops.register_for_session(
                    db.session.get(HearingSession, session_id), db.session.get(User, uid)
                )
        db.session.commit()

    register(residents[:1])
    login(db.session.get(User, residents[0]))
    _same_cost(client, f"/hearings/sessions/{session_id}", lambda: register(residents[1:]))


def test_a_visitors_cached_pact_and_clause_pages_are_one_statement(client, big):  # noqa: F811
    """Served from the cache, a visitor's pact page (and clause page) needs only the pact with its
    community (its revision, status and window are the key of the whole page): not its versions
    and clauses (loading every version's clauses was two fifths of an anonymous pact page), nor
    who the secretaries are (their badges are in the cached page). Was two statements."""
    url = f"/pacts/{big.pact_id}"
    _add_comments(big, 10)
    _statements(client, url)
    warm = _statements(client, url)
    assert not [s for s in warm if "FROM clauses" in s], "\n".join(warm)
    assert not [s for s in warm if "FROM role_assignments" in s], "\n".join(warm)
    assert len(warm) == 1, "\n".join(warm)  # the pact with its community
    clause_url = f"{url}/clauses/{big.clause_ids[0]}"
    _statements(client, clause_url)
    warm = _statements(client, clause_url)
    assert len(warm) == 1, "\n".join(warm)  # was four: the pact, its versions, clauses, amendments


def test_a_residents_cached_pact_and_clause_pages_read_the_pact_once_and_one_clause(
    client,
    big,  # noqa: F811
    login,
):
    """The pact comes with its versions and community in one statement (it was two), and with
    it what the resident did on the pact (their follow, +1s, endorsements, amendments and
    positions: a statement of its own before) and, on the clause page, the one clause shown
    (read by id, not every clause of every version). Beyond that: the user (with their roles)
    and, on the clause page, the amendments."""
    url = f"/pacts/{big.pact_id}"
    clause_url = f"{url}/clauses/{big.clause_ids[0]}"
    _add_comments(big, 10)
    login(big.residents[0])
    for page in (url, clause_url):
        _statements(client, page)
    pact_page, clause_page = _statements(client, url), _statements(client, clause_url)
    for seen in (pact_page, clause_page):
        pacts = [s for s in seen if "FROM pacts" in s]
        assert len(pacts) == 1 and "FROM pact_follows" in pacts[0], "\n".join(seen)
        assert not [s for s in seen if "FROM pact_versions" in s], "\n".join(seen)
        assert len([s for s in seen if "FROM pact_follows" in s]) == 1, "\n".join(seen)
    assert not [s for s in pact_page if "clauses.text" in s], "\n".join(pact_page)
    assert not [s for s in clause_page if "FROM clauses" in s], "\n".join(clause_page)
    (with_pact,) = [s for s in clause_page if "FROM pacts" in s]
    assert "LEFT OUTER JOIN clauses ON clauses.id =" in with_pact
    assert len(pact_page) <= 2 + 3, "\n".join(pact_page)  # was 9 (with the user's 3)
    assert len(clause_page) <= 3 + 3, "\n".join(clause_page)  # was 11


def test_a_secretarys_home_costs_the_same_with_3_or_15_suggestions(client, make, login, app):
    # Each answered suggestion's rating window counts working days: the admin's calendar is read
    # once per request, not once per suggestion.
    from app.accounts.models import User
    from app.org.models import BodyKind, Community
    from tests import hearings_factories as hf

    c = make.community()
    cid = c.id
    body_id = make.body(c, BodyKind.PROPERTY_COMPANY).id
    secretary = make.user("secretary", community=c)
    residents = [make.user("resident", community=c).id for _ in range(15)]
    db.session.commit()
    login(secretary)

    def add(users):
        from app.org.models import Body

        with app.test_request_context("/"):
            community = db.session.get(Community, cid)
            for i, uid in enumerate(users):
                s = hf.suggestion(community, db.session.get(User, uid), summary=f"{uid}号的建议")
                if i % 3:
                    hf.accept_suggestion(s, db.session.get(Body, body_id))
                if i % 3 == 2:
                    hf.answer_suggestion(s, "已处理。")
            db.session.commit()

    add(residents[:3])
    _statements(client, "/")  # the list of communities is cached from here on
    _same_cost(client, "/", lambda: add(residents[3:]))
