"""`flask demo` loads a realistic community and running it twice changes nothing."""

from sqlalchemy import func, select

from app.accounts.models import Role, RoleAssignment, User
from app.demo import load_demo
from app.org.models import BodyKind, Community, Household


def count(db, model):
    return db.session.scalar(select(func.count(model.id)))


def test_demo_loads_once_with_every_role(db, app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "13800000110" in result.output  # a printed log-in
    users, households = count(db, User), count(db, Household)
    assert households >= 150
    kinds = set(db.session.scalars(select(Community.kind)))
    assert len(kinds) >= 2
    roles = set(db.session.scalars(select(RoleAssignment.role)))
    assert {Role.ADMIN, Role.SECRETARY, Role.DEPUTY, Role.HANDLER} <= roles
    handled = {
        a.body.kind
        for a in db.session.scalars(
            select(RoleAssignment).where(RoleAssignment.role == Role.HANDLER)
        )
    }
    assert handled == set(BodyKind)
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0 and "nothing changed" in again.output
    assert count(db, User) == users and count(db, Household) == households
    assert load_demo() is False


def test_demo_logins_work(client, db):
    load_demo()
    for phone in ("13800000001", "13800000110", "13800000120", "13800000130", "13800000100"):
        response = client.post("/login", data={"identifier": phone, "password": "yishiting-demo"})
        assert response.status_code == 303, phone
        client.post("/logout")


def test_the_english_speaking_resident_has_a_pact_in_english_to_try(client, db):
    from app.pacts.models import Pact, PactStatus

    load_demo()
    anna = db.session.scalar(select(User).where(User.phone == "13800000003"))
    assert anna.locale == "en"
    community = anna.memberships[0].household.building.community
    pacts = db.session.scalars(select(Pact).where(Pact.community_id == community.id)).all()
    (pact,) = [p for p in pacts if p.status == PactStatus.CONSULTATION]
    assert pact.title.startswith("Good Neighbours Pact")
    response = client.post(
        "/login", data={"identifier": "13800000003", "password": "yishiting-demo"}
    )
    assert response.status_code == 303
    page = client.get(f"/pacts/{pact.id}").get_data(as_text=True)
    assert "Quiet hours are 22:00 to 7:00" in page
    clause = pact.latest_version.clauses[0]
    # She has not taken a position yet, and can.
    taken = client.post(
        f"/pacts/{pact.id}/clauses/{clause.id}/position", data={"stance": "support"}
    )
    assert taken.status_code in (200, 303)
    from app.pacts.models import Position

    mine = db.session.scalar(
        select(Position).where(Position.user_id == anna.id, Position.clause_id == clause.id)
    )
    assert mine is not None and mine.stance.value == "support"
