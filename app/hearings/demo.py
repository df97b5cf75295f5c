"""Demo content for hearings: past sessions of every kind with minutes, an upcoming hearing with a
waiting list, receptions at the station, and about sixty suggestions in every state.

Everything goes through the real operations, with their clock moved back in time so that
histories, due dates and the per-body statistics look like a year of real use.
"""

from contextlib import contextmanager
from datetime import datetime, timedelta

from app.core.time import from_local, local_today, to_local, utcnow
from app.extensions import db
from app.hearings import operations as ops
from app.hearings.models import (
    Category,
    HearingSession,
    Rating,
    Registration,
    RegistrationStatus,
    SessionKind,
    Suggestion,
    SuggestionSource,
    WalkIn,
)
from app.org.models import BodyKind

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
def _clock(moment: datetime):
    """Run operations as if it were `moment` (naive UTC): they date their records by this clock."""
    saved = ops.utcnow, ops.local_today
    ops.utcnow = lambda: moment
    ops.local_today = lambda: to_local(moment).date()
    try:
        yield
    finally:
        ops.utcnow, ops.local_today = saved


def _at(days_ago: float, hour: int = 10) -> datetime:
    """A Shanghai wall-clock time `days_ago` days back, as naive UTC."""
    day = local_today() - timedelta(days=int(days_ago))
    return from_local(datetime(day.year, day.month, day.day, hour, 0))


def _body_for(ctx, community, category: Category):
    return ctx.bodies[community.id][category.suggested_body_kind]


