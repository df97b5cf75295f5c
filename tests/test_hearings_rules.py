"""Rules of the hearings domain: due dates, the suggestion status machine, waiting lists, statistics."""

from datetime import date, datetime, timedelta

import pytest

from app.core.errors import Conflict, DomainError, InvalidInput, NotAllowed
from app.core.time import utcnow
from app.core.workdays import add_working_days
from app.hearings import operations as ops
from app.hearings.models import RegistrationStatus, SessionStatus
from app.org.models import BodyKind
from app.suggestions import operations as sops
from app.suggestions.models import Rating, SuggestionStatus
from app.suggestions.queries import normalise_number
from app.suggestions.stats import Record, body_stats
from tests import hearings_factories as hf


@pytest.fixture(autouse=True)
def _request(app):
    # Refusals carry translated messages, which need a request (for the language).
    with app.test_request_context():
        yield


# --- due dates --------------------------------------------------------------


def test_fifteen_working_days_from_a_monday_skip_two_weekends():
    # Monday 2 Nov 2026 + 15 working days = Monday 23 Nov 2026.
    assert add_working_days(date(2026, 11, 2), 15) == date(2026, 11, 23)


def test_working_days_from_a_friday_start_counting_on_monday():
    # Friday 6 Nov 2026: the 1st working day after it is Monday 9 Nov; the 15th is Friday 27 Nov.
    assert add_working_days(date(2026, 11, 6), 1) == date(2026, 11, 9)
    assert add_working_days(date(2026, 11, 6), 15) == date(2026, 11, 27)


def test_working_days_from_a_saturday():
    assert add_working_days(date(2026, 11, 7), 15) == date(2026, 11, 27)


def test_accepting_sets_the_due_date_fifteen_working_days_later(make):
    c = make.community()
    body = make.body(c, BodyKind.PROPERTY_COMPANY)
    s = hf.suggestion(c, make.user("resident", community=c))
    hf.accept_suggestion(s, body, today=date(2026, 11, 2))
    assert s.status == SuggestionStatus.ACCEPTED
    assert s.due_date == date(2026, 11, 23)


def test_a_suggestion_accepted_before_national_day_is_due_after_the_holiday_and_make_up_day(make):
    # Tue 30 Sep 2025: 1-8 Oct are off and Sat 11 Oct is worked (调休), so 28 Oct, not 21 Oct.
    c = make.community()
    s = hf.suggestion(c, make.user("resident", community=c))
    hf.accept_suggestion(s, make.body(c), today=date(2025, 9, 30))
    assert s.due_date == date(2025, 10, 28)


def test_a_due_date_in_the_past_is_refused(make):
    c = make.community()
    s = hf.suggestion(c)
    with pytest.raises(InvalidInput):
        hf.accept_suggestion(s, make.body(c), due_date=date(2026, 11, 1), today=date(2026, 11, 2))
    assert s.status == SuggestionStatus.SUBMITTED and s.due_date is None


def test_an_explicit_due_date_wins(make):
    c = make.community()
    body = make.body(c, BodyKind.PROPERTY_COMPANY)
    s = hf.suggestion(c)
    hf.accept_suggestion(s, body, due_date=date(2026, 12, 31))
    assert s.due_date == date(2026, 12, 31)


# --- status machine ---------------------------------------------------------


def test_full_path_with_one_reopening(make):
    c = make.community()
    resident = make.user("resident", community=c)
    body = make.body(c, BodyKind.PROPERTY_COMPANY)
    s = hf.suggestion(c, resident)
    assert s.number.startswith("S-") and len(s.number) == 13
    hf.accept_suggestion(s, body)
    hf.answer_suggestion(s, "已报修")
    sops.rate_suggestion(s, Rating.UNSATISFIED, resident)
    assert s.status == SuggestionStatus.REOPENED and s.reopen_count == 1
    hf.answer_suggestion(s, "已更换控制柜")
    sops.rate_suggestion(s, Rating.UNSATISFIED, resident)
    # The second 不满意 does not reopen again: it closes, with the rating kept.
    assert s.status == SuggestionStatus.CLOSED
    assert s.rating == Rating.UNSATISFIED
    kinds = [e.kind for e in s.events]
    assert kinds == [
        "submitted",
        "accepted",
        "answered",
        "rated",
        "reopened",
        "answered",
        "rated",
        "closed",
    ]


