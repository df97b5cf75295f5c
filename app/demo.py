"""Demo data: one subdistrict, communities of different kinds, households, residents and staff.

`load_demo()` does everything in one transaction (`flask demo` commits it) and does nothing
when the demo subdistrict exists already, so running `flask demo` twice changes nothing. Each
domain adds its own demo content with `register(app, "demo", load)` in its init_app.
"""

import random
from dataclasses import dataclass, field

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from app.accounts.models import Consent, Membership, MembershipStatus, Role, RoleAssignment, User
from app.core.registry import registered
from app.core.time import utcnow
from app.extensions import db
from app.org.models import (
    Body,
    BodyKind,
    Building,
    Community,
    CommunityKind,
    Household,
    Station,
    Subdistrict,
)

DEMO_SUBDISTRICT = "新华路街道"
DEMO_PASSWORD = "yishiting-demo"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英建华志强文红玉兰春梅海燕国庆德明淑珍凤英建国丽华桂兰秀珍玉梅振华晓东雪梅建军卫东永强金凤宝林海生婷雯浩然子涵欣怡宇轩梓萱"

#: The log-ins `flask demo` prints: (role, description, phone).
DEMO_LOGINS: list[tuple[str, str, str]] = []


@dataclass
class DemoContext:
    """What the core demo created, for the domains' loaders to build on."""

    rng: random.Random
    subdistrict: Subdistrict
    communities: list[Community]
    buildings: dict[int, list[Building]]
    residents: dict[int, list[User]]
    secretaries: dict[int, User]
    deputies: list[User]
    station: Station
    bodies: dict[int, dict[BodyKind, Body]]
    handlers: dict[BodyKind, User]
    admin: User
    password_hash: str
    extra: dict = field(default_factory=dict)


def _phone(n: int) -> str:
    return f"139{n:08d}"


def _make_user(name: str, phone: str, password_hash: str, *, locale: str | None = None) -> User:
    user = User(display_name=name, phone=phone, password_hash=password_hash, locale=locale)
    db.session.add(user)
    db.session.flush()
    db.session.add(Consent(user_id=user.id, notice_version="2026-11"))
    return user


