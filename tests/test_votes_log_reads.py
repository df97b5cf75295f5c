"""Vote reads that do not grow with the log: the streamed export, the paged result, limited receipt checks."""

import json
import random

from sqlalchemy import update

from app.extensions import db
from app.votes import export, queries
from app.votes import operations as ops
from app.votes.models import Checkpoint, Participation, Vote
from tests.factories import zh
from tests.test_votes_log_tree import _secret_vote, fill
from tests.test_votes_verifier import run


def _dumps(doc: dict) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True)


def _published(n_ballots: int, names: list[str] = (), electorate: int = 2) -> Vote:
    w, vote = _secret_vote(electorate)
    fill(vote, n_ballots, participants=not names)
    for name in names:
        db.session.add(Participation(vote_id=vote.id, voter_key=-hash(name) % 10**9, name=name))
    db.session.commit()
    vote = db.session.get(Vote, vote.id)
    ops.close_vote(vote, w.secretary)
    ops.publish_vote(vote, w.secretary)
    db.session.commit()
    return vote


# --- the export, streamed ----------------------------------------------------------------------


def test_the_streamed_json_is_byte_for_byte_what_json_dumps_writes():
    rng = random.Random(5)

    def value(depth=0):
        roll = rng.random()
        if depth > 3 or roll < 0.3:
            return rng.choice([0, 12, "议事 · #3", 'a "quoted"\nline', None, 2.5, True, ""])
        if roll < 0.6:
            return [value(depth + 1) for _ in range(rng.randint(0, 3))]
        return {rng.choice("abcxyz") + str(i): value(depth + 1) for i in range(rng.randint(0, 3))}

    for _ in range(500):
        doc = {k: value() for k in rng.sample(["format", "manifest", "result", "z"], 2)}
        lists = {k: [value() for _ in range(rng.randint(0, 4))] for k in ("ballots", "people")}
        pieces = export.stream_json(doc, {k: (lambda v=v: v) for k, v in lists.items()})
        assert "".join(pieces) == _dumps({**doc, **lists})
    assert "".join(export.stream_json({}, {})) == _dumps({})


def test_the_export_page_is_streamed_identical_and_verifies(app, client, db, tmp_path):
    vote = _published(300, electorate=300)
    expected = _dumps(queries.export_document(vote))
    # The view answers with a stream: the ballots are read and sent a page at a time.
    with app.test_request_context(f"/votes/{vote.id}/ballot-log.json"):
        response = app.view_functions["votes.export"](vote_id=vote.id)
        assert response.is_streamed and response.headers.get("Content-Length") is None
        chunks = list(response.response)
    assert len(chunks) > 1 and "".join(chunks) == expected
    # Through the whole request (the test client reads the stream as it comes).
    response = client.get(f"/votes/{vote.id}/ballot-log.json")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body == expected
    doc = json.loads(body)
    assert doc["format"] == "yishiting-ballot-log/2" and len(doc["ballots"]) == 300
    assert doc["participation"] == sorted(doc["participation"])
    path = tmp_path / "log.json"
    path.write_text(body, encoding="utf-8")
    code, out = run(str(path), tmp_path)
    assert code == 0 and out.startswith("VALID yishiting-ballot-log/2"), out


def test_participation_streams_in_the_order_python_sorts_it(db):
    names = ["沈** · 4号楼 · #2", "Ann", "ann", "陈**", "Émile", "Zoë", "#1", "居民 10", "居民 9"]
    vote = _published(2, names=names)
    assert list(export.participation_names(vote.id)) == sorted(names)