def load(ctx) -> None:
    rng = ctx.rng
    c0, c1 = ctx.communities[0], ctx.communities[1]
    secretary0, secretary1 = ctx.secretaries[c0.id], ctx.secretaries[c1.id]
    station = ctx.station
    deputies = ctx.deputies
    residents0, residents1 = ctx.residents[c0.id], ctx.residents[c1.id]

    # --- past sessions of every kind, with attendance and minutes ---------------
    past_plans = [
        (
            c0,
            SessionKind.HEARING,
            "梅园3号楼加装电梯听证会",
            80,
            "加装电梯方案、费用分摊与低层住户补偿",
            ["方案介绍", "低层住户意见", "费用分摊讨论"],
        ),
        (
            c0,
            SessionKind.COORDINATION,
            "非机动车停放与充电协调会",
            55,
            "非机动车充电棚选址与消防安全",
            ["现状通报", "选址讨论"],
        ),
        (
            c0,
            SessionKind.REVIEW,
            "物业服务年度评议会",
            40,
            "居民对物业服务的年度评议",
            ["物业述职", "居民评议"],
        ),
        (
            c0,
            SessionKind.SUPERVISION,
            "屋面防水工程监督会",
            25,
            "维修基金使用与施工质量监督",
            ["施工进度", "质量问题"],
        ),
        (
            c1,
            SessionKind.HEARING,
            "锦绣苑垃圾厢房改造听证会",
            60,
            "垃圾厢房移位改造方案",
            ["方案介绍", "居民发言"],
        ),
        (
            c1,
            SessionKind.COORDINATION,
            "涉外住户沟通协调会",
            35,
            "外籍住户反映的公共服务问题",
            ["意见收集"],
        ),
    ]
    minutes_texts = {
        SessionKind.HEARING: (
            "与会居民就方案逐项发表意见，多数居民支持，低层住户提出补偿诉求。",
            "方案修改后进入公示；补偿办法由业委会另行征求意见。",
        ),
        SessionKind.COORDINATION: (
            "物业、业委会与居民代表就选址和安全要求进行协调。",
            "在北侧空地试点建设，消防部门验收后启用。",
        ),
        SessionKind.REVIEW: (
            "居民逐项评议物业服务，清洁和绿化满意度较高，维修响应较慢。",
            "物业限期提交整改方案。",
        ),
        SessionKind.SUPERVISION: (
            "施工方通报进度，居民代表现场查看并提出质量问题。",
            "对渗水点返工，完工后由居民代表参与验收。",
        ),
    }
    for community, kind, title, days_ago, subject, agenda in past_plans:
        secretary = ctx.secretaries[community.id]
        residents = ctx.residents[community.id]
        starts = _at(days_ago, 19)
        with _clock(starts - timedelta(days=14)):
            s = ops.create_session(
                kind=kind,
                title=title,
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                place="居委会二楼会议室",
                community_id=community.id,
                capacity=30,
                subject_text=subject,
                agenda=agenda,
                actor=secretary,
            )
        _seat_past(s, rng.sample(residents, min(len(residents), rng.randint(12, 24))), rng)
        with _clock(starts + timedelta(hours=3)):
            ops.mark_session_held(s, actor=secretary)
            summary, decisions = minutes_texts[kind]
            actions = [
                (
                    "物业两周内提交书面整改方案",
                    ctx.bodies[community.id][BodyKind.PROPERTY_COMPANY].id,
                    (to_local(starts) + timedelta(days=14)).date(),
                ),
                (
                    "居委会将结果在公告栏公示",
                    ctx.bodies[community.id][BodyKind.RESIDENTS_COMMITTEE].id,
                    (to_local(starts) + timedelta(days=7)).date(),
                ),
            ]
            speakers = [
                (residents[0].display_name, True, "支持方案，希望尽快实施。"),
                ("", False, "担心施工噪音，希望合理安排施工时间。"),
            ]
            ops.publish_minutes(
                s,
                summary=summary,
                decisions=decisions,
                actor=secretary,
                actions=actions,
                speakers=speakers,
            )
        if kind == SessionKind.HEARING and community is c0:
            with _clock(starts + timedelta(days=2)):
                ops.publish_minutes(
                    s,
                    summary=summary + "会后补充：低层住户代表书面意见已附后。",
                    decisions=decisions,
                    correction_note="补充低层住户书面意见。",
                    actions=actions,
                    speakers=speakers,
                    actor=secretary,
                )

    # --- receptions at the station: past ones with minutes, upcoming ones --------
    receptions = []
    for i, days_ago in enumerate([70, 42, 14]):
        deputy = deputies[i % len(deputies)]
        starts = _at(days_ago, 9)
        with _clock(starts - timedelta(days=10)):
            s = ops.create_session(
                kind=SessionKind.RECEPTION,
                title=f"{deputy.display_name}接待日",
                starts_at=starts,
                ends_at=starts + timedelta(hours=3),
                place=station.address or "联络站",
                station_id=station.id,
                host_id=deputy.id,
                actor=deputy,
                subject_text="人大代表接待选民，听取意见建议。",
            )
        for _ in range(rng.randint(2, 5)):
            db.session.add(
                WalkIn(
                    session_id=s.id,
                    name=rng.choice(["", "", "赵大爷", "钱阿姨"]),
                    recorded_by_id=deputy.id,
                )
            )
        db.session.flush()
        with _clock(starts + timedelta(hours=4)):
            ops.mark_session_held(s, actor=deputy)
            ops.publish_minutes(
                s, summary="代表接待来访居民，记录意见建议并转交相关单位办理。", actor=deputy
            )
        receptions.append((s, deputy))
    for i, days_ahead in enumerate([6, 20]):
        deputy = deputies[(i + 3) % len(deputies)]
        starts = _at(-days_ahead, 9)
        ops.create_session(
            kind=SessionKind.RECEPTION,
            title=f"{deputy.display_name}接待日",
            starts_at=starts,
            ends_at=starts + timedelta(hours=3),
            place=station.address or "联络站",
            station_id=station.id,
            host_id=deputy.id,
            actor=deputy,
            subject_text="人大代表接待选民，听取意见建议。",
        )
    db.session.flush()

    # --- the upcoming hearing, full, with a waiting list ---------------------------
    pact = ctx.extra.get("consultation_pact")
    starts = _at(-9, 19)
    hearing = ops.create_session(
        kind=SessionKind.HEARING,
        title="《梅园居民公约》修订听证会" if pact else "梅园小区停车管理办法听证会",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        place="梅园居委会二楼会议室",
        community_id=c0.id,
        capacity=12,
        subject_type="pact" if pact else None,
        subject_id=pact.id if pact else None,
        subject_text="听取居民对修订草案的意见，重点讨论分歧较大的条款。"
        if pact
        else "听取居民对停车收费与车位分配办法的意见。",
        agenda=["草案说明", "居民发言（每人3分钟）", "答复与小结"],
        actor=secretary0,
    )
    topics = ["", "", "停车收费标准", "", "车位分配", "", "", "访客停车"]
    for i, user in enumerate(residents0[:15]):
        if user.display_name == "李建国":
            continue  # left free so the demo login can try registering and land on the waiting list
        ops.register_for_session(hearing, user, speak_topic=topics[i % len(topics)], actor=user)
    upcoming_review = ops.create_session(
        kind=SessionKind.REVIEW,
        title="锦绣苑物业服务评议会",
        starts_at=_at(-16, 19),
        ends_at=_at(-16, 19) + timedelta(hours=2),
        place="锦绣苑会所",
        community_id=c1.id,
        capacity=40,
        subject_text="对物业服务进行年度评议。",
        actor=secretary1,
    )
    for user in residents1[:6]:
        ops.register_for_session(upcoming_review, user, actor=user)

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
        handler = ctx.handlers.get(body.kind) if body.community_id in (None, c0.id) else None
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
                actor=ctx.handlers.get(BodyKind.RESIDENTS_COMMITTEE) if community is c0 else None,
            )
        ops.mark_candidate_project(s, title, description, cost, actor=ctx.secretaries[community.id])
        marked.append(s)
    db.session.flush()
    ctx.extra["candidate_suggestions"] = marked
    ctx.extra["hearing_sessions"] = [hearing]


def _seat_past(session: HearingSession, users, rng) -> None:
    """Registrations and attendance of a session that already took place."""
    for user in users:
        attended = rng.random() < 0.8
        db.session.add(
            Registration(
                session_id=session.id,
                user_id=user.id,
                status=RegistrationStatus.REGISTERED,
                queued_at=session.starts_at - timedelta(days=3),
                created_at=session.starts_at - timedelta(days=3),
                attended=attended,
                attended_at=session.starts_at if attended else None,
            )
        )
    for _ in range(rng.randint(1, 4)):
        db.session.add(
            WalkIn(session_id=session.id, name=rng.choice(["", "赵大爷", "钱阿姨", "孙师傅"]))
        )
    db.session.flush()
    db.session.refresh(session)
