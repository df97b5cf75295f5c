"""Demo suggestions: about sixty in every state (histories, due dates, honest per-body statistics)
and the candidate livelihood projects the votes demo puts to a vote.

Everything goes through the real operations, with their clock moved back in time.
"""

from collections.abc import Callable
from contextlib import contextmanager
from datetime import datetime, timedelta

from app.accounts.models import Role, RoleAssignment, User
from app.core.time import from_local, local_today, to_local, utcnow
from app.extensions import db
from app.org.models import BodyKind
from app.suggestions import followup, jobs
from app.suggestions import operations as ops
from app.suggestions.models import Category, Rating, Suggestion, SuggestionSource

SUMMARIES: dict[Category, list[str]] = {
    Category.LIFT: [
        "电梯经常停运，老人上下楼困难",
        "电梯按钮失灵，需要维修",
        "电梯运行有异响",
        "电梯年检标志过期未更新",
    ],
    Category.LEAKS: [
        "楼道水管漏水，墙面发霉",
        "雨天地下车库积水",
        "屋顶渗水影响顶楼住户",
        "化粪池堵塞有异味",
    ],
    Category.CLEANING: [
        "垃圾厢房周边清运不及时",
        "绿化带杂草丛生",
        "楼道堆物影响通行",
        "湿垃圾桶破损需要更换",
    ],
    Category.PARKING: [
        "非机动车乱停放堵塞通道",
        "小区内需要增设电动车充电桩",
        "外来车辆占用消防通道停车",
    ],
    Category.SECURITY: ["小区北门门禁损坏", "夜间巡逻频次不够", "消防通道被堵塞"],
    Category.PROPERTY_SERVICE: ["物业服务质量与收费不相符", "物业费公示不清楚", "物业维修响应太慢"],
    Category.PROPERTY_COMPANY_CHOICE: [
        "希望业委会组织选聘新的物业公司",
        "物业合同到期后是否续聘需征求意见",
    ],
    Category.MAINTENANCE_FUND: ["申请使用维修基金更换屋面防水", "维修基金使用情况请公开"],
    Category.NEIGHBOURS: ["楼上住户夜间噪音扰民", "邻居在公共走道堆放杂物", "邻居家空调外机滴水"],
    Category.ELDERLY: [
        "希望增设老年助餐点",
        "独居老人需要定期上门探访",
        "希望社区开展老年人智能手机培训",
    ],
    Category.COMMUNITY_LIFE: [
        "希望周末组织亲子活动",
        "公告栏信息更新不及时",
        "建议开设垃圾分类宣传活动",
    ],
    Category.STREETS: ["小区门口路口需要红绿灯", "番禺路人行道破损", "菜场周边占道经营"],
    Category.OTHER: ["希望小区增设快递柜", "建议在小区内设置健身步道"],
}

ANSWERS = [
    "已安排维修人员上门查看，三个工作日内完成处理。",
    "经现场核实，已完成维修，请居民继续监督。",
    "已纳入本季度工作计划，将分步实施，进度在公告栏公示。",
    "已与相关单位协调，近期将统一整治。",
    "已约谈相关住户并调解，双方达成一致。",
]


@contextmanager
def clock(moment: datetime, *more_modules):
    """Run operations as if it were `moment` (naive UTC): they date their records by this clock."""
    modules = (ops, *more_modules)
    fakes = {"utcnow": lambda: moment, "local_today": lambda: to_local(moment).date()}
    saved = [(m, name, getattr(m, name)) for m in modules for name in fakes if hasattr(m, name)]
    for m, name, _real in saved:
        setattr(m, name, fakes[name])
    try:
        yield
    finally:
        for m, name, real in saved:
            setattr(m, name, real)


def _at(days_ago: float, hour: int = 10) -> datetime:
    """A Shanghai wall-clock time `days_ago` days back, as naive UTC."""
    day = local_today() - timedelta(days=int(days_ago))
    return from_local(datetime(day.year, day.month, day.day, hour, 0))


def _body_for(ctx, community, category: Category):
    return ctx.bodies[community.id][category.suggested_body_kind]


def _handler_for(ctx, body) -> User:
    """The demo handler who answers for `body`; bodies without one get one (answers need a handler)."""
    if body.kind in ctx.handlers and body.id in _handled(ctx.handlers[body.kind]):
        return ctx.handlers[body.kind]
    made = ctx.extra.setdefault("body_handlers", {})
    if body.id not in made:
        user = User(
            display_name=f"{body.name}经办人",
            phone=f"1390000{body.id:04d}",
            password_hash=ctx.password_hash,
        )
        db.session.add(user)
        db.session.flush()
        db.session.add(
            RoleAssignment(
                user_id=user.id, role=Role.HANDLER, body_id=body.id, appointed_by_id=ctx.admin.id
            )
        )
        db.session.flush()
        made[body.id] = user
    return made[body.id]