def test_a_satisfied_rating_closes(make):
    c = make.community()
    resident = make.user("resident", community=c)
    s = hf.suggestion(c, resident)
    hf.accept_suggestion(s, make.body(c))
    hf.answer_suggestion(s, "好的")
    sops.rate_suggestion(s, Rating.FAIRLY_SATISFIED, resident)
    assert s.status == SuggestionStatus.CLOSED


@pytest.mark.parametrize(
    "step",
    ["answer_submitted", "rate_accepted", "accept_twice", "answer_closed", "decline_answered"],
)
def test_illegal_moves_are_refused(make, step):
    c = make.community()
    resident = make.user("resident", community=c)
    body = make.body(c)
    s = hf.suggestion(c, resident)
    with pytest.raises(DomainError):
        if step == "answer_submitted":
            hf.answer_suggestion(s, "x", actor=make.user("handler", body=body))
        elif step == "rate_accepted":
            hf.accept_suggestion(s, body)
            sops.rate_suggestion(s, Rating.SATISFIED, resident)
        elif step == "accept_twice":
            hf.accept_suggestion(s, body)
            hf.accept_suggestion(s, body)
        elif step == "answer_closed":
            hf.accept_suggestion(s, body)
            hf.answer_suggestion(s, "x")
            sops.rate_suggestion(s, Rating.SATISFIED, resident)
            hf.answer_suggestion(s, "y")
        elif step == "decline_answered":
            hf.accept_suggestion(s, body)
            hf.answer_suggestion(s, "x")
            hf.decline_suggestion(s, "no")


def test_the_secretary_closes_an_unrated_answer_only_after_the_submitter_had_time_to_rate(make, db):
    c = make.community()
    resident = make.user("resident", community=c)
    s = hf.suggestion(c, resident)
    hf.accept_suggestion(s, make.body(c))
    hf.answer_suggestion(s, "已处理")
    # Answered today: closing now would take away the resident's 不满意 (and the reopening).
    with pytest.raises(DomainError):
        hf.close_suggestion(s)
    assert s.status == SuggestionStatus.ANSWERED and s.can_rate(resident)
    # Answered on Monday 2 Nov 2026: the resident may rate until Monday 9 Nov (5 working days).
    s.answered_at = datetime(2026, 11, 2, 2, 0)
    assert s.rating_deadline == date(2026, 11, 9)
    assert not s.can_close_unrated(date(2026, 11, 9)) and s.can_close_unrated(date(2026, 11, 10))
    s.answered_at = utcnow() - timedelta(days=30)
    hf.close_suggestion(s)
    assert s.status == SuggestionStatus.CLOSED and s.rating is None


def test_a_walk_ins_answered_suggestion_can_be_closed_at_once(make):
    c = make.community()
    s = hf.suggestion(c, walk_in_name="赵大爷")
    hf.accept_suggestion(s, make.body(c))
    hf.answer_suggestion(s, "已处理")
    hf.close_suggestion(s)
    assert s.status == SuggestionStatus.CLOSED


def test_rating_someone_elses_suggestion_is_refused(make):
    c = make.community()
    owner, other = make.user("resident", community=c), make.user("resident", community=c)
    s = hf.suggestion(c, owner)
    hf.accept_suggestion(s, make.body(c))
    hf.answer_suggestion(s, "x")
    with pytest.raises(NotAllowed):
        sops.rate_suggestion(s, Rating.UNSATISFIED, other)
    assert s.status == SuggestionStatus.ANSWERED


def test_answering_for_another_body_is_refused(make):
    c = make.community()
    s = hf.suggestion(c)
    mine, theirs = make.body(c, BodyKind.OWNERS_COMMITTEE), make.body(c, BodyKind.PROPERTY_COMPANY)
    hf.accept_suggestion(s, theirs)
    with pytest.raises(NotAllowed) as refused:
        sops.answer_suggestion(s, "x", actor=make.user("handler", body=mine))
    assert str(refused.value) == "该意见建议已转交其他单位办理。"
    assert s.status == SuggestionStatus.ACCEPTED


def test_answering_always_checks_the_actor_handles_the_body(make):
    """No caller can skip the body check: a secretary, a resident or nobody may not answer."""
    c = make.community()
    resident = make.user("resident", community=c)
    s = hf.suggestion(c, resident)
    hf.accept_suggestion(s, make.body(c, BodyKind.PROPERTY_COMPANY))
    for actor in (hf.secretary_of(c), resident, None):
        with pytest.raises(NotAllowed):
            sops.answer_suggestion(s, "x", actor=actor)
    assert s.status == SuggestionStatus.ACCEPTED and s.answer == ""


