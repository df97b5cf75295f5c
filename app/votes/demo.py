"""Demo votes: a published deputies' vote, a published residents' participatory budget, the
ratification of the adopted pact, and one vote open now. Every ballot goes through
`cast_ballot`, so every demo log verifies. Every checkpoint is signed with the site's log key
(generated into the instance folder on first use); the demo configures no witness, so its
policies say ``quorum none`` (add witnesses on a community's witness page to see cosigning)."""

from datetime import timedelta

from app.core.time import utcnow
from app.extensions import db
from app.projects import operations as project_ops
from app.projects.models import ProjectStatus
from app.votes import operations as ops
from app.votes.models import ElectorateKind, Method, Secrecy

DEPUTY_PROJECTS = [
    ("小区主干道路面修缮", "翻修东西主干道约 800 平方米破损路面，增设减速带。", 420000, "居委会"),
    ("增设高清监控探头", "在出入口、非机动车棚和地下车库新增 24 个监控探头。", 180000, "业委会"),
    ("社区活动室适老化改造", "活动室地面防滑、加装扶手和无障碍卫生间。", 260000, "老年协会"),
    ("增设无障碍坡道", "为 1 至 6 号楼单元门口修建无障碍坡道。", 150000, "残疾人专职委员"),
    ("门岗与道闸升级", "更换老旧道闸，升级门岗访客登记系统。", 90000, "物业服务中心"),
]
OWN_BUDGET_PROJECTS = [
    ("3号楼加装电梯", "为3号楼加装一部电梯。", 780000),
    ("非机动车集中充电棚", "建设带智能充电桩的非机动车棚。", 160000),
    ("老旧楼道照明与水管改造", "更换楼道感应灯和老化水管。", 240000),
    ("社区老年助餐点", "开设老年助餐点，每日供应午餐。", 120000),
    ("健身步道与口袋公园", "建设环形健身步道和休憩座椅。", 300000),
]
OPEN_PROJECTS = [
    ("儿童游乐区地面改造", "将游乐区水泥地面更换为塑胶安全地垫。", 90000, "3号楼居民"),
    ("快递柜集中摆放点", "在南门设置统一的快递柜摆放点，加装雨棚。", 60000, "居委会"),
]


def _published(vote, secretary, casts, *, opened, closed):
    """Open at `opened`, cast the given (user, choices, minutes after opening), close at `closed`, publish."""
    ops.open_vote(vote, secretary, now=opened)
    for user, choices, minutes in casts:
        ops.cast_ballot(vote, user, choices, now=opened + timedelta(minutes=minutes))
    ops.close_vote(vote, secretary, now=closed)
    ops.publish_vote(vote, secretary, now=closed + timedelta(hours=1))
    return vote