def test_a_real_vote_streams_and_verifies_in_both_formats(client, db, tmp_path):
    from tests import votes_factories as vf

    w = vf.world(n_deputies=0, n_residents=7)
    from app.votes.models import ElectorateKind, Method, Secrecy

    vote = vf.vote(
        w, electorate=ElectorateKind.RESIDENTS, secrecy=Secrecy.OPEN, method=Method.APPROVAL
    )
    for r in w.residents:
        ops.cast_ballot(vote, r, {"approve": vf.ids(w.projects[:1])})
    ops.close_vote(vote, w.secretary)
    ops.publish_vote(vote, w.secretary)
    db.session.commit()
    for fmt in ("yishiting-ballot-log/2", "yishiting-ballot-log/1"):
        expected = _dumps(queries.export_document(db.session.get(Vote, vote.id)))
        body = client.get(f"/votes/{vote.id}/ballot-log.json").get_data(as_text=True)
        assert body == expected and json.loads(body)["format"] == fmt
        if fmt.endswith("/2"):
            path = tmp_path / "log.json"
            path.write_text(body, encoding="utf-8")
            code, out = run(str(path), tmp_path)
            assert code == 0 and out.startswith(f"VALID {fmt}"), out
        # an older vote's checkpoints were not signed: its export is format /1, still the
        # document json.dumps writes
        db.session.execute(update(Checkpoint).values(note=None))
        db.session.commit()


# --- the result page pages who took part --------------------------------------------------------


def test_the_result_page_lists_who_took_part_a_page_at_a_time(client, db):
    names = [f"居民{i:03d}" for i in range(205)]
    vote = _published(3, names=names)
    client.set_cookie("lang", "en")
    first = client.get(f"/votes/{vote.id}").get_data(as_text=True)
    assert "居民000" in first and "居民199" in first and "居民200" not in first
    assert f"/votes/{vote.id}?page=2#participants" in first and "More names" in first
    assert "Page 1 of 2" in first
    second = client.get(f"/votes/{vote.id}?page=2").get_data(as_text=True)
    assert "居民200" in second and "居民204" in second and "居民199" not in second
    assert "Previous names" in second
    client.set_cookie("lang", "zh_Hans_CN")
    assert zh("More names") in client.get(f"/votes/{vote.id}").get_data(as_text=True)
    # a page past the end is an empty page, not an error
    beyond = client.get(f"/votes/{vote.id}?page=99")
    assert (
        beyond.status_code == 200
        and "居民"
        not in beyond.get_data(as_text=True).split("participants", 1)[-1].split("</p>", 1)[0]
    )


# --- receipt look-ups are limited per address ---------------------------------------------------

LIMITED = (
    "Too many receipt checks from your address in a short time. Please wait a minute and try "
    "again; your ballot is safe in the log."
)


def test_receipt_checks_are_rate_limited_per_address_in_both_languages(app, client, db):
    vote = _published(5)
    receipt = queries.ballots(vote)[2].hash
    app.config["RECEIPT_RATE_LIMIT"] = "3 per minute"
    try:
        client.set_cookie("lang", "en")
        assert client.get(f"/votes/receipt?hash={receipt}").status_code == 200
        assert client.get(f"/votes/{vote.id}/receipt/{receipt}").status_code == 200
        assert client.get(f"/votes/receipt?hash={receipt[:8]}").status_code == 200
        # the fourth look-up of any kind from this address within the minute is refused
        refused = client.get(f"/votes/receipt?hash={receipt}")
        assert refused.status_code == 429
        page = refused.get_data(as_text=True)
        assert LIMITED in page and "<html" in page
        assert client.get(f"/votes/{vote.id}/receipt/{receipt}/qr.svg").status_code == 429
        client.set_cookie("lang", "zh_Hans_CN")
        page = client.get(f"/votes/receipt?hash={receipt}").get_data(as_text=True)
        assert zh(LIMITED) in page
        # another address still checks its receipt
        other = client.get(
            f"/votes/receipt?hash={receipt}", environ_overrides={"REMOTE_ADDR": "10.0.0.9"}
        )
        assert other.status_code == 200
        # other vote pages are not counted against the receipts' budget
        assert client.get(f"/votes/{vote.id}").status_code == 200
    finally:
        app.config.pop("RECEIPT_RATE_LIMIT", None)