def _random_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def load_demo() -> bool:
    """Load the demo; returns False (and changes nothing) if it is there already."""
    if db.session.scalar(select(Subdistrict).where(Subdistrict.name == DEMO_SUBDISTRICT)):
        return False
    rng = random.Random(2026)
    password_hash = generate_password_hash(DEMO_PASSWORD)
    now = utcnow()

    subdistrict = Subdistrict(name=DEMO_SUBDISTRICT)
    db.session.add(subdistrict)
    db.session.flush()

    plans = [
        ("梅园居民区", CommunityKind.SOLD_PUBLIC, "番禺路 120 弄", 8, [1, 2, 3, 4, 5, 6], 2),
        ("锦绣苑居民区", CommunityKind.INTERNATIONAL, "法华镇路 500 弄", 6, [1, 2, 3, 4, 5], 2),
    ]
    communities: list[Community] = []
    buildings: dict[int, list[Building]] = {}
    residents: dict[int, list[User]] = {}
    phone_no = 1000
    for name, kind, address, n_buildings, floors, flats_per_floor in plans:
        community = Community(subdistrict_id=subdistrict.id, name=name, kind=kind, address=address)
        db.session.add(community)
        db.session.flush()
        communities.append(community)
        buildings[community.id] = []
        residents[community.id] = []
        for b in range(1, n_buildings + 1):
            building = Building(community_id=community.id, name=f"{b}号楼", sort_key=b)
            db.session.add(building)
            db.session.flush()
            buildings[community.id].append(building)
            for floor in floors:
                for flat in range(1, flats_per_floor + 1):
                    household = Household(building_id=building.id, number=f"{floor}0{flat}")
                    db.session.add(household)
                    db.session.flush()
                    # Most households have one or two registered residents; some none.
                    for _ in range(rng.choice([0, 1, 1, 1, 2])):
                        phone_no += 1
                        user = _make_user(_random_name(rng), _phone(phone_no), password_hash)
                        db.session.add(
                            Membership(
                                user_id=user.id,
                                household_id=household.id,
                                status=MembershipStatus.ACTIVE,
                                via=rng.choice(["code", "request"]),
                                decided_at=now,
                            )
                        )
                        residents[community.id].append(user)
        db.session.flush()

    # Named demo residents whose log-ins are printed, one per community and building.
    demo_residents = [
        ("王秀英", "13800000001", communities[0], 0, "101"),
        ("李建国", "13800000002", communities[0], 3, "201"),
        ("Anna Müller", "13800000003", communities[1], 1, "301"),
    ]
    for name, phone, community, b_index, number in demo_residents:
        home = db.session.scalars(
            select(Household).where(
                Household.building_id == buildings[community.id][b_index].id,
                Household.number == number,
            )
        ).one()
        user = _make_user(
            name, phone, password_hash, locale="en" if name.startswith("Anna") else None
        )
        db.session.add(
            Membership(
                user_id=user.id,
                household_id=home.id,
                status=MembershipStatus.ACTIVE,
                via="code",
                decided_at=now,
            )
        )
        residents[community.id].insert(0, user)
        DEMO_LOGINS.append(("resident", f"{name} · {community.name} {home.label}", phone))

    # A newcomer with a pending request, so the secretary has something to approve.
    newcomer = _make_user("赵新来", "13800000009", password_hash)
    pending_household = buildings[communities[0].id][1].households[0]
    db.session.add(
        Membership(
            user_id=newcomer.id,
            household_id=pending_household.id,
            status=MembershipStatus.PENDING,
            note="房产证上是我母亲的名字",
        )
    )
    DEMO_LOGINS.append(("resident (waiting for approval)", "赵新来", "13800000009"))

    admin = _make_user("街道管理员", "13800000100", password_hash)
    db.session.add(RoleAssignment(user_id=admin.id, role=Role.ADMIN, title="新华路街道社区办"))
    DEMO_LOGINS.append(("admin", "街道管理员 (subdistrict staff)", "13800000100"))

    secretaries = {}
    for i, community in enumerate(communities):
        name = ["陈书记", "林书记"][i]
        secretary = _make_user(name, f"1380000011{i}", password_hash)
        db.session.add(
            RoleAssignment(
                user_id=secretary.id,
                role=Role.SECRETARY,
                community_id=community.id,
                title="居民区党总支书记",
                appointed_by_id=admin.id,
            )
        )
        secretaries[community.id] = secretary
        DEMO_LOGINS.append(("secretary", f"{name} · {community.name}", f"1380000011{i}"))

    station = Station(
        subdistrict_id=subdistrict.id, name="新华路街道人大代表联络站", address="新华路 211 号"
    )
    station.communities = communities
    db.session.add(station)
    db.session.flush()
    deputies = []
    for i, (name, title) in enumerate(
        [
            ("周代表", "区人大代表"),
            ("吴代表", "区人大代表"),
            ("郑代表", "市人大代表"),
            ("孙代表", "区人大代表"),
            ("何代表", "区人大代表"),
        ]
    ):
        deputy = _make_user(name, f"1380000012{i}", password_hash)
        db.session.add(
            RoleAssignment(
                user_id=deputy.id,
                role=Role.DEPUTY,
                station_id=station.id,
                title=title,
                appointed_by_id=admin.id,
            )
        )
        deputies.append(deputy)
        if i < 3:
            DEMO_LOGINS.append(("deputy", f"{name} · {station.name}", f"1380000012{i}"))

    bodies: dict[int, dict[BodyKind, Body]] = {}
    office = Body(
        subdistrict_id=subdistrict.id,
        kind=BodyKind.SUBDISTRICT_OFFICE,
        name="街道城建办",
        contact="021-6200 0000",
    )
    db.session.add(office)
    for community in communities:
        short = community.name.replace("居民区", "")
        bodies[community.id] = {
            BodyKind.PROPERTY_COMPANY: Body(
                subdistrict_id=subdistrict.id,
                community_id=community.id,
                kind=BodyKind.PROPERTY_COMPANY,
                name=f"{short}物业服务中心",
            ),
            BodyKind.OWNERS_COMMITTEE: Body(
                subdistrict_id=subdistrict.id,
                community_id=community.id,
                kind=BodyKind.OWNERS_COMMITTEE,
                name=f"{short}业主委员会",
            ),
            BodyKind.RESIDENTS_COMMITTEE: Body(
                subdistrict_id=subdistrict.id,
                community_id=community.id,
                kind=BodyKind.RESIDENTS_COMMITTEE,
                name=f"{short}居民委员会",
            ),
            BodyKind.SUBDISTRICT_OFFICE: office,
        }
        db.session.add_all(bodies[community.id].values())
    db.session.flush()

    handlers: dict[BodyKind, User] = {}
    first = communities[0].id
    for i, (body_kind, name) in enumerate(
        [
            (BodyKind.PROPERTY_COMPANY, "物业钱经理"),
            (BodyKind.OWNERS_COMMITTEE, "业委会冯主任"),
            (BodyKind.RESIDENTS_COMMITTEE, "居委会褚干事"),
            (BodyKind.SUBDISTRICT_OFFICE, "城建办卫科长"),
        ]
    ):
        handler = _make_user(name, f"1380000013{i}", password_hash)
        db.session.add(
            RoleAssignment(
                user_id=handler.id,
                role=Role.HANDLER,
                body_id=bodies[first][body_kind].id,
                appointed_by_id=admin.id,
            )
        )
        handlers[body_kind] = handler
        DEMO_LOGINS.append(
            ("handler", f"{name} · {bodies[first][body_kind].name}", f"1380000013{i}")
        )
    db.session.flush()

    ctx = DemoContext(
        rng=rng,
        subdistrict=subdistrict,
        communities=communities,
        buildings=buildings,
        residents=residents,
        secretaries=secretaries,
        deputies=deputies,
        station=station,
        bodies=bodies,
        handlers=handlers,
        admin=admin,
        password_hash=password_hash,
    )
    # Each domain registers its loader in init_app (pacts, hearings with suggestions, votes).
    for load in registered("demo"):
        load(ctx)
    return True


def print_logins(echo) -> None:
    """Print the demo log-ins (phone number and the shared password)."""
    if not DEMO_LOGINS:
        _collect_logins()
    echo(f"\nDemo log-ins (password for all: {DEMO_PASSWORD}):")
    for role, who, phone in DEMO_LOGINS:
        echo(f"  {role:<32} {phone}  {who}")


def _collect_logins() -> None:
    """Rebuild the log-in list from the database when the demo was loaded earlier."""
    fixed = [
        ("resident", "13800000001"),
        ("resident", "13800000002"),
        ("resident", "13800000003"),
        ("resident (waiting for approval)", "13800000009"),
        ("admin", "13800000100"),
        ("secretary", "13800000110"),
        ("secretary", "13800000111"),
        ("deputy", "13800000120"),
        ("deputy", "13800000121"),
        ("deputy", "13800000122"),
        ("handler", "13800000130"),
        ("handler", "13800000131"),
        ("handler", "13800000132"),
        ("handler", "13800000133"),
    ]
    for role, phone in fixed:
        user = db.session.scalar(select(User).where(User.phone == phone))
        if user is not None:
            DEMO_LOGINS.append((role, user.display_name, phone))
