"""The pacts demo shows everything issue 3 asks of it, moderation included (found in review)."""

from sqlalchemy import select

from app.extensions import db
from app.pacts import queries as q
from app.pacts.models import Amendment, AmendmentStatus, Comment, Pact, PactStatus


def test_demo_pacts(app, client):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    # In order of creation: the first consulting pact is 梅园's (the English demo pact comes later).
    pacts = db.session.scalars(select(Pact).order_by(Pact.id)).all()
    consulting = next(p for p in pacts if p.status == PactStatus.CONSULTATION)
    adopted = next(p for p in pacts if p.status == PactStatus.ADOPTED)
    assert len(adopted.published_versions) == 2
    version = consulting.latest_version
    assert len(version.clauses) >= 12
    figures = q.consensus_for_version(version, consulting.community_id)
    assert any(c.is_broad for c in figures.values()) and any(c.is_divided for c in figures.values())
    assert max(len(c.groups) for c in figures.values()) >= 3
    states = set(
        db.session.scalars(select(Amendment.status).where(Amendment.pact_id == consulting.id))
    )
    assert states == set(AmendmentStatus)
    comments = db.session.scalars(select(Comment).where(Comment.pact_id == consulting.id)).all()
    assert any(c.root_id for c in comments)
    hidden = [c for c in comments if c.hidden_at]
    assert hidden and hidden[0].hidden_reason
    page = client.get(f"/pacts/{consulting.id}/clauses/{hidden[0].clause_id}").get_data(
        as_text=True
    )
    assert f"已被书记隐藏：{hidden[0].hidden_reason}" in page and hidden[0].body not in page
    assert q.open_reports(consulting.community_id)  # one report still waits for the secretary