def test_routing_to_a_body_of_another_community_is_refused(make):
    c, other = make.community(), make.community()
    s = hf.suggestion(c)
    with pytest.raises(InvalidInput):
        hf.accept_suggestion(s, make.body(other))


def test_triage_by_anyone_but_the_communitys_secretary_is_refused(make):
    c, other = make.community(), make.community()
    s = hf.suggestion(c)
    body = make.body(c)
    for actor in (make.user("secretary", community=other), make.user("resident", community=c)):
        with pytest.raises(NotAllowed):
            sops.accept_suggestion(s, body, actor=actor)
        with pytest.raises(NotAllowed):
            sops.decline_suggestion(s, "x", actor=actor)
    assert s.status == SuggestionStatus.SUBMITTED


def test_suggestion_transition_methods_refuse_illegal_moves(make):
    from app.suggestions.models import Suggestion

    s = Suggestion(status=SuggestionStatus.SUBMITTED, reopen_count=0)
    with pytest.raises(Conflict):
        s.give_answer("x", utcnow())
    with pytest.raises(Conflict):
        s.rate(Rating.SATISFIED, utcnow())
    with pytest.raises(Conflict):
        s.close(utcnow())
    with pytest.raises(Conflict):
        s.check_reroutable()
    s.decline("不属于本小区", utcnow())
    assert s.is_declined
    with pytest.raises(Conflict):
        s.mark_candidate("项目", "", 1)
    with pytest.raises(Conflict):
        s.decline("again", utcnow())


def test_suggestion_can_predicates_combine_state_and_role(make):
    c = make.community()
    resident = make.user("resident", community=c)
    secretary = hf.secretary_of(c)
    body = make.body(c)
    handler = make.user("handler", body=body)
    s = hf.suggestion(c, resident)
    assert s.can_accept(secretary) and not s.can_accept(resident) and not s.can_accept(handler)
    assert not s.can_answer(handler) and not s.can_rate(resident)
    hf.accept_suggestion(s, body)
    assert not s.can_accept(secretary) and s.can_reroute(secretary) and s.can_decline(secretary)
    assert s.can_answer(handler) and not s.can_answer(secretary)
    hf.answer_suggestion(s, "已处理")
    assert s.can_rate(resident) and not s.can_rate(handler) and s.can_close(secretary)
    assert s.can_see_text(handler) and s.can_see_text(resident)
    assert not s.can_see_text(make.user("resident", community=c))


def test_tracking_numbers_count_up_within_the_year(make):
    c = make.community()
    a, b = hf.suggestion(c), hf.suggestion(c)
    assert int(b.number[-6:]) == int(a.number[-6:]) + 1


def test_empty_or_overlong_suggestions_are_refused(make):
    c = make.community()
    with pytest.raises(DomainError):
        hf.suggestion(c, summary="   ")
    with pytest.raises(DomainError):
        hf.suggestion(c, summary="很" * 201)


def test_overdue_flag(make):
    c = make.community()
    s = hf.suggestion(c)
    hf.accept_suggestion(
        s,
        make.body(c),
        due_date=date.today() - timedelta(days=3),
        today=date.today() - timedelta(days=30),
    )
    assert s.is_overdue
    hf.answer_suggestion(s, "x")
    assert not s.is_overdue


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("S-2026-000123", "S-2026-000123"),
        (" s-2026-123 ", "S-2026-000123"),
        ("S2026000123", "S-2026-000123"),
        ("S-26-1", None),
        ("2026-000123", None),
        ("S-2026-0001234", None),
        ("", None),
        ("<script>", None),
    ],
)
def test_tracking_number_normalisation(raw, expected):
    assert normalise_number(raw) == expected


def test_candidate_project(make):
    c = make.community()
    s = hf.suggestion(c)
    hf.mark_candidate_project(s, "加装电梯", "3号楼加装电梯", 800000)
    assert s.is_candidate_project and s.candidate_cost == 800000


# --- waiting list -----------------------------------------------------------