def _handled(user) -> set[int]:
    return {a.body_id for a in user.roles if a.role == Role.HANDLER and a.body_id}


def load(ctx, receptions, _clock: Callable) -> None:
    """Suggestions in every state, some recorded at the station's `receptions` [(session, deputy)]."""
    rng = ctx.rng
    c0 = ctx.communities[0]
    c1 = ctx.communities[1]
    station = ctx.station
    # --- about sixty suggestions in every state ------------------------------------
    plan = (
        ["closed"] * 18
        + ["answered"] * 8
        + ["reopened"] * 3
        + ["accepted"] * 9
        + ["overdue"] * 7
        + ["submitted"] * 9
        + ["declined"] * 4
        + ["reclosed"] * 2
    )
    rng.shuffle(plan)
    categories = list(SUMMARIES)
    made: list[Suggestion] = []
    for i, state in enumerate(plan):
        community = c0 if i % 4 else c1
        residents = ctx.residents[community.id]
        category = categories[i % len(categories)]
        summary = rng.choice(SUMMARIES[category])
        building = rng.choice(ctx.buildings[community.id])
        # Overdue ones were accepted long enough ago; open ones recently.
        age = {
            "submitted": rng.randint(0, 4),
            "accepted": rng.randint(2, 12),
            "overdue": rng.randint(30, 60),
            "reopened": rng.randint(20, 30),
            "reclosed": rng.randint(30, 60),
        }.get(state, rng.randint(20, 200))
        submitted = min(_at(age, rng.randint(8, 21)), utcnow() - timedelta(hours=1))
        source, recorded_by, session_id, station_id, submitter = (
            SuggestionSource.ONLINE,
            None,
            None,
            None,
            None,
        )
        if i % 7 == 3:
            reception, deputy = receptions[i % len(receptions)]
            source, recorded_by, session_id, station_id = (
                SuggestionSource.RECEPTION,
                deputy,
                reception.id,
                station.id,
            )
            submitted = max(submitted, reception.starts_at + timedelta(hours=1))
            submitted = min(submitted, reception.starts_at + timedelta(hours=2))
        else:
            submitter = residents[0] if i < 6 and community is c0 else rng.choice(residents)
        with _clock(submitted):
            s = ops.submit_suggestion(
                community_id=community.id,
                category=category,
                summary=f"{building.label}{summary}",
                text="具体情况：" + summary + "，希望尽快处理。",
                building_id=building.id,
                submitter=submitter,
                walk_in_name="" if submitter else rng.choice(["赵大爷", "钱阿姨", ""]),
                source=source,
                session_id=session_id,
                station_id=station_id,
                recorded_by=recorded_by,
                submitted_at=submitted,
            )
        made.append(s)
        if state == "submitted":
            continue
        secretary = ctx.secretaries[community.id]
        accepted = submitted + timedelta(days=rng.randint(1, 3))
        if state == "declined":
            with _clock(accepted):
                ops.decline_suggestion(
                    s, "经核实不属于本小区公共事务，已告知来访人向相关部门反映。", actor=secretary
                )
            continue
        body = _body_for(ctx, community, category)
        with _clock(accepted):
            ops.accept_suggestion(s, body, actor=secretary)
        if state in ("accepted", "overdue"):
            continue
        handler = _handler_for(ctx, body)
        # Most bodies answer within the deadline; some are late (for honest statistics).
        answer_days = rng.choice([2, 4, 6, 9, 12, 16, 25, 30])
        answered = accepted + timedelta(days=answer_days)
        with _clock(answered):
            ops.answer_suggestion(s, rng.choice(ANSWERS), actor=handler)
        rated = answered + timedelta(days=rng.randint(1, 4))
        if state == "answered":
            continue
        if s.submitter is None:
            with _clock(rated):
                ops.close_suggestion(s, actor=secretary)
            continue
        if state in ("reopened", "reclosed"):
            with _clock(rated):
                ops.rate_suggestion(
                    s, Rating.UNSATISFIED, s.submitter, comment="问题没有根本解决。"
                )
            if state == "reclosed":
                with _clock(rated + timedelta(days=5)):
                    ops.answer_suggestion(s, "已彻底更换相关设备，并安排专人回访。", actor=handler)
                with _clock(rated + timedelta(days=7)):
                    ops.rate_suggestion(s, Rating.FAIRLY_SATISFIED, s.submitter)
            continue
        rating = rng.choice(
            [
                Rating.SATISFIED,
                Rating.SATISFIED,
                Rating.SATISFIED,
                Rating.FAIRLY_SATISFIED,
                Rating.UNSATISFIED,
            ]
        )
        if rating == Rating.UNSATISFIED:
            rating = (
                Rating.FAIRLY_SATISFIED
            )  # an unsatisfied rating would reopen it; "reopened" covers that
        with _clock(rated):
            ops.rate_suggestion(s, rating, s.submitter)

    # --- candidate livelihood projects for the votes demo --------------------------
    candidates = [
        (c0, Category.LIFT, "3号楼加装电梯", "为3号楼加装一部电梯，方便老年住户出行。", 780000),
        (
            c0,
            Category.PARKING,
            "非机动车集中充电棚",
            "在北侧空地建设带智能充电桩的非机动车棚，消除飞线充电隐患。",
            160000,
        ),
        (
            c0,
            Category.LEAKS,
            "老旧楼道照明与水管改造",
            "更换1至4号楼楼道感应灯和老化水管。",
            240000,
        ),
        (
            c0,
            Category.ELDERLY,
            "社区老年助餐点",
            "在居委会一楼开设老年助餐点，每日供应午餐。",
            120000,
        ),
        (
            c0,
            Category.OTHER,
            "健身步道与口袋公园",
            "利用中心绿地建设环形健身步道和休憩座椅。",
            300000,
        ),
        (
            c1,
            Category.CLEANING,
            "垃圾厢房移位改造",
            "将垃圾厢房移至远离住宅楼的位置并加装除臭设备。",
            200000,
        ),
    ]
    marked = []
    for community, category, title, description, cost in candidates:
        submitted = _at(rng.randint(30, 90), 15)
        secretary = ctx.secretaries[community.id]
        with _clock(submitted):
            s = ops.submit_suggestion(
                community_id=community.id,
                category=category,
                summary=title + "的建议",
                text=description,
                submitter=rng.choice(ctx.residents[community.id]),
                building_id=ctx.buildings[community.id][0].id,
            )
        with _clock(submitted + timedelta(days=2)):
            ops.accept_suggestion(
                s,
                ctx.bodies[community.id][BodyKind.RESIDENTS_COMMITTEE],
                actor=secretary,
                note="涉及资金较大，转居委会汇总为民生实事项目候选。",
            )
        with _clock(submitted + timedelta(days=9)):
            ops.answer_suggestion(
                s,
                "已列入本年度民生实事项目候选清单，将提交代表票决。",
                actor=_handler_for(ctx, ctx.bodies[community.id][BodyKind.RESIDENTS_COMMITTEE]),
            )
        ops.mark_candidate_project(s, title, description, cost, actor=ctx.secretaries[community.id])
        marked.append(s)
    db.session.flush()
    ctx.extra["candidate_suggestions"] = marked
    _follow_through(ctx, _clock)


