"""Factories for vote tests: a community with a station, deputies, residents, projects and votes."""

from dataclasses import dataclass, field
from datetime import timedelta

from app.core.time import utcnow
from app.extensions import db
from app.projects import operations as pops
from app.votes import operations as ops
from app.votes.models import ElectorateKind, Method, Secrecy
from tests import factories as make

PROJECT_TITLES = [
    "加装电梯",
    "楼道照明改造",
    "非机动车充电棚",
    "小区绿化提升",
    "老年助餐点",
    "健身步道",
]


@dataclass
class World:
    community: object
    station: object
    secretary: object
    deputies: list
    residents: list = field(default_factory=list)
    building: object = None
    projects: list = field(default_factory=list)


def world(
    n_deputies: int = 5, n_residents: int = 0, n_projects: int = 4, households: int = 0
) -> World:
    """A community served by a station of `n_deputies` deputies, its secretary, residents, projects."""
    community = make.community()
    station = make.station([community])
    secretary = make.user("secretary", community, name="陈书记")
    deputies = [
        make.user("deputy", community, station=station, name=f"代表{i}") for i in range(n_deputies)
    ]
    building = make.building(community, households=households)
    residents = []
    for i in range(n_residents):
        household = building.households[i % households] if households else None
        residents.append(
            make.user(
                "resident", community, building=building, household=household, name=f"居民{i}"
            )
        )
    projects = [
        pops.create_project(
            community,
            title=PROJECT_TITLES[i % len(PROJECT_TITLES)],
            estimated_cost=100_000 * (i + 1),
            proponent="居民",
            actor=secretary,
        )
        for i in range(n_projects)
    ]
    db.session.commit()
    return World(community, station, secretary, deputies, residents, building, projects)


def vote(
    w: World,
    *,
    method=Method.APPROVAL,
    electorate=ElectorateKind.DEPUTIES,
    secrecy=Secrecy.OPEN,
    params=None,
    open_it: bool = True,
    projects=None,
    title="2027年民生实事项目票决",
):
    """A vote of `w`, opened unless `open_it` is false."""
    now = utcnow()
    if params is None:
        params = (
            {"max_choices": 2, "seats": 2}
            if method == Method.APPROVAL
            else ({"budget": 500_000} if method == Method.EQUAL_SHARES else {})
        )
    v = ops.create_vote(
        w.community,
        title=title,
        electorate_kind=electorate,
        station_id=w.station.id if electorate == ElectorateKind.DEPUTIES else None,
        method=method,
        secrecy=secrecy,
        params=params,
        opens_at=now,
        closes_at=now + timedelta(days=3),
        projects=w.projects if projects is None else projects,
        actor=w.secretary,
    )
    if open_it:
        ops.open_vote(v, w.secretary)
    db.session.commit()
    return v


def ids(projects) -> list[str]:
    return [str(p.id) for p in projects]


def cosign_latest(vote_id: int, witness: str, signer) -> None:
    """The witness `witness` cosigns the vote's latest checkpoint with `signer` (committed), as
    `witnessing.store` would keep its answer."""
    from sqlalchemy import select

    from app.core import tlog
    from app.votes.models import Checkpoint, Cosignature

    checkpoint = db.session.scalars(
        select(Checkpoint)
        .where(Checkpoint.vote_id == vote_id)
        .order_by(Checkpoint.size.desc(), Checkpoint.id.desc())
    ).first()
    assert checkpoint is not None and checkpoint.note is not None
    db.session.add(
        Cosignature(
            checkpoint_id=checkpoint.id,
            witness=witness,
            line=tlog.cosign(tlog.parse_note(checkpoint.note).text, signer, 1_780_000_000),
            cosigned_at=utcnow() - timedelta(minutes=1),
        )
    )
    db.session.commit()