def test_waiting_list_moves_up_in_order_when_someone_cancels(make):
    c = make.community()
    a, b, w1, w2 = (make.user("resident", community=c) for _ in range(4))
    s = hf.session(c, capacity=2)
    ra, rb = ops.register_for_session(s, a), ops.register_for_session(s, b)
    r1, r2 = ops.register_for_session(s, w1), ops.register_for_session(s, w2)
    assert [r.status for r in (ra, rb, r1, r2)] == [RegistrationStatus.REGISTERED] * 2 + [
        RegistrationStatus.WAITING
    ] * 2
    assert (r1.waiting_position, r2.waiting_position) == (1, 2)
    promoted = ops.cancel_registration(ra)
    assert promoted is r1
    assert r1.status == RegistrationStatus.REGISTERED and r2.status == RegistrationStatus.WAITING
    assert r2.waiting_position == 1
    # Cancelling a waiting place promotes nobody.
    assert ops.cancel_registration(r2) is None
    assert len(s.registered) == 2


def test_no_cancelling_and_no_promotion_once_the_session_has_begun(make, db):
    c = make.community()
    a, w = make.user("resident", community=c), make.user("resident", community=c)
    s = hf.session(c, capacity=1)
    ra, rw = ops.register_for_session(s, a), ops.register_for_session(s, w)
    s.starts_at = utcnow() - timedelta(minutes=30)
    db.session.flush()
    with pytest.raises(DomainError):
        ops.cancel_registration(ra)
    assert ra.status == RegistrationStatus.REGISTERED and rw.status == RegistrationStatus.WAITING


def test_raising_capacity_promotes_the_waiting(make):
    c = make.community()
    users = [make.user("resident", community=c) for _ in range(3)]
    s = hf.session(c, capacity=1)
    regs = [ops.register_for_session(s, u) for u in users]
    hf.reschedule_session(s, starts_at=s.starts_at, ends_at=s.ends_at, place=s.place, capacity=3)
    assert all(r.status == RegistrationStatus.REGISTERED for r in regs)


def test_second_registration_past_and_cancelled_sessions_are_refused(make):
    c = make.community()
    u = make.user("resident", community=c)
    s = hf.session(c, capacity=5)
    ops.register_for_session(s, u)
    with pytest.raises(DomainError):
        ops.register_for_session(s, u)
    past = hf.session(c, starts_in=timedelta(days=-1))
    with pytest.raises(DomainError):
        ops.register_for_session(past, u)
    cancelled = hf.session(c)
    hf.cancel_session(cancelled, "场地冲突")
    with pytest.raises(DomainError):
        ops.register_for_session(cancelled, u)


def test_a_cancelled_registration_can_register_again_at_the_back_of_the_queue(make):
    c = make.community()
    a, b = make.user("resident", community=c), make.user("resident", community=c)
    s = hf.session(c, capacity=1)
    ra = ops.register_for_session(s, a)
    ops.register_for_session(s, b)
    ops.cancel_registration(ra)
    again = ops.register_for_session(s, a)
    assert again.status == RegistrationStatus.WAITING


def test_published_minutes_are_immutable_and_corrections_are_revisions(make, db):
    c = make.community()
    s = hf.session(c, starts_in=timedelta(hours=-3))
    hf.mark_session_held(s)
    m1 = hf.publish_minutes(s, summary="讨论了加装电梯", actions=[("物业两周内报价", None, None)])
    assert s.status == SessionStatus.MINUTES_PUBLISHED
    db.session.commit()
    m1.summary = "篡改"
    with pytest.raises(RuntimeError):
        db.session.flush()
    db.session.rollback()
    assert m1.summary == "讨论了加装电梯"
    with pytest.raises(DomainError):
        hf.publish_minutes(s, summary="更正", correction_note="")
    m2 = hf.publish_minutes(
        s, summary="讨论了加装电梯(更正出席人数)", correction_note="出席人数有误"
    )
    assert (m1.revision, m2.revision) == (1, 2)


def test_the_database_itself_refuses_to_rewrite_minutes_or_a_suggestions_history(make, db):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    c = make.community()
    s = hf.session(c, starts_in=timedelta(hours=-3))
    hf.publish_minutes(
        s,
        summary="讨论了加装电梯",
        actions=[("物业两周内报价", None, None)],
        speakers=[("张三", True, "支持加装")],
    )
    hf.suggestion(c)
    db.session.commit()
    statements = [
        "UPDATE session_minutes SET summary = 'x'",
        "UPDATE minutes_actions SET text = 'x'",
        "UPDATE minutes_speakers SET name = 'x'",
        "UPDATE suggestion_events SET note = 'x'",
    ]
    if db.engine.dialect.name == "postgresql":
        statements += ["DELETE FROM minutes_speakers", "DELETE FROM suggestion_events"]
    for sql in statements:
        with pytest.raises(DBAPIError):
            with db.session.begin_nested():
                db.session.execute(text(sql))
    db.session.rollback()
    assert db.session.scalar(text("SELECT summary FROM session_minutes")) == "讨论了加装电梯"


