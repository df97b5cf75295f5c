"""Demo content for pacts: an adopted 2024 pact with two versions, and its 2027 revision in
consultation with positions from every building (some clauses broad, some divided), threaded
comments and amendments in each state; and, in the second community (where the English-speaking
demo resident Anna lives), a short pact in English in consultation, so she has one to try."""

import random
from datetime import timedelta

from app.core.time import utcnow
from app.extensions import db
from app.pacts import operations as ops
from app.pacts.models import Position, Stance

OLD_PACT = [
    "第一条 为营造整洁、文明、和谐的居住环境，根据有关法律法规，结合本小区实际，制定本公约。",
    "第二条 爱护公共环境，生活垃圾分类投放，不乱扔杂物。",
    "第三条 楼道、消防通道内不堆放杂物，不停放电动自行车。",
    "第四条 文明养犬，出门牵绳，及时清理犬只粪便。",
    "第五条 装修施工遵守作息时间，中午和晚间不进行噪音作业。",
    "第六条 邻里之间互相尊重、互相帮助，有矛盾先协商。",
]

NEW_PACT = [
    "第一条 为营造整洁、文明、和谐的居住环境，经全体居民充分讨论，制定本公约。",
    "第二条 生活垃圾按“四分类”要求定时定点投放，湿垃圾破袋投放。",
    "第三条 楼道、消防通道内不堆放杂物；电动自行车不进楼、不进户，在集中充电点充电。",
    "第四条 文明养犬，出门牵绳，大型犬不进入儿童游乐区域，及时清理犬只粪便。",
    "第五条 装修施工时间为工作日8:00至12:00、13:30至18:00，节假日不进行噪音作业。",
    "第六条 不高空抛物，不在阳台外侧悬挂、堆放易坠落物品。",
    "第七条 小区内机动车限速每小时5公里，按位停放，不占用消防通道。",
    "第八条 中心花园夜间广场舞音量不超过55分贝，21:00前结束。",
    "第九条 公共绿地不种菜、不圈地、不晾晒衣物。",
    "第十条 维修资金使用、公共收益分配等事项，由业委会每季度公示。",
    "第十一条 邻里之间互相尊重、互相帮助，关心独居老人，有矛盾先协商。",
    "第十二条 鼓励居民参加楼组自治和志愿服务，每户每年至少参加一次社区公益活动。",
    "第十三条 外来快递、外卖车辆不进入小区，在东门快递驿站交接。",
    "第十四条 本公约经居民会议表决通过后施行，由居委会负责解释。",
]

#: Clause index -> how residents lean: a share of support per building half (first, second).
DIVIDED = {7: (0.9, 0.05), 12: (0.85, 0.1)}
CONTESTED = {4: 0.55, 11: 0.5}

#: The second community's pact, written in English (its residents include foreign residents).
ENGLISH_PACT = [
    "Article 1. Residents keep the shared courtyard, stairwells and bicycle shed clean and free "
    "of stored goods.",
    "Article 2. Quiet hours are 22:00 to 7:00 on every day, and 12:00 to 13:30 on working days.",
    "Article 3. Electric bicycles are charged only at the charging points by the east gate, "
    "never in stairwells or flats.",
    "Article 4. Dogs are kept on a lead outside the flat, and their owners clean up after them.",
    "Article 5. Neighbours settle disagreements by talking first; the residents' committee "
    "helps when asked.",
]

COMMENTS = [
    (
        None,
        "整体很好，比原来那版具体多了。建议在楼道里张贴一份简版。",
        [
            "同意，老年人看手机不方便，纸质版很需要。",
            "SECRETARY:谢谢建议，公约通过后每个楼道都会张贴打印版。",
        ],
    ),
    (
        2,
        "电动自行车集中充电点现在只有一个，晚上经常排队，能不能先增加充电桩？",
        [
            "我们楼下就有人在楼道充电，真的很危险，支持这条。",
            "充电桩不够是事实，建议公约里写上物业增加充电桩的时间。",
            "SECRETARY:已和物业沟通，年底前在3号楼、6号楼旁各增加一处充电点。",
        ],
    ),
    (
        7,
        "广场舞音乐太吵了，**5号楼到8号楼**离中心花园最近，晚上孩子写作业都受影响。",
        [
            "跳舞也是老年人的健身需要，21点前结束已经很早了。",
            "可以换到北面的空地嘛，离楼远一点。",
            "北面空地没有灯，晚上不安全。",
        ],
    ),
    (
        12,
        "快递车不让进，老人和腿脚不便的人怎么办？大件怎么拿？",
        [
            "可以让驿站提供送货上门服务，收一点费用也行。",
        ],
    ),
    (4, "周六上午能不能允许装修？上班族只有周末能盯装修。", []),
]


