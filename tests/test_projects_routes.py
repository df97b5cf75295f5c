"""Project pages: who may do what, refusals that keep the input and save nothing, and what
other domains contribute through the projects signals."""

from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select

from app.core.time import utcnow
from app.extensions import db
from app.projects import operations as pops
from app.projects import queries as project_queries
from app.projects import signals
from app.projects.models import Project, ProjectStatus, ProjectUpdate
from tests import votes_factories as vf


@pytest.fixture
def en(client):
    client.set_cookie("lang", "en")
    return client


@pytest.fixture
def zh(client):
    client.set_cookie("lang", "zh_Hans_CN")
    return client


def _queries_for(client, url) -> int:
    count = [0]

    def _count(*_args):
        count[0] += 1

    event.listen(db.engine, "before_cursor_execute", _count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", _count)
    return count[0]


@contextmanager
def _offering(community, source):
    """Stand in for the suggestions domain: offer `source` as a candidate of `community`."""

    def receiver(sender):
        return [source] if sender.id == community.id else []

    signals.candidate_sources.connect(receiver)
    try:
        yield
    finally:
        signals.candidate_sources.disconnect(receiver)


def test_project_pages_and_permissions(en, login):
    w = vf.world(n_residents=1, n_projects=1)
    project = w.projects[0]
    db.session.commit()
    assert en.get(f"/votes/community/{w.community.id}/projects").status_code == 200
    assert en.get(f"/votes/projects/{project.id}").status_code == 200
    data = {
        "title": "楼道扶手",
        "description": "",
        "estimated_cost": "30000",
        "proponent": "3号楼居民",
    }
    login(w.residents[0])
    assert en.post(f"/votes/community/{w.community.id}/projects/new", data=data).status_code == 403
    assert (
        en.post(f"/votes/projects/{project.id}/status", data={"to": "planned"}).status_code == 403
    )
    login(vf.make.user("secretary", vf.make.community()))
    assert (
        en.post(f"/votes/projects/{project.id}/status", data={"to": "planned"}).status_code == 403
    )
    login(w.secretary)
    assert (
        en.post(
            f"/votes/community/{w.community.id}/projects/new", data={**data, "estimated_cost": "-5"}
        ).status_code
        == 400
    )
    assert en.post(f"/votes/community/{w.community.id}/projects/new", data=data).status_code == 303
    assert db.session.scalar(select(func.count(Project.id))) == 2
    assert (
        en.post(f"/votes/projects/{project.id}/status", data={"to": "completed"}).status_code == 409
    )
    assert (
        en.post(f"/votes/projects/{project.id}/status", data={"to": "planned"}).status_code == 303
    )
    bad = en.post(
        f"/votes/projects/{project.id}/updates",
        data={"on": "2027-03-01", "percent": "120", "note": "x"},
    )
    assert bad.status_code == 400
    good = en.post(
        f"/votes/projects/{project.id}/updates",
        data={"on": "2027-03-01", "percent": "30", "note": "施工"},
    )
    assert good.status_code == 303
    db.session.refresh(project)
    assert project.status == ProjectStatus.PLANNED and project.progress == 30
    assert "30%" in en.get(f"/votes/community/{w.community.id}/projects").get_data(as_text=True)


def test_review_meeting_link_for_a_planned_project(en, login):
    w = vf.world(n_projects=1)
    project = w.projects[0]
    login(w.secretary)
    page = en.get(f"/votes/projects/{project.id}").get_data(as_text=True)
    assert "Hold a review meeting" not in page  # a candidate has nothing to review yet
    pops.advance_project(project, ProjectStatus.PLANNED, w.secretary)
    db.session.commit()
    page = en.get(f"/votes/projects/{project.id}").get_data(as_text=True)
    assert (
        "Hold a review meeting" in page and "subject_type=project" in page and "kind=review" in page
    )


def test_only_the_communitys_secretary_edits_a_project(en, login, make):
    w = vf.world(n_deputies=0, n_residents=1)
    other = make.user("secretary", make.community(), name="别处书记")
    db.session.commit()
    url = f"/votes/projects/{w.projects[0].id}/edit"
    data = {"title": "改名", "estimated_cost": "1", "description": "", "proponent": ""}
    assert en.post(url, data=data).status_code in (302, 401)
    login(w.residents[0])
    assert en.post(url, data=data).status_code == 403
    login(other)
    assert en.post(url, data=data).status_code == 403
    db.session.expire_all()
    assert w.projects[0].title != "改名"


def test_project_list_queries_do_not_grow_with_the_projects(en):
    counts = []
    for n in (2, 8):
        w = vf.world(n_deputies=0, n_projects=n)
        for project in w.projects:
            pops.advance_project(project, ProjectStatus.PLANNED, w.secretary)
            pops.add_project_update(
                project, on=utcnow().date(), percent=10, note="开工", actor=w.secretary
            )
        db.session.commit()
        counts.append(_queries_for(en, f"/votes/community/{w.community.id}/projects"))
    assert counts[0] == counts[1], counts


def test_project_from_a_candidate_suggestion(en, login, app):
    """A domain that offers candidates (suggestions) prefills the form; the project keeps its id."""
    from app.suggestions import operations as hops
    from app.suggestions.models import Category

    w = vf.world(n_residents=1, n_projects=0)
    with app.test_request_context("/"):
        suggestion = hops.submit_suggestion(
            community_id=w.community.id,
            category=list(Category)[0],
            summary="楼下装充电桩",
            submitter=w.residents[0],
            actor=w.residents[0],
        )
    db.session.commit()
    source = signals.CandidateSource(
        source_id=suggestion.id,
        number=suggestion.number,
        title="非机动车充电桩",
        description="在3号楼下装",
        cost=80000,
    )
    login(w.secretary)
    with _offering(w.community, source):
        listing = en.get(f"/votes/community/{w.community.id}/projects").get_data(as_text=True)
        assert "非机动车充电桩" in listing
        url = f"/votes/community/{w.community.id}/projects/new"
        form = en.get(f"{url}?suggestion_id={suggestion.id}")
        assert 'value="80000"' in form.get_data(as_text=True)
        assert en.get(f"{url}?suggestion_id={suggestion.id + 99}").status_code == 404
        response = en.post(
            url,
            data={
                "suggestion_id": suggestion.id,
                "title": "非机动车充电桩",
                "description": "",
                "estimated_cost": "80000",
                "proponent": suggestion.number,
            },
        )
        assert response.status_code == 303
        project = db.session.scalar(select(Project))
        assert project_queries.suggestion_ids(project) == [suggestion.id]
        # Once made into a project it is no longer offered.
        listing = en.get(f"/votes/community/{w.community.id}/projects").get_data(as_text=True)
        assert "Make it a project" not in listing


@pytest.mark.parametrize(
    ("client_fixture", "message"),
    [
        ("en", "Progress is reported on planned or running projects only."),
        ("zh", "只有已立项或实施中的项目才能报告进展。"),
    ],
)
def test_progress_on_a_candidate_is_refused_and_nothing_saved(
    request, login, client_fixture, message
):
    client = request.getfixturevalue(client_fixture)
    w = vf.world(n_projects=1)
    project = w.projects[0]
    login(w.secretary)
    response = client.post(
        f"/votes/projects/{project.id}/updates",
        data={"on": "2027-03-01", "percent": "30", "note": "施工"},
    )
    assert response.status_code == 409
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ProjectUpdate.id))) == 0


@pytest.mark.parametrize(
    ("client_fixture", "message"),
    [
        ("en", "This project can no longer be edited"),
        ("zh", "该项目已不能修改"),
    ],
)
def test_editing_a_project_on_an_open_ballot_is_refused(request, login, client_fixture, message):
    client = request.getfixturevalue(client_fixture)
    w = vf.world(n_projects=2)
    vf.vote(w)  # open: its ballot shows both projects
    project = w.projects[0]
    login(w.secretary)
    data = {"title": "改过的名称", "description": "", "estimated_cost": "1", "proponent": ""}
    response = client.post(f"/votes/projects/{project.id}/edit", data=data)
    assert response.status_code == 409
    assert message in response.get_data(as_text=True)
    assert db.session.get(Project, project.id).title != "改过的名称"


def test_project_page_lists_the_votes_it_was_put_to(en, login):
    w = vf.world(n_projects=1)
    vote = vf.vote(w, title="二〇二七年实事表决")
    page = en.get(f"/votes/projects/{w.projects[0].id}").get_data(as_text=True)
    assert "二〇二七年实事表决" in page and f"/votes/{vote.id}" in page
