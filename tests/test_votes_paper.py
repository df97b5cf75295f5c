"""The paper-ballot desk: find the voter by a fragment, enter, check, save, on to the next ballot."""

import html

import pytest
from sqlalchemy import func, select

from app.core.audit import AuditEntry
from app.extensions import db
from app.votes import operations as ops
from app.votes.models import Ballot, ElectorateKind, Method, Participation, Secrecy, Vote
from tests import factories as make
from tests import votes_factories as vf

ZH = "zh_Hans_CN"


@pytest.fixture
def room():
    """A residents' vote of 梅园: four residents in two buildings, a secretary, three projects."""
    w = vf.world(n_deputies=0, n_projects=3)
    w.building.name = "综合楼"  # the world's own building, which nobody here lives in
    b3 = make.building(w.community, name="3号楼")
    b5 = make.building(w.community, name="5号楼")
    people = {
        "王秀英": make.household(b3, number="301"),
        "李桂兰": make.household(b3, number="302"),
        "王建国": make.household(b5, number="502"),
        "张伟": make.household(b5, number="101"),
    }
    w.residents = [
        make.user("resident", w.community, name=name, household=household)
        for name, household in people.items()
    ]
    vote = vf.vote(w, electorate=ElectorateKind.RESIDENTS)
    db.session.commit()
    return w, vote


def _by_name(w, name):
    return next(u for u in w.residents if u.display_name == name)


def _listed(page: str) -> list[str]:
    """The names in the desk's list of matching voters."""
    if 'class="list-plain paper-voters"' not in page:
        return []
    block = page.split('class="list-plain paper-voters"')[1].split("</ul>")[0]
    return [part.split("</strong>")[0] for part in block.split("<strong>")[1:]]


def _found(client, w, vote, text: str) -> list[str]:
    """Whom a plain GET search finds: the names listed, or the one voter whose ballot it opened."""
    response = client.get(f"/votes/{vote.id}/paper", query_string={"q": text})
    if response.status_code == 302:
        voter_id = int(response.headers["Location"].split("voter_id=")[1])
        return [u.display_name for u in w.residents + w.deputies if u.id == voter_id]
    return _listed(response.get_data(as_text=True))


def _count(model, vote) -> int:
    return db.session.scalar(select(func.count(model.id)).where(model.vote_id == vote.id))


def _page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_search_without_javascript_finds_voters_by_name_household_or_building(client, login, room):
    w, vote = room
    login(w.secretary)
    url = f"/votes/{vote.id}/paper"
    desk = client.get(url).get_data(as_text=True)
    assert _listed(desk) == [] and 'name="q"' in desk and "autofocus" in desk
    assert sorted(_found(client, w, vote, "王")) == ["王建国", "王秀英"]
    assert _found(client, w, vote, "3号楼") == ["王秀英", "李桂兰"]
    for text in ("3号楼 302", "3号楼302", "302", " 桂兰 "):
        assert _found(client, w, vote, text) == ["李桂兰"], text
    assert _found(client, w, vote, "5号楼 王") == ["王建国"]
    assert len(_found(client, w, vote, "")) == 4