def load(ctx) -> None:
    community = ctx.communities[0]
    secretary = ctx.secretaries[community.id]
    residents = [r for r in ctx.residents[community.id] if r.household is not None]
    rng = ctx.rng
    now = utcnow()

    adopted = _adopted_pact(community, secretary, residents, now)
    consultation = _consultation_pact(community, secretary, residents, rng, now)
    db.session.flush()
    ctx.extra["adopted_pact"] = adopted
    ctx.extra["consultation_pact"] = consultation
    if len(ctx.communities) > 1:
        second = ctx.communities[1]
        ctx.extra["english_pact"] = _english_pact(
            second,
            ctx.secretaries[second.id],
            [r for r in ctx.residents[second.id] if r.household is not None],
            # A generator of its own: the shared one's sequence (what the other domains' demo
            # content is drawn from) stays as it was.
            random.Random(2027),
            now,
        )
        db.session.flush()


def _adopted_pact(community, secretary, residents, now):
    """The 2024 pact: consulted, amended into version 2, ratified and adopted."""
    pact = ops.create_pact(
        community,
        f"{community.name}居民公约（2024年）",
        OLD_PACT,
        summary="2024年经居民会议讨论通过的公约。",
        actor=secretary,
    )
    ops.open_consultation(pact, now - timedelta(days=1), now + timedelta(days=1), actor=secretary)
    v1 = pact.latest_version
    a = ops.propose_amendment(
        pact,
        v1.clauses[2],
        residents[1],
        "第三条 楼道、消防通道内不堆放杂物，不停放电动自行车，不在楼道内充电。",
        "去年隔壁小区楼道充电起火，应该写清楚。",
    )
    ops.decide_amendment(a, True, "采纳，消防安全是底线。", actor=secretary)
    ops.close_consultation(pact, actor=secretary)
    ops.start_revision(pact, actor=secretary)
    v2 = ops.publish_version(pact, "采纳第三条修正：明确禁止楼道充电。", actor=secretary)
    ops.begin_ratification(pact, secretary)
    ops.conclude_ratification(pact, True, secretary)
    # Place the story in 2024.
    start = now - timedelta(days=700)
    pact.created_at = start
    v1.created_at = v1.published_at = start + timedelta(days=3)
    v2.created_at = v2.published_at = start + timedelta(days=40)
    pact.consultation_opens_at = start + timedelta(days=3)
    pact.consultation_closes_at = start + timedelta(days=33)
    pact.adopted_at = start + timedelta(days=60)
    a.created_at = start + timedelta(days=10)
    a.decided_at = start + timedelta(days=35)
    return pact


