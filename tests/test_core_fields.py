"""Numbers and dates that fit their column: a clear message, the form again, nothing saved."""

import io

import pytest
from sqlalchemy import func, select

from app.accounts.models import Role, RoleAssignment, User
from app.core.fields import MAX_INT, BoundedMultiDict, bounded_int
from app.demo import DEMO_PASSWORD, load_demo
from app.projects.models import Project, ProjectStatus, ProjectUpdate
from tests.factories import zh

NUMBER = "Please enter a number between %(min)s and %(max)s."
DATE = "Please enter a date between %(min)s and %(max)s."


def test_bounded_int_keeps_to_the_column():
    assert bounded_int("2147483647") == MAX_INT
    assert bounded_int("2147483648") is None
    assert bounded_int("99999999999999999999") is None
    assert bounded_int("12", low=1) == 12 and bounded_int("0", low=1) is None
    assert bounded_int("x") is None and bounded_int(None) is None


def test_query_numbers_beyond_the_column_read_as_no_number():
    args = BoundedMultiDict([("page", "99999999999999999999"), ("n", "7"), ("t", "x")])
    assert args.get("page", 1, type=int) == 1
    assert args.get("n", type=int) == 7
    assert args.get("t", type=int) is None
    assert args.get("page") == "99999999999999999999"


@pytest.fixture
def demo(db):
    load_demo()
    db.session.commit()


def _secretary_with_project(db, status=None):
    for assignment in db.session.scalars(
        select(RoleAssignment).where(RoleAssignment.role == Role.SECRETARY)
    ):
        query = select(Project).where(Project.community_id == assignment.community_id)
        if status is not None:
            query = query.where(Project.status.in_(status))
        project = db.session.scalar(query.limit(1))
        if project is not None:
            return assignment.user, project
    pytest.fail("the demo must have a secretary with such a project")


def _log_in(client, user: User, lang: str | None = None):
    if lang:
        client.set_cookie("lang", lang)
    response = client.post("/login", data={"identifier": user.phone, "password": DEMO_PASSWORD})
    assert response.status_code == 303


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("lang", [None, "en"])
def test_a_project_cost_beyond_the_column_is_refused_with_the_form_again(client, db, demo, lang):
    secretary, project = _secretary_with_project(db)
    _log_in(client, secretary, lang)
    before = _count(db, Project)
    response = client.post(
        f"/votes/community/{project.community_id}/projects/new",
        data={"title": "新的凉亭", "description": "", "estimated_cost": str(10**10)},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    message = NUMBER % {"min": "0", "max": f"{MAX_INT:,}"}
    if lang is None:
        message = zh(NUMBER, min="0", max=f"{MAX_INT:,}")
    assert message in page
    assert 'value="新的凉亭"' in page  # the user's input is kept
    assert _count(db, Project) == before


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_progress_update_dated_far_out_is_refused(client, db, demo, day):
    secretary, project = _secretary_with_project(
        db, [ProjectStatus.PLANNED, ProjectStatus.IN_PROGRESS]
    )
    _log_in(client, secretary)
    before = _count(db, ProjectUpdate)
    response = client.post(
        f"/votes/projects/{project.id}/updates",
        data={"on": day, "percent": "30", "note": "地面已经铺好"},
    )
    assert response.status_code == 400
    assert zh(DATE, min="2000-01-01", max="2099-12-31") in response.get_data(as_text=True)
    assert _count(db, ProjectUpdate) == before


def test_huge_query_numbers_never_reach_the_database(client, db, demo):
    secretary, project = _secretary_with_project(db)
    _log_in(client, secretary)
    huge = 10**20
    assert client.get(f"/notifications?page={huge}").status_code == 404
    assert (
        client.get(f"/hearings/sessions/new?subject_type=pact&subject_id={huge}").status_code < 500
    )
    response = client.get(f"/hearings/community/{project.community_id}/suggestions?body={huge}")
    assert response.status_code < 500


def test_building_numbers_too_long_are_refused(client, db, demo):
    admin = db.session.scalar(select(User).where(User.phone == "13800000100"))
    _log_in(client, admin)
    community_id = db.session.scalar(select(Project.community_id).limit(1))
    response = client.post(
        f"/admin/communities/{community_id}/buildings",
        data={"name": "99号楼", "households": "99999999999999999999999-99999999999999999999999"},
    )
    assert response.status_code == 400
    assert "99999999999999999999999" in response.get_data(as_text=True)


def test_a_body_shorter_than_its_content_length_is_refused(client, db, demo):
    secretary, project = _secretary_with_project(db)
    _log_in(client, secretary)
    token = client.csrf_token()
    body = f"csrf_token={token}&title=x&estimated_cost=1".encode()
    before = _count(db, Project)
    response = client.post(
        f"/votes/community/{project.community_id}/projects/new",
        input_stream=io.BytesIO(body),
        content_type="application/x-www-form-urlencoded",
        headers={"X-CSRFToken": token},
        environ_overrides={"CONTENT_LENGTH": str(len(body) + 500)},
        csrf=False,
    )
    assert response.status_code == 400
    assert zh(
        "What you sent arrived incomplete, so nothing was saved. Please try again."
    ) in response.get_data(as_text=True)
    assert _count(db, Project) == before


def test_a_multipart_body_without_its_end_is_refused(client, db, demo):
    secretary, project = _secretary_with_project(db)
    _log_in(client, secretary)
    token = client.csrf_token()
    body = (
        f'--XX\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
        '--XX\r\nContent-Disposition: form-data; name="title"\r\n\r\n凉亭'
    ).encode()
    before = _count(db, Project)
    response = client.post(
        f"/votes/community/{project.community_id}/projects/new",
        data=body,
        content_type="multipart/form-data; boundary=XX",
        headers={"X-CSRFToken": token},
        csrf=False,
    )
    assert response.status_code == 400
    assert _count(db, Project) == before


def test_a_form_body_that_is_not_utf8_is_refused_in_the_users_language(client, db, demo):
    secretary, project = _secretary_with_project(db)
    _log_in(client, secretary)
    token = client.csrf_token()
    response = client.post(
        f"/votes/community/{project.community_id}/projects/new",
        data=f"csrf_token={token}&title=%FF%FE&estimated_cost=1".encode(),
        content_type="application/x-www-form-urlencoded",
        headers={"X-CSRFToken": token},
        csrf=False,
    )
    assert response.status_code == 400
    assert zh(
        "What you sent could not be read (it is not UTF-8 text). Please try again."
    ) in response.get_data(as_text=True)
