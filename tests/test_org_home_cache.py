"""The home page's list of communities (and the communities its sections ask about) is cached
under the revision of the list (org/revisions.py): never stale after a write. Each kind of
write, then the home page read by an anonymous visitor and by a signed-in resident, both of whom
had read (and so cached) it before the write."""

import pytest
from sqlalchemy import event, select, text

from app.extensions import db
from app.org import operations as ops
from app.org.models import CommunityKind, Subdistrict
from app.org.revisions import COMMUNITIES, SiteRevision

READERS = ("anonymous", "resident")


@pytest.fixture
def world(make, app):
    here = make.community(name="春晖社区")
    other = make.community(name="秋实社区", subdistrict_=here.subdistrict)
    resident = make.user("resident", community=here)
    admin = make.user("admin")
    db.session.commit()
    return type(
        "W",
        (),
        {"app": app, "here": here.id, "other": other.id, "resident": resident, "admin": admin},
    )


def _revision():
    db.session.expire_all()
    return db.session.scalar(select(SiteRevision.value).where(SiteRevision.name == COMMUNITIES))


def _home(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.fixture(params=READERS)
def reader(request, world, login):
    """A client of the given kind that has read (and cached) the home page before the write."""
    client = world.app.test_client()
    if request.param == "resident":
        login(world.resident, client)
    _home(client)
    _home(client)
    return client


def _save(world, community_id, **changes):
    from app.org.models import Community

    community = db.session.get(Community, community_id)
    fields = {
        "subdistrict_id": community.subdistrict_id,
        "name": community.name,
        "kind": community.kind.value,
        "address": community.address or "",
    }
    fields.update(changes)
    ops.save_community(community, actor=world.admin, **fields)
    db.session.commit()


def test_the_list_is_served_from_the_cache(world, reader):
    seen: list[str] = []

    def _count(conn, cursor, statement, *args):
        seen.append(statement)

    assert _revision() is not None  # the fixture's communities wrote it
    db.session.expunge_all()
    event.listen(db.engine, "before_cursor_execute", _count)
    try:
        page = _home(reader)
    finally:
        event.remove(db.engine, "before_cursor_execute", _count)
    assert "秋实社区" in page
    assert not [s for s in seen if "FROM communities" in s], "\n".join(seen)


def test_a_new_community_shows_at_once(world, reader):
    with world.app.test_request_context("/"):
        from app.org.models import Community

        subdistrict_id = db.session.get(Community, world.here).subdistrict_id
        ops.save_community(
            None,
            subdistrict_id=subdistrict_id,
            name="新建社区",
            kind=CommunityKind.COMMERCIAL.value,
            actor=world.admin,
        )
        db.session.commit()
    assert "新建社区" in _home(reader)


def test_a_new_name_shows_at_once_in_the_list_and_the_residents_roles(world, reader, login):
    with world.app.test_request_context("/"):
        _save(world, world.here, name="春晖新社区")
    page = _home(reader)
    assert "春晖新社区" in page
    resident = world.app.test_client()
    login(world.resident, resident)
    assert "春晖新社区: " in _home(resident)  # the role summary names it too


def _line_of(page: str, name: str) -> str:
    return next(line for line in page.splitlines() if f">{name}</a>" in line)


def test_a_new_kind_shows_at_once(world, reader, make):
    assert make.zh("Commercial housing") in _line_of(_home(reader), "秋实社区")
    with world.app.test_request_context("/"):
        _save(world, world.other, kind=CommunityKind.OLD_VILLA.value)
    line = _line_of(_home(reader), "秋实社区")
    assert make.zh("Old villas") in line and make.zh("Commercial housing") not in line


def test_a_move_to_another_subdistrict_and_a_subdistrict_renamed_show_at_once(world, reader, make):
    elsewhere = make.subdistrict(name="东门街道")
    db.session.commit()
    with world.app.test_request_context("/"):
        _save(world, world.other, subdistrict_id=elsewhere.id)
    assert "东门街道" in _home(reader)
    db.session.get(Subdistrict, elsewhere.id).name = "西门街道"
    db.session.commit()
    page = _home(reader)
    assert "西门街道" in page and "东门街道" not in page


def test_a_change_the_list_does_not_show_keeps_the_revision(world):
    before = _revision()
    with world.app.test_request_context("/"):
        _save(world, world.other, address="幸福路1号")
    assert _revision() == before


def test_a_rolled_back_write_leaves_the_revision_alone(world):
    before = _revision()
    with world.app.test_request_context("/"):
        from app.org.models import Community

        db.session.get(Community, world.other).name = "不会保存的名字"
        db.session.flush()
        db.session.rollback()
    assert _revision() == before
    with world.app.test_request_context("/"):
        _save(world, world.other, name="会保存的名字")
    assert _revision() != before


def test_without_a_revision_nothing_is_cached(world, reader):
    db.session.execute(text("DELETE FROM site_revisions"))
    db.session.commit()
    _home(reader)
    # A write the hooks do not see: only a page read from the database shows it.
    db.session.execute(
        text("UPDATE communities SET name = '改名社区' WHERE id = :id"), {"id": world.other}
    )
    db.session.commit()
    assert "改名社区" in _home(reader)
