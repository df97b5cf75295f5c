"""What a reader did on a pact (app/pacts/mine.py), read with the pact in its one statement
(`queries.load_pact(reader_id=...)`), is what `Mine`'s own statement reads: per version."""

from app.extensions import db
from app.pacts import operations as ops
from app.pacts import queries as q
from app.pacts.mine import Mine
from app.pacts.models import Pact
from tests import pacts_factories as pf


def _seen(mine: Mine) -> tuple:
    mine.load()
    return (mine.following, mine.positions, mine.agreed, mine.endorsed, mine.authored)


def test_what_the_reader_did_reads_the_same_with_the_pact_as_alone_for_each_version(make, app):
    c = make.community()
    sec = make.user("secretary", community=c)
    me = make.user("resident", community=c)
    other = make.user("resident", community=c)
    with pf.request_context(app):
        pact = pf.pact(c, sec)
        v1 = pact.latest_version
        first, second = v1.clauses[0], v1.clauses[1]
        ops.follow_pact(pact, me)
        ops.set_position(pact, first, me, "support")
        ops.set_position(pact, second, other, "oppose")
        theirs = ops.post_comment(pact, other, "说得对", clause=first)
        ops.agree_comment(theirs, me)
        mine = ops.propose_amendment(pact, second, me, "第二条 改为新的文字。", "更清楚")
        endorsed = ops.propose_amendment(pact, first, other, "第一条 新的文字。", "理由")
        ops.endorse_amendment(endorsed, me)
        ops.close_consultation(pact, actor=sec)
        ops.start_revision(pact, actor=sec)
        ops.publish_version(pact, "第二版", actor=sec)
        db.session.commit()
        pact_id, me_id = pact.id, me.id
        versions = [v.id for v in db.session.get(Pact, pact_id).versions]
        assert len(versions) == 2

    seen = {}
    for version_id in (*versions, None):
        with app.test_request_context("/"):
            alone_pact = q.load_pact(pact_id, clauses=False)
            version = next((v for v in alone_pact.versions if v.id == version_id), None)
            alone = _seen(Mine(alone_pact, version, db.session.get(type(me), me_id)))
        with app.test_request_context("/"):
            with_pact = q.load_pact(pact_id, clauses=False, reader_id=me_id)
            version = next((v for v in with_pact.versions if v.id == version_id), None)
            read = _seen(Mine(with_pact, version, db.session.get(type(me), me_id)))
        assert read == alone, version_id
        seen[version_id] = read
    # the positions are the first version's only; the rest holds for the pact as a whole
    first_id = first.id
    assert seen[versions[0]][1] == {first_id: "support"}
    assert seen[versions[1]][1] == {} and seen[None][1] == {}
    for following, _positions, agreed, endorsements, authored in seen.values():
        assert following is True and agreed == {theirs.id}
        assert endorsements == {endorsed.id} and authored == {mine.id}