def load(ctx) -> None:
    rng = ctx.rng
    now = utcnow().replace(microsecond=0)
    c0, c1 = ctx.communities[0], ctx.communities[1]
    sec0, sec1 = ctx.secretaries[c0.id], ctx.secretaries[c1.id]

    # 1. The deputies' livelihood-project vote (代表票决), open roll call, 5 candidates for 3 places.
    projects = [
        project_ops.create_project(
            c0, title=t, description=d, estimated_cost=c, proponent=p, actor=sec0
        )
        for t, d, c, p in DEPUTY_PROJECTS
    ]
    opened = now - timedelta(days=40)
    vote = ops.create_vote(
        c0,
        title="2027年度民生实事项目代表票决",
        description="联络站代表对本年度民生实事候选项目进行差额票决。",
        electorate_kind=ElectorateKind.DEPUTIES,
        station_id=ctx.station.id,
        method=Method.APPROVAL,
        secrecy=Secrecy.OPEN,
        params={"max_choices": 3, "seats": 3},
        opens_at=opened,
        closes_at=opened + timedelta(hours=2),
        projects=projects,
        actor=sec0,
    )
    ids = [str(p.id) for p in projects]
    picks = [
        [ids[0], ids[1], ids[2]],
        [ids[0], ids[2], ids[3]],
        [ids[0], ids[1], ids[3]],
        [ids[2], ids[3], ids[4]],
        [ids[0], ids[2], ids[1]],
    ]
    _published(
        vote,
        sec0,
        [(d, {"approve": picks[i]}, 5 + i * 7) for i, d in enumerate(ctx.deputies)],
        opened=opened,
        closed=opened + timedelta(hours=2),
    )
    planned = [o.project for o in vote.options if o.project.status == ProjectStatus.PLANNED]
    if planned:
        first = planned[0]
        project_ops.advance_project(first, ProjectStatus.IN_PROGRESS, sec0)
        project_ops.add_project_update(
            first,
            on=(now - timedelta(days=20)).date(),
            percent=15,
            note="施工单位进场，完成围挡和旧路面铣刨。",
            actor=sec0,
        )
        project_ops.add_project_update(
            first,
            on=(now - timedelta(days=6)).date(),
            percent=55,
            note="主干道西段铺设完成，东段开始施工。",
            actor=sec0,
        )
    if len(planned) > 1:
        second = planned[1]
        project_ops.advance_project(second, ProjectStatus.IN_PROGRESS, sec0)
        project_ops.add_project_update(
            second,
            on=(now - timedelta(days=12)).date(),
            percent=100,
            note="全部完工，已通过居民代表验收。",
            actor=sec0,
        )
        project_ops.advance_project(second, ProjectStatus.COMPLETED, sec0)

    # 2. The residents' participatory budget, Method of Equal Shares, secret ballot.
    suggestions = [s for s in ctx.extra.get("candidate_suggestions", []) if s.community_id == c0.id]
    if suggestions:
        budget_projects = [
            project_ops.create_project(
                c0,
                title=s.candidate_title,
                description=s.candidate_description,
                estimated_cost=s.candidate_cost or 100000,
                proponent=f"居民建议 {s.number}",
                suggestion_ids=[s.id],
                actor=sec0,
            )
            for s in suggestions
        ]
    else:
        budget_projects = [
            project_ops.create_project(
                c0, title=t, description=d, estimated_cost=c, proponent="居民", actor=sec0
            )
            for t, d, c in OWN_BUDGET_PROJECTS
        ]
    opened = now - timedelta(days=25)
    vote = ops.create_vote(
        c0,
        title="2027年社区微更新参与式预算",
        description="每位居民可以赞成任意多个项目，按平等份额法确定资助项目。",
        electorate_kind=ElectorateKind.RESIDENTS,
        method=Method.EQUAL_SHARES,
        secrecy=Secrecy.SECRET,
        params={"budget": 800000},
        opens_at=opened,
        closes_at=opened + timedelta(days=7),
        projects=budget_projects,
        actor=sec0,
    )
    ids = [str(p.id) for p in budget_projects]
    # The lift is the most popular single project but costs almost the whole budget: "most
    # approvals first" spends everything on it, equal shares funds what more residents share.
    weights = [0.6, 0.45, 0.35, 0.5, 0.3, 0.3][: len(ids)]
    residents = [r for r in ctx.residents[c0.id][2:] if r.household is not None]
    voters = rng.sample(residents, k=min(len(residents), max(1, int(len(residents) * 0.6))))
    casts = []
    for i, r in enumerate(voters):
        approve = [oid for oid, w in zip(ids, weights, strict=False) if rng.random() < w] or [
            rng.choice(ids)
        ]
        casts.append((r, {"approve": approve}, 10 + i * 37))
    _published(vote, sec0, casts, opened=opened, closed=opened + timedelta(days=7))

    # 3. The ratification of the adopted pact (already adopted by the pacts demo; its status stays).
    pact = ctx.extra.get("adopted_pact")
    if pact is not None and pact.latest_version is not None:
        community = c0 if pact.community_id == c0.id else c1
        secretary = ctx.secretaries[community.id]
        adopted_at = pact.adopted_at or now - timedelta(days=50)
        opened = adopted_at - timedelta(days=3)
        vote = ops.create_vote(
            community,
            title=f"{pact.title} · 第{pact.latest_version.number}版 表决",
            description="居民会议表决：过半数居民参加，参加者过半数赞成即通过。",
            electorate_kind=ElectorateKind.RESIDENTS,
            method=Method.RATIFICATION,
            secrecy=Secrecy.SECRET,
            opens_at=opened,
            closes_at=opened + timedelta(days=2),
            pact_version_id=pact.latest_version.id,
            actor=secretary,
        )
        residents = [r for r in ctx.residents[community.id] if r.household is not None]
        voters = rng.sample(residents, k=int(len(residents) * 0.7))
        casts = [
            (
                r,
                {"answer": rng.choices(["yes", "no", "abstain"], [0.78, 0.12, 0.10])[0]},
                5 + i * 20,
            )
            for i, r in enumerate(voters)
        ]
        _published(vote, secretary, casts, opened=opened, closed=opened + timedelta(days=2))

    # 4. A vote open now: item by item, residents of the second community; the named demo
    #    resident (listed first) has not voted yet.
    open_projects = [
        project_ops.create_project(
            c1, title=t, description=d, estimated_cost=c, proponent=p, actor=sec1
        )
        for t, d, c, p in OPEN_PROJECTS
    ]
    open_projects += [
        project_ops.create_project(
            c1,
            title=s.candidate_title,
            description=s.candidate_description,
            estimated_cost=s.candidate_cost or 100000,
            proponent=f"居民建议 {s.number}",
            suggestion_ids=[s.id],
            actor=sec1,
        )
        for s in ctx.extra.get("candidate_suggestions", [])
        if s.community_id == c1.id
    ]
    opened = now - timedelta(days=1)
    vote = ops.create_vote(
        c1,
        title="锦绣苑2027年小微项目逐项表决",
        description="请对每个项目分别表示赞成、反对或弃权。",
        electorate_kind=ElectorateKind.RESIDENTS,
        method=Method.ITEM_BY_ITEM,
        secrecy=Secrecy.SECRET,
        opens_at=opened,
        closes_at=now + timedelta(days=5),
        projects=open_projects,
        actor=sec1,
    )
    ops.open_vote(vote, sec1, now=opened)
    ids = [str(p.id) for p in open_projects]
    residents = [r for r in ctx.residents[c1.id][1:] if r.household is not None]
    for i, r in enumerate(rng.sample(residents, k=min(len(residents), 18))):
        choices = {oid: rng.choices(["yes", "no", "abstain"], [0.7, 0.15, 0.15])[0] for oid in ids}
        ops.cast_ballot(vote, r, choices, now=opened + timedelta(minutes=20 + i * 45))
    db.session.flush()
    ctx.extra["votes_open"] = vote
