"""Factories for pact tests: a community with buildings, residents and a pact in a chosen state."""

from datetime import timedelta

from app.core.time import utcnow
from app.extensions import db
from app.pacts import operations as ops
from app.pacts.models import PactStatus

CLAUSES = [
    "第一条 爱护公共环境，垃圾分类投放。",
    "第二条 楼道内不堆放杂物。",
    "第三条 晚上十点后不装修。",
]


def pact(
    community,
    secretary,
    status: PactStatus = PactStatus.CONSULTATION,
    clauses=None,
    title="居民公约",
):
    """A pact moved through the lifecycle up to `status` by the secretary."""
    p = ops.create_pact(community, title, clauses or CLAUSES, actor=secretary)
    if status == PactStatus.DRAFTING:
        return p
    now = utcnow()
    ops.open_consultation(p, now - timedelta(minutes=1), now + timedelta(days=10), actor=secretary)
    if status == PactStatus.CONSULTATION:
        return p
    ops.close_consultation(p, actor=secretary)
    if status == PactStatus.REVISION:
        return p
    ops.begin_ratification(p, secretary)
    if status == PactStatus.RATIFICATION:
        return p
    ops.conclude_ratification(p, True, secretary)
    db.session.commit()
    return p


def request_context(app):
    """Operations translate their messages, which needs a request (for the reader's language)."""
    return app.test_request_context("/")