# --- statistics -------------------------------------------------------------


def test_body_statistics_on_hand_computed_data():
    d = date
    today = d(2026, 11, 20)
    records = [
        # answered after 3 days, on time, satisfied
        Record(
            accepted=d(2026, 11, 2),
            due=d(2026, 11, 23),
            first_answered=d(2026, 11, 5),
            rating="satisfied",
        ),
        # answered after 10 days, on time, unsatisfied
        Record(
            accepted=d(2026, 11, 2),
            due=d(2026, 11, 23),
            first_answered=d(2026, 11, 12),
            rating="unsatisfied",
        ),
        # answered after 30 days, late, fairly satisfied
        Record(
            accepted=d(2026, 9, 1),
            due=d(2026, 9, 22),
            first_answered=d(2026, 10, 1),
            rating="fairly_satisfied",
        ),
        # answered after 7 days, on the due date itself (on time), not rated
        Record(accepted=d(2026, 10, 1), due=d(2026, 10, 8), first_answered=d(2026, 10, 8)),
        # open and overdue
        Record(accepted=d(2026, 10, 1), due=d(2026, 10, 22), first_answered=None, open=True),
        # open, not yet due
        Record(accepted=d(2026, 11, 18), due=d(2026, 12, 9), first_answered=None, open=True),
    ]
    st = body_stats(records, today)
    assert (st.total, st.answered, st.open, st.overdue, st.rated) == (6, 4, 2, 1, 3)
    # response days 3, 10, 30, 7 → median (7 + 10) / 2
    assert st.median_days == 8.5
    # on time: 3 of the 4 answered, and the open overdue one counts as late: 3 / 5
    assert st.on_time_share == 3 / 5
    assert st.satisfaction_share == 2 / 3


def test_a_body_that_leaves_suggestions_overdue_is_not_shown_as_always_on_time():
    d = date
    records = [
        Record(accepted=d(2026, 9, 1), due=d(2026, 9, 22), first_answered=d(2026, 9, 3)),
        Record(accepted=d(2026, 9, 1), due=d(2026, 9, 22), first_answered=None, open=True),
        Record(accepted=d(2026, 9, 1), due=d(2026, 9, 22), first_answered=None, open=True),
        # not yet due: its punctuality is unknown
        Record(accepted=d(2026, 11, 18), due=d(2026, 12, 9), first_answered=None, open=True),
    ]
    st = body_stats(records, d(2026, 11, 20))
    assert st.overdue == 2
    assert st.on_time_share == 1 / 3
    # Nothing answered yet, but overdue: 0 %, not "no data".
    assert body_stats(records[1:], d(2026, 11, 20)).on_time_share == 0.0


def test_body_statistics_when_empty():
    st = body_stats([], date(2026, 1, 1))
    assert (
        st.total == 0
        and st.median_days is None
        and st.on_time_share is None
        and st.satisfaction_share is None
    )


def test_ledger_section_reports_sessions_suggestions_and_body_stats(make):
    from app.hearings.ledger import ledger_section

    c = make.community()
    body = make.body(c, BodyKind.PROPERTY_COMPANY, name="物业")
    resident = make.user("resident", community=c)
    s = hf.suggestion(c, resident)
    hf.accept_suggestion(s, body)
    hf.answer_suggestion(s, "已修")
    sops.rate_suggestion(s, Rating.SATISFIED, resident)
    hf.session(c, starts_in=timedelta(days=2))
    today = date.today()
    data = ledger_section(c, today - timedelta(days=30), today + timedelta(days=30))
    assert [x["number"] for x in data["suggestions"]] == [s.number]
    assert (
        data["suggestions"][0]["response_days"] == 0
        and data["suggestions"][0]["rating"] == "satisfied"
    )
    assert len(data["sessions"]) == 1
    assert data["bodies"]["物业"]["satisfaction_share"] == 1.0