def _consultation_pact(community, secretary, residents, rng, now):
    pact = ops.create_pact(
        community,
        f"{community.name}居民公约（2027年修订稿）",
        NEW_PACT,
        summary="2024年公约施行两年，居民反映电动自行车充电、广场舞噪音、快递车辆等新问题。"
        "请大家逐条表态、留言和提出修改，**征求意见截止后**居委会将逐条回应。",
        actor=secretary,
    )
    ops.open_consultation(pact, now - timedelta(days=9), now + timedelta(days=12), actor=secretary)
    version = pact.latest_version
    version.published_at = pact.created_at = now - timedelta(days=9)
    clauses = version.clauses

    buildings = sorted({r.household.building_id for r in residents})
    first_half = set(buildings[: len(buildings) // 2])
    positions = []
    for resident in residents:
        if rng.random() < 0.25:
            continue  # about a quarter of residents take no part
        in_first = resident.household.building_id in first_half
        for i, clause in enumerate(clauses):
            if rng.random() < 0.3:
                continue
            if i in DIVIDED:
                p_support = DIVIDED[i][0 if in_first else 1]
            else:
                p_support = CONTESTED.get(i, 0.88)
            roll = rng.random()
            if roll < p_support:
                stance = Stance.SUPPORT
            elif roll < p_support + (1 - p_support) / 2:
                stance = Stance.SUGGEST
            else:
                stance = Stance.OPPOSE
            positions.append(
                Position(
                    clause_id=clause.id,
                    user_id=resident.id,
                    household_id=resident.household.id,
                    stance=stance,
                    updated_at=now - timedelta(hours=rng.randint(1, 200)),
                )
            )
    db.session.add_all(positions)
    db.session.flush()

    # Threaded comments, oldest first, from residents of different buildings.
    speakers = residents[:]
    rng.shuffle(speakers)
    t = now - timedelta(days=8)
    n = 0
    for clause_index, text, replies in COMMENTS:
        clause = clauses[clause_index] if clause_index is not None else None
        author = speakers[n % len(speakers)]
        n += 1
        root = ops.post_comment(pact, author, text, clause=clause)
        root.created_at = t
        t += timedelta(hours=7)
        for reply in replies:
            if reply.startswith("SECRETARY:"):
                who, body = secretary, reply.removeprefix("SECRETARY:")
            else:
                who, body = speakers[n % len(speakers)], reply
                n += 1
            c = ops.post_comment(pact, who, body, parent=root)
            c.created_at = t
            t += timedelta(hours=3)
        for agreer in speakers[n : n + rng.randint(1, 6)]:
            if agreer.id != root.author_id:
                ops.agree_comment(root, agreer)
    # Positions shown next to comments: make sure a few commenters hold one.
    db.session.flush()

    # Moderation: an advert reported by two residents and hidden by the secretary (a public
    # notice with the reason stays in its place), and a heated reply reported but not yet decided.
    ad = ops.post_comment(
        pact, speakers[8], "专业上门维修空调、疏通下水道，价格优惠，电话请私信。", clause=clauses[9]
    )
    ad.created_at = now - timedelta(days=5)
    ops.report_comment(ad, speakers[9], "商业广告")
    ops.report_comment(ad, speakers[10], "广告，与公约无关")
    ops.hide_comment(ad, "商业广告，与公约讨论无关。", actor=secretary)
    heated = ops.post_comment(
        pact, speakers[11], "跳广场舞的就是自私，根本不考虑别人。", clause=clauses[7]
    )
    heated.created_at = now - timedelta(days=4)
    ops.report_comment(heated, speakers[12], "言辞过激，针对一类居民")
    db.session.flush()

    # Amendments in every state.
    a_open = ops.propose_amendment(
        pact,
        clauses[12],
        speakers[1],
        "第十三条 外来快递、外卖车辆不进入小区，在东门快递驿站交接；行动不便的居民可预约送货上门。",
        "照顾老年人和行动不便的居民。",
    )
    ops.endorse_amendment(a_open, speakers[2])
    ops.endorse_amendment(a_open, speakers[3])
    a_accepted = ops.propose_amendment(
        pact,
        clauses[2],
        speakers[4],
        "第三条 楼道、消防通道内不堆放杂物；电动自行车不进楼、不进户，在集中充电点充电。物业于年底前增设充电点。",
        "充电点不够，光禁止不解决问题。",
    )
    ops.endorse_amendment(a_accepted, speakers[5])
    ops.decide_amendment(
        a_accepted,
        True,
        "采纳。已与物业确认年底前增设两处充电点，写入公约便于监督。",
        actor=secretary,
    )
    a_rejected = ops.propose_amendment(
        pact,
        clauses[4],
        speakers[6],
        "第五条 装修施工时间为每日8:00至20:00。",
        "上班族只有晚上和周末能盯装修。",
    )
    ops.decide_amendment(
        a_rejected,
        False,
        "晚间施工影响多数居民休息，不予采纳；周六上午是否放开将在听证会上讨论。",
        actor=secretary,
    )
    a_withdrawn = ops.propose_amendment(
        pact, clauses[8], speakers[7], "第九条 公共绿地不种菜。", "简化表述。"
    )
    ops.withdraw_amendment(a_withdrawn, speakers[7])
    for i, a in enumerate((a_open, a_accepted, a_rejected, a_withdrawn)):
        a.created_at = now - timedelta(days=6 - i)
    db.session.flush()
    return pact


def _english_pact(community, secretary, residents, rng, now):
    """A short pact in English, in consultation, with a few positions and one comment thread.

    The demo resident Anna (13800000003) takes no position on it, so she can try every step.
    """
    pact = ops.create_pact(
        community,
        "Good Neighbours Pact (draft for consultation)",
        ENGLISH_PACT,
        summary="Five short rules for living together. Please say for each article whether you "
        "support it, oppose it or would change it, and why.",
        actor=secretary,
    )
    ops.open_consultation(pact, now - timedelta(days=3), now + timedelta(days=18), actor=secretary)
    version = pact.latest_version
    version.published_at = pact.created_at = now - timedelta(days=3)
    others = [r for r in residents if not r.display_name.startswith("Anna")]
    positions = []
    for resident in others[:12]:
        for clause in version.clauses:
            if rng.random() < 0.4:
                continue
            roll = rng.random()
            stance = (
                Stance.SUPPORT if roll < 0.75 else Stance.SUGGEST if roll < 0.9 else Stance.OPPOSE
            )
            positions.append(
                Position(
                    clause_id=clause.id,
                    user_id=resident.id,
                    household_id=resident.household.id,
                    stance=stance,
                    updated_at=now - timedelta(hours=rng.randint(1, 60)),
                )
            )
    db.session.add_all(positions)
    db.session.flush()
    if len(others) >= 2:
        root = ops.post_comment(
            pact,
            others[0],
            "Could the quiet hours start at 21:30? Many of us have small children.",
            clause=version.clauses[1],
        )
        root.created_at = now - timedelta(days=2)
        reply = ops.post_comment(
            pact,
            secretary,
            "Thank you: we will bring this to the hearing before the pact is put to a vote.",
            parent=root,
        )
        reply.created_at = now - timedelta(days=1)
    return pact