def _follow_through(ctx, _clock: Callable) -> None:
    """An overdue suggestion escalated (督办) by the schedule, one escalated by hand, and a walk-in's
    answer awaiting a return visit (回访); then the scheduler's jobs catch up on everything else."""
    c0 = ctx.communities[0]
    secretary = ctx.secretaries[c0.id]
    building = ctx.buildings[c0.id][0]
    cases = [
        (Category.SECURITY, "消防通道被杂物堵塞，存在安全隐患", 40, "schedule"),
        (Category.LEAKS, "地下车库排水泵故障，雨天积水严重", 25, "hand"),
        (Category.ELDERLY, "独居老人希望有定期上门探访", 30, "visit"),
    ]
    for category, summary, age, kind in cases:
        submitted = _at(age, 9)
        with _clock(submitted):
            s = ops.submit_suggestion(
                community_id=c0.id,
                category=category,
                summary=f"{building.label}{summary}",
                text="来电反映：" + summary + "。",
                building_id=building.id,
                walk_in_name="孙阿姨" if kind == "visit" else "",
                recorded_by=secretary,
                submitted_at=submitted,
            )
        body = _body_for(ctx, c0, category)
        with _clock(submitted + timedelta(days=1)):
            ops.accept_suggestion(s, body, actor=secretary)
        if kind == "hand":
            with clock(submitted + timedelta(days=10), followup):
                followup.escalate_suggestion(
                    s, "居民多次来电，雨季将至，请物业加快处理。", actor=secretary
                )
        elif kind == "visit":
            with _clock(submitted + timedelta(days=8)):
                ops.answer_suggestion(
                    s,
                    "已联系街道为老服务中心，每周安排志愿者上门探访。",
                    actor=_handler_for(ctx, body),
                )
    db.session.flush()
    now = utcnow()
    for job in (jobs.remind_handlers, jobs.escalate_overdue, jobs.list_return_visits):
        job(now)
