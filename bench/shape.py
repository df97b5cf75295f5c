"""Builds the data shape of `make bench` (issue 13) in an empty database, through the app's own
operations wherever a page's figures depend on what they write (pacts, comments, positions,
suggestions, sessions, votes), with bulk inserts only for the many plain rows (residents,
ballots of the 100,000-ballot vote).

    <app>/.venv/bin/python bench/shape.py --app-dir DIR --database-url URL --out shape.json

It writes a JSON manifest: the pages to measure (path and the session cookie to send), the
voters of the open vote (cookie and CSRF token each), the receipt to check. Run by bench/run.py.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path


def _load_app(app_dir: Path, url: str):
    # The app (and its tests' factories) from `app_dir`; this folder's modules after it.
    sys.path[:0] = [str(app_dir), str(Path(__file__).resolve().parent)]
    from app import create_app
    from app.config import Config, database_url

    config = type(
        "BenchConfig",
        (Config,),
        {
            "SQLALCHEMY_DATABASE_URI": database_url(url),
            "TESTING": False,
            "RATELIMIT_ENABLED": False,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        },
    )
    return create_app(config)


def _empty_database(db) -> None:
    from sqlalchemy import text

    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        db.drop_all()
    db.create_all()


class Builder:
    """Builds the shape in one app context; `self.out` becomes the manifest."""

    def __init__(self, app, args) -> None:
        from app.extensions import db

        self.app, self.args, self.db = app, args, db
        self.rng = random.Random(13)
        self.out: dict = {"pages": [], "timings": {}, "notes": []}
        self.hash = None
        self.signer = None
        self.parallel = db.engine.dialect.name == "postgresql"

    # -- helpers -----------------------------------------------------------------------

    def step(self, name: str, fn, *a, **kw):
        started = time.perf_counter()
        value = fn(*a, **kw)
        self.db.session.commit()
        self.out["timings"][name] = round(time.perf_counter() - started, 1)
        print(f"  built {name} in {self.out['timings'][name]} s", flush=True)
        return value

    def password_hash(self) -> str:
        if self.hash is None:
            from werkzeug.security import generate_password_hash

            self.hash = generate_password_hash("bench-password-13", "pbkdf2:sha256:1000")
        return self.hash

    def bulk_residents(self, community, n: int, tag: str, buildings: int = 10) -> list[int]:
        """`n` verified residents of `community` (bulk rows: user, household, membership,
        consent), `n / buildings` per building; their user ids in order."""
        from sqlalchemy import insert

        from app.accounts.models import Consent, Membership, MembershipStatus, User
        from app.org.models import Building, Household

        db = self.db
        blds = []
        for b in range(buildings):
            bld = Building(community_id=community.id, name=f"{tag}区{b + 1}栋", sort_key=b + 1)
            db.session.add(bld)
            blds.append(bld)
        db.session.flush()
        user_ids: list[int] = []
        for start in range(0, n, 5000):
            count = min(5000, n - start)
            users = [
                {
                    "display_name": f"{'张王李赵陈刘杨黄'[(start + i) % 8]}居民{start + i}",
                    "phone": f"19{tag}{start + i:07d}"[:11],
                    "password_hash": self.password_hash(),
                }
                for i in range(count)
            ]
            ids = list(
                db.session.scalars(
                    insert(User).returning(User.id, sort_by_parameter_order=True), users
                )
            )
            households = [
                {"building_id": blds[(start + i) % buildings].id, "number": f"{start + i + 1}"}
                for i in range(count)
            ]
            hids = list(
                db.session.scalars(
                    insert(Household).returning(Household.id, sort_by_parameter_order=True),
                    households,
                )
            )
            db.session.execute(
                insert(Membership),
                [
                    {
                        "user_id": u,
                        "household_id": h,
                        "status": MembershipStatus.ACTIVE,
                        "via": "code",
                    }
                    for u, h in zip(ids, hids, strict=True)
                ],
            )
            db.session.execute(
                insert(Consent), [{"user_id": u, "notice_version": "2026-11"} for u in ids]
            )
            user_ids += ids
        db.session.flush()
        return user_ids

    def cookie(self, user_id: int | None) -> tuple[str, str]:
        """A session cookie of `user_id` (anonymous with None) and its CSRF form token, as the
        app itself would sign them (its SECRET_KEY is shared with the server)."""
        from itsdangerous import URLSafeTimedSerializer

        raw = f"bench{user_id or 0:012d}{self.rng.getrandbits(64):016x}"
        session = {"csrf_token": raw}
        if user_id is not None:
            session |= {"_user_id": str(user_id), "_fresh": True}
        if self.signer is None:
            self.signer = self.app.session_interface.get_signing_serializer(self.app)
        value = self.signer.dumps(session)
        token = URLSafeTimedSerializer(self.app.secret_key, salt="wtf-csrf-token").dumps(raw)
        return value, token

    def page(self, name: str, path: str, user_id: int | None = None, group: str = "") -> None:
        cookie = self.cookie(user_id)[0] if user_id is not None else ""
        self.out["pages"].append({"name": name, "path": path, "cookie": cookie, "group": group})

    # -- the shape ---------------------------------------------------------------------

    def build(self) -> dict:
        from tests import factories as make

        with self.app.test_request_context("/"):
            self.community = make.community(name="基准社区")
            self.secretary = make.user("secretary", self.community, name="陈书记")
            self.out["secretary"] = self.secretary.id
            residents = self.step("300 residents", self.bulk_residents, self.community, 300, "01")
            self.residents = [self.db.session.get(make.User, i) for i in residents]
            self.resident = self.residents[0]
            self.resident_ids = residents
            self.community_id, self.secretary_id = self.community.id, self.secretary.id
            # On PostgreSQL the pacts are built in threads of their own (their operations wait
            # on the database more than on Python) while the rest is built here.
            self.db.session.commit()  # SQLite: no read snapshot held while others write
            pool = ThreadPoolExecutor(max_workers=len(self.args.comments) if self.parallel else 1)
            started = time.perf_counter()
            pacts = pool.map(self.pact, self.args.comments)
            if not self.parallel:
                pacts = list(pacts)
                self.db.session.commit()
            self.step("home with 30 communities", self.home)
            self.step("suggestion board", self.board)
            self.step("session page", self.session)
            if self.args.ballots:
                self.vote_community("大票决社区")
                from bulk_ballots import published_vote

                self.out["big_vote"] = self.step(
                    f"published vote with {self.args.ballots:,} ballots",
                    published_vote,
                    self,
                    self.args.ballots,
                )
            self.vote_community("投票社区")
            self.step("open vote", self.open_vote)
            built = list(pacts)
            if self.args.ballots:
                # Timed once the pact threads are done: they would share the process's time
                # and the engine's statement counter with it.
                from bulk_ballots import publish_big_vote

                self.out["big_vote"]["checkpoint"] = self.step(
                    "checkpoint, close and publish", publish_big_vote, self, self.out["big_vote"]
                )
            others = self.out["pages"]
            self.out["pages"] = []
            self.pact_pages(built)
            pool.shutdown()
            self.out["timings"]["pacts"] = round(time.perf_counter() - started, 1)
            self.out["pages"] += others
        return self.out

    def pact_pages(self, built: list[tuple[int, int]]) -> None:
        for n, (pact_id, clause_id) in zip(self.args.comments, built, strict=True):
            group = f"{n} comments"
            pact, clause = f"/pacts/{pact_id}", f"/pacts/{pact_id}/clauses/{clause_id}"
            self.page(f"pact, anonymous ({n:,} comments)", pact, None, group)
            self.page(f"clause, anonymous ({n:,} comments)", clause, None, group)
            if n == self.args.main_comments:
                self.page(f"pact, resident ({n:,} comments)", pact, self.resident.id, group)
                self.page(f"clause, resident ({n:,} comments)", clause, self.resident.id, group)

    def pact(self, n_comments: int) -> tuple[int, int]:
        """A pact of 60 clauses in consultation: each resident takes positions on a few
        clauses, then `n_comments` comments (a third of them replies), all through the app's
        operations (whatever they keep up to date is then up to date)."""
        from sqlalchemy import select

        from app.accounts.models import User
        from app.core.time import utcnow
        from app.org.models import Community
        from app.pacts import operations as ops
        from app.pacts.models import Clause, Comment, PactVersion

        app, db = self.app, self.db
        rng = random.Random(n_comments)
        started = time.perf_counter()
        with app.app_context(), app.test_request_context("/"):
            community = db.session.get(Community, self.community_id)
            secretary = db.session.get(User, self.secretary_id)
            clauses = [
                f"第{i + 1}条 居民应爱护公共环境，共同维护楼道整洁、绿化和公共设施，"
                f"不在楼道和消防通道堆放杂物（第{i + 1}项细则）。"
                for i in range(60)
            ]
            pact = ops.create_pact(
                community, f"基准公约（{n_comments}条评论）", clauses, actor=secretary
            )
            now = utcnow()
            ops.open_consultation(
                pact, now - timedelta(minutes=1), now + timedelta(days=30), actor=secretary
            )
            db.session.commit()
            pact_id = pact.id
            version = db.session.scalars(
                select(PactVersion)
                .where(PactVersion.pact_id == pact_id)
                .order_by(PactVersion.number.desc())
            ).first()
            clause_ids = list(
                db.session.scalars(
                    select(Clause.id)
                    .where(Clause.version_id == version.id)
                    .order_by(Clause.position)
                )
            )
            stances = ["support", "support", "support", "oppose", "suggest"]
            for i, uid in enumerate(self.resident_ids):
                user = db.session.get(User, uid)
                for cid in rng.sample(clause_ids, self.args.positions):
                    clause = db.session.get(Clause, cid)
                    ops.set_position(
                        db.session.get(type(pact), pact_id), clause, user, rng.choice(stances)
                    )
                if i % 50 == 49:
                    db.session.commit()
            db.session.commit()
            comment_ids: list[int] = []
            via_app = min(n_comments, self.args.comments_via_app)
            for i in range(via_app):
                user = db.session.get(User, rng.choice(self.resident_ids))
                body = (
                    f"关于这一条我有个想法（{i}）：**楼道**里的自行车可以集中停放到车棚，"
                    "具体见 https://example.org/bike 的方案。\n\n大家觉得呢？"
                )
                parent = (
                    db.session.get(Comment, rng.choice(comment_ids))
                    if comment_ids and rng.random() < 0.35
                    else None
                )
                clause = (
                    None
                    if parent is not None or rng.random() < 0.2
                    else db.session.get(Clause, rng.choice(clause_ids))
                )
                pact = db.session.get(type(pact), pact_id)
                comment_ids.append(
                    ops.post_comment(pact, user, body, clause=clause, parent=parent).id
                )
                if i % 200 == 199:
                    db.session.commit()
            db.session.commit()
            if n_comments > via_app:
                self.bulk_comments(pact_id, clause_ids, comment_ids, n_comments - via_app, rng)
                # One more write through the app, as after any comment: whatever a write
                # renews (the pages' cache revision) is renewed after the bulk rows too.
                ops.set_position(
                    db.session.get(type(pact), pact_id),
                    db.session.get(Clause, clause_ids[0]),
                    db.session.get(User, self.resident_ids[0]),
                    "support",
                )
                db.session.commit()
            db.session.remove()
        print(
            f"    pact with {n_comments:,} comments in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
        return pact_id, clause_ids[len(clause_ids) // 2]

    def bulk_comments(self, pact_id, clause_ids, comment_ids, n, rng) -> None:
        """`n` more comments on the pact as `post_comment` writes them (the comment, a third of
        them replies with their thread's reply count, the author following the pact), in
        batches: posting 20,000 one by one costs most of a run. No audit entry or reply
        notification per comment: no measured page reads them."""
        from datetime import timedelta

        from sqlalchemy import func, insert, select, update

        from app.core.time import utcnow
        from app.pacts.models import Comment, PactFollow

        db = self.db
        roots = dict(
            db.session.execute(
                select(Comment.id, Comment.root_id).where(Comment.pact_id == pact_id)
            ).all()
        )
        ids = list(comment_ids)
        at = utcnow()
        for start in range(0, n, 2000):
            rows = []
            for i in range(start, min(n, start + 2000)):
                parent = rng.choice(ids) if ids and rng.random() < 0.35 else None
                clause = (
                    None if parent is not None or rng.random() < 0.2 else rng.choice(clause_ids)
                )
                rows.append(
                    {
                        "pact_id": pact_id,
                        "clause_id": clause,
                        "author_id": rng.choice(self.resident_ids),
                        "body": (
                            f"关于这一条我有个想法（{len(comment_ids) + i}）：**楼道**里的自行车可以"
                            "集中停放到车棚，具体见 https://example.org/bike 的方案。\n\n大家觉得呢？"
                        ),
                        "parent_id": parent,
                        "root_id": (roots[parent] or parent) if parent is not None else None,
                        "created_at": at + timedelta(milliseconds=i),
                    }
                )
            new = list(
                db.session.scalars(
                    insert(Comment).returning(Comment.id, sort_by_parameter_order=True), rows
                )
            )
            for cid, r in zip(new, rows, strict=True):
                roots[cid] = r["root_id"]
            ids += new
        reply = Comment.__table__.alias("reply")
        db.session.execute(
            update(Comment)
            .where(Comment.pact_id == pact_id)
            .values(
                reply_count=select(func.count(reply.c.id))
                .where(reply.c.root_id == Comment.__table__.c.id)
                .scalar_subquery()
            )
        )
        following = set(
            db.session.scalars(select(PactFollow.user_id).where(PactFollow.pact_id == pact_id))
        )
        missing = [u for u in self.resident_ids if u not in following]
        if missing:
            db.session.execute(
                insert(PactFollow), [{"pact_id": pact_id, "user_id": u} for u in missing]
            )
        db.session.commit()

    def home(self) -> None:
        """30 communities on the site: the home page looks at each for the visitor's roles."""
        from sqlalchemy import func, select

        from app.org.models import Community
        from tests import factories as make

        existing = self.db.session.scalar(select(func.count(Community.id))) or 0
        # The two vote communities come later: 30 in all.
        for i in range(max(0, 28 - existing)):
            other = make.community(name=f"邻近社区{i + 1}", subdistrict_=self.community.subdistrict)
            make.user("secretary", other, name=f"邻近书记{i + 1}")
        self.page("home, resident", "/", self.resident.id)

    def board(self) -> None:
        from app.org.models import BodyKind
        from tests import factories as make
        from tests import hearings_factories as hf

        body = make.body(self.community, BodyKind.PROPERTY_COMPANY, name="基准物业")
        for i in range(200):
            s = hf.suggestion(
                self.community,
                self.residents[i % len(self.residents)],
                summary=f"{i % 9 + 1}号楼电梯经常停运（{i}）",
            )
            if i % 3:
                hf.accept_suggestion(s, body)
            if i % 3 == 2:
                hf.answer_suggestion(s, "已联系维保单位，本周内修复。")
        self.page(
            "suggestion board",
            f"/hearings/community/{self.community.id}/suggestions",
            self.resident.id,
        )

    def session(self) -> None:
        from app.hearings import operations as hops
        from tests import hearings_factories as hf

        s = hf.session(self.community, capacity=80)
        for user in self.residents[:60]:
            hops.register_for_session(s, user, speak_topic="加装电梯的费用分摊")
        self.page("session page", f"/hearings/sessions/{s.id}", self.resident.id)

    def vote_community(self, name: str) -> None:
        from tests import factories as make

        self.vote_community_ = make.community(name=name, subdistrict_=self.community.subdistrict)
        self.vote_secretary = make.user("secretary", self.vote_community_, name=f"{name}书记")
        self.db.session.commit()

    def open_vote(self) -> None:
        """An open residents' vote of a community of `--voters` residents: the casts."""
        from app.core.time import utcnow
        from app.projects import operations as pops
        from app.votes import operations as vops
        from app.votes.models import ElectorateKind, Method, Secrecy

        community, secretary = self.vote_community_, self.vote_secretary
        voters = self.bulk_residents(community, self.args.voters + 1, "02")
        projects = [
            pops.create_project(
                community,
                title=f"民生实事项目{i + 1}",
                estimated_cost=100_000 * (i + 1),
                proponent="居民",
                actor=secretary,
            )
            for i in range(6)
        ]
        now = utcnow()
        vote = vops.create_vote(
            community,
            title="基准票决（进行中）",
            electorate_kind=ElectorateKind.RESIDENTS,
            station_id=None,
            method=Method.APPROVAL,
            secrecy=Secrecy.SECRET,
            params={"max_choices": 3, "seats": 3},
            opens_at=now,
            closes_at=now + timedelta(days=3),
            projects=projects,
            actor=secretary,
        )
        with quiet_notifications():
            vops.open_vote(vote, secretary)
        self.db.session.commit()
        viewer = voters.pop()  # sees the pages; never casts
        self.out["cast"] = {
            "vote": vote.id,
            "options": [str(p.id) for p in projects],
            "secretary": secretary.id,
            "voters": voters,
            "cookies": [self.cookie(u) for u in voters],
        }
        self.page("votes list", f"/votes/community/{community.id}", viewer)
        self.page("vote page (open vote)", f"/votes/{vote.id}", viewer)


class quiet_notifications:
    """Opening or publishing a vote of tens of thousands notifies each elector: the bench skips
    those rows (no measured page reads them) to keep the build short."""

    def __enter__(self):
        from app.votes import lifecycle

        self.lifecycle = lifecycle
        self.saved = getattr(lifecycle, "notify", None)
        if self.saved is not None:
            lifecycle.notify = lambda *a, **kw: None
        return self

    def __exit__(self, *exc):
        if self.saved is not None:
            self.lifecycle.notify = self.saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app-dir", required=True, type=Path)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--comments", default="200,2000,20000")
    parser.add_argument("--main-comments", type=int, default=2000)
    parser.add_argument("--voters", type=int, default=20_000)
    parser.add_argument("--positions", type=int, default=4, help="per resident and pact")
    parser.add_argument(
        "--comments-via-app", type=int, default=2000, help="posted one by one, the rest in bulk"
    )
    parser.add_argument("--ballots", type=int, default=100_000)
    args = parser.parse_args()
    args.comments = [int(c) for c in args.comments.split(",") if c]
    app = _load_app(args.app_dir.resolve(), args.database_url)
    started = time.perf_counter()
    with app.app_context():
        from app.extensions import db

        _empty_database(db)
        out = Builder(app, args).build()
        db.session.commit()
    out["build_seconds"] = round(time.perf_counter() - started, 1)
    args.out.write_text(json.dumps(out))
    print(f"shape built in {out['build_seconds']} s", flush=True)


if __name__ == "__main__":
    main()
