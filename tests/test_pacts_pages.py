"""What residents read on the pact pages, on a phone: their own position in words, the
per-building figures, a summary only where positions exist, a printable page (found in review)."""

import pytest

from app.extensions import db
from app.pacts import operations as ops
from app.pacts.models import PactStatus
from tests import pacts_factories as pf


@pytest.fixture
def world(make, app):
    c = make.community()
    b1, b2 = (
        make.building(c, name="1号楼", households=2),
        make.building(c, name="2号楼", households=2),
    )
    sec = make.user("secretary", community=c)
    r1 = make.user("resident", community=c, household=b1.households[0])
    r2 = make.user("resident", community=c, household=b2.households[0])
    with pf.request_context(app):
        pact = pf.pact(c, sec)
    db.session.commit()
    return type("W", (), {"c": c, "sec": sec, "r1": r1, "r2": r2, "pact": pact})


def test_a_resident_reads_their_position_in_words(client, world, login, app):
    clause = world.pact.latest_version.clauses[0]
    login(world.r1)
    assert "您还没有对本条表态" in client.get(
        f"/pacts/{world.pact.id}/clauses/{clause.id}"
    ).get_data(as_text=True)
    client.post(f"/pacts/{world.pact.id}/clauses/{clause.id}/position", data={"stance": "oppose"})
    page = client.get(f"/pacts/{world.pact.id}/clauses/{clause.id}").get_data(as_text=True)
    assert "您的态度：反对" in page
    page = client.get(f"/pacts/{world.pact.id}").get_data(as_text=True)
    assert "您的态度：反对" in page and "尚未表态" in page


def test_per_building_figures_are_a_list_with_an_explanation(client, world, login, app):
    clause = world.pact.latest_version.clauses[0]
    with pf.request_context(app):
        ops.set_position(world.pact, clause, world.r1, "support")
        ops.set_position(world.pact, clause, world.r2, "oppose")
    db.session.commit()
    page = client.get(f"/pacts/{world.pact.id}/clauses/{clause.id}").get_data(as_text=True)
    assert "<table" not in page
    by_building = page[page.index('class="list-plain by-building"') :]
    by_building = by_building[: by_building.index("</ul>")]
    # 1号楼: (1+1)/(1+2) = 0.67; 2号楼: (0+1)/(1+2) = 0.33
    assert "1号楼" in by_building and "认同度 0.67" in by_building
    assert "2号楼" in by_building and "认同度 0.33" in by_building
    assert "（支持人数 + 1）÷（表态人数 + 2）" in page


def test_a_later_version_without_positions_points_to_the_earlier_one(client, world, app):
    clause = world.pact.latest_version.clauses[0]
    with pf.request_context(app):
        ops.set_position(world.pact, clause, world.r1, "support")
        ops.close_consultation(world.pact, actor=world.sec)
        ops.start_revision(world.pact, actor=world.sec)
        ops.publish_version(world.pact, "", actor=world.sec)
    db.session.commit()
    assert world.pact.status == PactStatus.REVISION
    v2 = client.get(f"/pacts/{world.pact.id}?version=2").get_data(as_text=True)
    assert 'id="summary-h"' not in v2 and "第2版还没有居民表态" in v2
    v1 = client.get(f"/pacts/{world.pact.id}?version=1").get_data(as_text=True)
    assert 'id="summary-h"' in v1


def test_the_print_page_keeps_screen_margins_and_prints_without_navigation(client, world):
    page = client.get(f"/pacts/{world.pact.id}/versions/1/print").get_data(as_text=True)
    assert 'media="print" href="/static/css/print.css' in page
    assert 'class="no-print' in page and "第1版" in page


def test_a_refused_clause_edit_keeps_the_typed_text_on_the_draft_page(client, make, login, app):
    c = make.community()
    sec = make.user("secretary", community=c)
    with pf.request_context(app):
        draft = pf.pact(c, sec, PactStatus.DRAFTING, title="草稿")
    db.session.commit()
    clause = draft.draft_version.clauses[0]
    login(sec)
    typed = "第一条 " + "很长的条款" * 1001
    r = client.post(
        f"/pacts/{draft.id}/clauses/{clause.id}/edit", data={f"c{clause.id}-text": typed}
    )
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert typed in page and "5000" in page and 'aria-invalid="true"' in page
    db.session.expire_all()
    assert db.session.get(type(clause), clause.id).text == "第一条 爱护公共环境，垃圾分类投放。"
    r = client.post(f"/pacts/{draft.id}/clauses", data={"new-text": ""})
    assert r.status_code == 400 and "第1版草稿" in r.get_data(as_text=True)


def test_chinese_labels_end_with_a_chinese_colon(client, world, app):
    clause = world.pact.latest_version.clauses[0]
    with pf.request_context(app):
        a = ops.propose_amendment(
            world.pact, clause, world.r1, "第一条 垃圾定时定点分类投放。", "更具体"
        )
        ops.decide_amendment(a, True, "采纳", actor=world.sec)
    db.session.commit()
    page = client.get(f"/pacts/{world.pact.id}/clauses/{clause.id}").get_data(as_text=True)
    assert "建议的条文：" in page and "理由：" in page and "书记的答复：" in page
    assert ":</strong>" not in page


def test_english_agree_counts_read_naturally(client, world, app):
    with pf.request_context(app):
        c = ops.post_comment(world.pact, world.r1, "Good")
        ops.post_comment(world.pact, world.r1, "Also good")
        ops.agree_comment(c, world.r2)
    db.session.commit()
    client.set_cookie("lang", "en")
    page = client.get(f"/pacts/{world.pact.id}").get_data(as_text=True)
    assert "1 person agrees" in page and "0 people agree" in page


def test_buildings_without_positions_are_named(client, world, make, app):
    make.building(world.c, name="3号楼", households=2)
    clause = world.pact.latest_version.clauses[0]
    with pf.request_context(app):
        ops.set_position(world.pact, clause, world.r1, "support")
    db.session.commit()
    page = client.get(f"/pacts/{world.pact.id}/clauses/{clause.id}").get_data(as_text=True)
    note = page[page.index('id="no-positions"') :]
    note = note[: note.index("</p>")]
    assert "2号楼和3号楼" in note and "1号楼" not in note


def test_the_secretarys_home_asks_for_answers_not_for_views(client, world, login, app):
    login(world.r1)
    assert "正在征求您意见的公约" in client.get("/").get_data(as_text=True)
    login(world.sec)
    assert "正在征求您意见的公约" not in client.get("/").get_data(as_text=True)