def test_a_search_that_finds_one_voter_opens_their_ballot(client, login, room):
    w, vote = room
    login(w.secretary)
    response = client.get(f"/votes/{vote.id}/paper", query_string={"q": "秀英"})
    assert response.status_code == 302
    wang = _by_name(w, "王秀英")
    assert response.headers["Location"].endswith(f"/votes/{vote.id}/paper?voter_id={wang.id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "王秀英" in page and "3号楼 301" in page
    assert page.count("autofocus") == 1 and 'type="checkbox" name="approve"' in page


def test_htmx_narrows_the_list_with_the_partial_alone(client, login, room):
    w, vote = room
    login(w.secretary)
    response = client.get(
        f"/votes/{vote.id}/paper", query_string={"q": "秀英"}, headers={"HX-Request": "true"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200  # one match, but htmx shows it rather than leaving
    assert page.lstrip().startswith('<div id="paper-voters"') and "<html" not in page
    assert _listed(page) == ["王秀英"]


def test_no_match_says_so_in_both_languages(client, login, room):
    w, vote = room
    login(w.secretary)
    for lang, expected in (
        (ZH, "没有尚未投票的投票人与“赵”相符。请检查输入，或按户号、楼栋查找。"),
        (
            "en",
            "No voter who has not voted yet matches “赵”. Check the spelling, or search by household or building.",
        ),
    ):
        client.set_cookie("lang", lang)
        page = _page(client.get(f"/votes/{vote.id}/paper", query_string={"q": "赵"}))
        assert expected in page


def test_voters_who_have_voted_are_not_offered_and_are_refused_by_name(client, login, room):
    w, vote = room
    wang = _by_name(w, "王秀英")
    ops.cast_ballot(vote, wang, {"approve": []})  # online, before the meeting
    db.session.commit()
    login(w.secretary)
    url = f"/votes/{vote.id}/paper"
    assert _found(client, w, vote, "王") == ["王建国"]
    for lang, expected in (
        (ZH, "王秀英 已在本次表决中投过票，未保存任何内容。"),
        ("en", "王秀英 has already voted in this vote; nothing was saved."),
    ):
        client.set_cookie("lang", lang)
        response = client.get(url, query_string={"voter_id": wang.id})
        assert response.status_code == 409 and expected in _page(response)
        response = client.post(
            url, data={"step": "cast", "voter_id": wang.id, "approve": vf.ids(w.projects[:1])}
        )
        assert response.status_code == 409 and expected in _page(response)
    assert _count(Ballot, vote) == 1 and _count(Participation, vote) == 1


def test_the_secretary_of_another_community_is_refused_and_nothing_is_saved(client, login, room):
    w, vote = room
    other = vf.world(n_deputies=0, n_projects=1)
    login(other.secretary)
    wang = _by_name(w, "王秀英")
    url = f"/votes/{vote.id}/paper"
    assert client.get(url).status_code == 403
    assert client.get(url, query_string={"q": "王"}).status_code == 403
    assert client.get(url, query_string={"voter_id": wang.id}).status_code == 403
    data = {"step": "cast", "voter_id": wang.id, "approve": vf.ids(w.projects[:1])}
    assert client.post(url, data=data).status_code == 403
    assert client.post(f"{url}/present", data={"present": "3"}).status_code == 403
    login(wang)  # a voter is not the secretary either
    assert client.get(url, query_string={"q": "王"}).status_code == 403
    assert _count(Ballot, vote) == 0 and _count(Participation, vote) == 0
    assert db.session.get(Vote, vote.id).present_count is None
    assert not db.session.scalar(
        select(func.count(AuditEntry.id)).where(
            AuditEntry.action.in_(["personal_data.voters", "vote.paper_ballot"]),
            AuditEntry.object_id == vote.id,
        )
    )


def test_enter_check_save_and_land_on_the_next_empty_ballot_with_the_count(client, login, room):
    w, vote = room
    login(w.secretary)
    client.set_cookie("lang", "en")
    wang = _by_name(w, "王秀英")
    url = f"/votes/{vote.id}/paper"
    choices = {"voter_id": wang.id, "approve": vf.ids(w.projects[:2])}
    review = _page(client.post(url, data={"step": "review", **choices}))
    assert (
        "Check the paper ballot of 王秀英" in review and "The ballot of 王秀英 approves:" in review
    )
    assert "Save this paper ballot" in review and "Cast my ballot" not in review
    assert "Your" not in review.split("<main")[1].split("</main>")[0]  # she is not the voter
    assert 'id="cast-button" autofocus' in review
    assert _count(Ballot, vote) == 0  # the check saves nothing
    saved = client.post(url, data={"step": "cast", **choices})
    assert saved.status_code == 303 and saved.headers["Location"].endswith(url)
    desk = _page(client.get(url))
    ballot = db.session.scalar(select(Ballot).where(Ballot.vote_id == vote.id))
    code = f"{ballot.hash[:4]}-{ballot.hash[4:8]}".upper()
    assert f"The paper ballot you entered for 王秀英 is saved (receipt {code})." in desk
    assert "Entered 1 / present: not counted yet" in desk
    assert "1 of the 4 electors have voted so far, online or on paper." in desk
    assert ballot.entered_by_id == w.secretary.id
    assert ballot.choices == {"approve": sorted(vf.ids(w.projects[:2]))}
    assert 'id="paper-q"' in desk and "autofocus" in desk.split('id="paper-q"')[1].split(">")[0]
    assert _found(client, w, vote, "王") == ["王建国"]


def _token(review: str) -> str:
    return review.split('name="once" value="')[1].split('"')[0]


def test_a_save_sent_twice_records_one_ballot_and_says_so(client, login, room):
    w, vote = room
    login(w.secretary)
    wang, li = _by_name(w, "王秀英"), _by_name(w, "李桂兰")
    url = f"/votes/{vote.id}/paper"
    for lang, voter, expected in (
        (ZH, wang, "这张纸质选票在第一次提交时已保存，再次提交没有重复保存。"),
        (
            "en",
            li,
            "This paper ballot was saved when it was first sent; sending it again saved nothing.",
        ),
    ):
        client.set_cookie("lang", lang)
        choices = {"voter_id": voter.id, "approve": vf.ids(w.projects[:1])}
        review = client.post(url, data={"step": "review", **choices}).get_data(as_text=True)
        data = {"step": "cast", "once": _token(review), **choices}
        first = client.post(url, data=data)
        client.get(url)  # she reads the first answer
        again = client.post(url, data=data)  # a double press, or a resend after a lost answer
        assert first.status_code == again.status_code == 303
        assert again.headers["Location"] == first.headers["Location"]
        assert expected in _page(client.get(again.headers["Location"]))
    assert _count(Ballot, vote) == 2 and _count(Participation, vote) == 2
    # Without the token (a hand-made post) a second save is refused as before, nothing saved.
    response = client.post(url, data={"step": "cast", "voter_id": li.id, "approve": []})
    assert response.status_code == 409 and _count(Ballot, vote) == 2


def test_the_desk_speaks_chinese_to_the_secretary(client, login, room):
    w, vote = room
    login(w.secretary)
    client.set_cookie("lang", ZH)
    wang = _by_name(w, "王秀英")
    url = f"/votes/{vote.id}/paper"
    assert client.post(url, data={"present": "3"}).status_code == 400  # no voter chosen
    client.post(f"{url}/present", data={"present": "3"})
    choices = {"voter_id": wang.id, "approve": vf.ids(w.projects[:1])}
    review = _page(client.post(url, data={"step": "review", **choices}))
    assert "核对 王秀英 的纸质选票" in review and "保存这张纸质选票" in review
    client.post(url, data={"step": "cast", **choices})
    desk = _page(client.get(url))
    assert "为 王秀英 录入的纸质选票已保存（回执 " in desk
    assert "已录入 1 / 到场 3" in desk


def test_choices_that_do_not_fit_are_refused_to_the_secretary_and_kept(client, login, room):
    w, vote = room
    login(w.secretary)
    wang = _by_name(w, "王秀英")
    url = f"/votes/{vote.id}/paper"
    three = vf.ids(w.projects)  # the vote allows two
    for lang, expected in (
        (ZH, "这张选票赞成的项目超过了允许的数目（最多 2 个）。"),
        ("en", "This ballot approves more projects than allowed (at most 2)."),
    ):
        client.set_cookie("lang", lang)
        for step in ("review", "cast"):
            response = client.post(url, data={"step": step, "voter_id": wang.id, "approve": three})
            page = _page(response)
            assert response.status_code == 400 and expected in page
            assert page.count("checked") == 3 and "王秀英" in page
    assert _count(Ballot, vote) == 0 and _count(Participation, vote) == 0


def test_a_ratification_without_an_answer_is_refused_in_the_secretarys_words(client, login):
    w = vf.world(n_deputies=2, n_projects=0)
    vote = vf.vote(w, method=Method.RATIFICATION, secrecy=Secrecy.SECRET)
    login(w.secretary)
    for lang, expected in (
        (ZH, "请照纸质选票标明赞成、反对或弃权。"),
        ("en", "Mark yes, no or abstain, as on the paper ballot."),
    ):
        client.set_cookie("lang", lang)
        response = client.post(
            f"/votes/{vote.id}/paper", data={"step": "review", "voter_id": w.deputies[0].id}
        )
        assert response.status_code == 400 and expected in _page(response)
    assert _count(Ballot, vote) == 0


def test_looking_at_the_voter_list_is_audited_and_the_bare_desk_is_not(client, login, room):
    w, vote = room
    login(w.secretary)
    url = f"/votes/{vote.id}/paper"

    def views():
        return list(
            db.session.scalars(
                select(AuditEntry).where(
                    AuditEntry.action == "personal_data.voters", AuditEntry.object_id == vote.id
                )
            )
        )

    client.get(url)
    assert views() == []  # the desk alone lists nobody
    client.get(url, query_string={"q": "王"})
    client.get(url, query_string={"q": "王"}, headers={"HX-Request": "true"})
    entries = views()
    assert len(entries) == 2
    assert {e.detail for e in entries} == {"paper-ballot voter list (2 of 2 shown)"}
    assert all(
        e.actor_id == w.secretary.id
        and e.community_id == w.community.id
        and e.object_type == "votes"
        for e in entries
    )


def test_the_head_count_is_bounded_audited_and_refused_with_nothing_saved(client, login, room):
    w, vote = room
    login(w.secretary)
    url = f"/votes/{vote.id}/paper/present"
    for lang, expected in (
        (ZH, "请填写到场的投票人数，0 至 4（投票人总数）。"),
        ("en", "Give the number of voters present, from 0 to 4 (the electorate)."),
    ):
        client.set_cookie("lang", lang)
        for bad in ("5", "-1", "", "三"):
            response = client.post(url, data={"present": bad})
            assert response.status_code == 400 and expected in _page(response), bad
    assert db.session.get(Vote, vote.id).present_count is None
    client.set_cookie("lang", "en")
    response = client.post(url, data={"present": "3"})
    assert response.status_code == 303
    assert "Entered 0 / present 3" in _page(client.get(response.headers["Location"]))
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "vote.present_count"))
    assert entry.actor_id == w.secretary.id and entry.detail == "3 present for the paper ballots"


def test_a_closed_vote_has_no_desk(client, login, room):
    w, vote = room
    ops.close_vote(vote, w.secretary)
    db.session.commit()
    login(w.secretary)
    client.set_cookie("lang", "en")
    response = client.get(f"/votes/{vote.id}/paper", query_string={"q": "王"})
    assert response.status_code == 409 and "This vote is not open for ballots." in _page(response)


def test_the_desk_search_queries_do_not_grow_with_the_voters(client, login):
    counts = []
    for n in (3, 15):
        w = vf.world(n_deputies=n)
        vote = vf.vote(w)
        ops.cast_ballot(vote, w.deputies[0], {"approve": []})
        db.session.commit()
        login(w.secretary)
        url = f"/votes/{vote.id}/paper?q=代表"
        listed = _listed(client.get(url).get_data(as_text=True))
        assert w.deputies[0].display_name not in listed and w.deputies[-1].display_name in listed
        from tests.test_votes_routes import _queries_for

        counts.append(_queries_for(client, url))
    assert counts[0] == counts[1], counts


def test_a_household_vote_offers_members_of_households_that_have_not_voted(client, login):
    w = vf.world(n_deputies=0, n_residents=4, households=2)
    vote = vf.vote(
        w, method=Method.RATIFICATION, electorate=ElectorateKind.HOUSEHOLDS, secrecy=Secrecy.SECRET
    )
    ops.cast_ballot(vote, w.residents[0], {"answer": "yes"})  # household 0: residents 0 and 2
    db.session.commit()
    login(w.secretary)
    listed = _listed(client.get(f"/votes/{vote.id}/paper?q=居民").get_data(as_text=True))
    assert sorted(listed) == ["居民1", "居民3"]
    client.set_cookie("lang", "en")
    response = client.get(f"/votes/{vote.id}/paper", query_string={"voter_id": w.residents[2].id})
    expected = "The household of 居民2 has already voted in this vote; nothing was saved."
    assert response.status_code == 409 and expected in _page(response)


def test_a_long_list_shows_the_first_thirty_and_says_how_many_match(client, login):
    w = vf.world(n_deputies=35)
    vote = vf.vote(w)
    login(w.secretary)
    url = f"/votes/{vote.id}/paper"
    for lang, many, few in (
        (
            ZH,
            "有 35 位投票人相符，下面列出前 30 位。多输入几个字可缩小范围。",
            "有 11 位投票人相符，请选择您手中这张纸质选票的投票人。",
        ),
        (
            "en",
            "35 voters match; the first 30 are listed. Type more of the name to narrow the list.",
            "11 voters match. Choose the one whose paper ballot you hold.",
        ),
    ):
        client.set_cookie("lang", lang)
        page = _page(client.get(url, query_string={"q": "代表"}))
        assert many in page and len(_listed(page)) == 30
        page = _page(client.get(url, query_string={"q": "代表1"}))  # 代表1, 代表10 ... 代表19
        assert few in page and len(_listed(page)) == 11
