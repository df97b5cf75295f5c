"""Demo content for hearings: past sessions of every kind with minutes, an upcoming hearing with a
waiting list, receptions at the station, and (through the suggestions demo) about sixty suggestions in every state.

Everything goes through the real operations, with their clock moved back in time so that
histories, due dates and the per-body statistics look like a year of real use.
"""

from contextlib import contextmanager
from datetime import datetime, timedelta

from app.core.time import from_local, local_today, to_local
from app.extensions import db
from app.hearings import operations as ops
from app.hearings.models import (
    HearingSession,
    Registration,
    RegistrationStatus,
    SessionKind,
    WalkIn,
)
from app.org.models import BodyKind
from app.suggestions import demo as suggestion_demo


@contextmanager
def _clock(moment: datetime):
    """Run operations (ours and the suggestions domain's) as if it were `moment` (naive UTC)."""
    with suggestion_demo.clock(moment, ops):
        yield


def _at(days_ago: float, hour: int = 10) -> datetime:
    """A Shanghai wall-clock time `days_ago` days back, as naive UTC."""
    day = local_today() - timedelta(days=int(days_ago))
    return from_local(datetime(day.year, day.month, day.day, hour, 0))


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

    # --- about sixty suggestions in every state, and candidate projects ----------------
    suggestion_demo.load(ctx, receptions, _clock)
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
