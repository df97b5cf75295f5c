"""Statutory working days on real dates: holidays, make-up working days (调休), unknown years."""

from datetime import date, timedelta

from app.core.workdays import (
    CalendarDay,
    add_working_days,
    is_working_day,
    working_days_between,
    years_without_data,
)


def test_national_day_2025_moves_a_15_day_limit_from_21_to_28_october():
    # Accepted Tue 30 Sep 2025: 1-8 Oct are off, Sat 11 Oct is a make-up working day.
    assert add_working_days(date(2025, 9, 30), 15) == date(2025, 10, 28)
    assert not is_working_day(date(2025, 10, 8))
    assert is_working_day(date(2025, 10, 11))


def test_spring_festival_2026_and_its_make_up_saturdays():
    assert is_working_day(date(2026, 2, 14)) and is_working_day(date(2026, 2, 28))
    assert not any(is_working_day(date(2026, 2, d)) for d in range(15, 24))
    # Fri 13 Feb: the make-up Saturday 14th counts, then nothing until Tue 24 Feb.
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 24)
    assert working_days_between(date(2026, 2, 13), date(2026, 2, 28)) == 6


def test_a_year_the_library_does_not_know_counts_weekdays_and_is_reported(caplog):
    assert years_without_data(range(2025, 2029)) == [2027, 2028]
    # Fri 1 Jan 2027 is not known: Mon to Fri count, with a warning in the log.
    assert add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 1)
    assert "no official calendar for 2027" in caplog.text


def test_the_admins_table_answers_what_the_library_cannot(db):
    db.session.add_all(
        [
            CalendarDay(day=date(2027, 1, 1), is_working_day=False, note="元旦"),
            CalendarDay(day=date(2027, 1, 2), is_working_day=False, note="元旦"),
            CalendarDay(day=date(2027, 1, 3), is_working_day=False, note="元旦"),
        ]
    )
    db.session.commit()
    assert not is_working_day(date(2027, 1, 1))
    assert add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert years_without_data(range(2027, 2029)) == [2028]


def test_a_local_closure_overrides_the_official_calendar(db):
    db.session.add(CalendarDay(day=date(2026, 7, 15), is_working_day=False, note="台风停工"))
    db.session.commit()
    assert not is_working_day(date(2026, 7, 15))
    assert add_working_days(date(2026, 7, 14), 1) == date(2026, 7, 16)
    assert working_days_between(date(2026, 7, 13), date(2026, 7, 17)) == 3


def test_a_closure_longer_than_the_first_read_window_is_still_counted(db):
    # 40 days closed (1 Aug to 9 Sep 2026): one working day after 31 Jul reads the table twice.
    db.session.add_all(
        CalendarDay(day=date(2026, 8, 1) + timedelta(days=i), is_working_day=False, note="封闭")
        for i in range(40)
    )
    db.session.commit()
    assert add_working_days(date(2026, 7, 31), 1) == date(2026, 9, 10)


def test_a_request_reads_the_admins_calendar_once_and_again_after_a_change(app, db):
    from datetime import date, timedelta

    from sqlalchemy import event

    from app.core.workdays import CalendarDay, add_working_days, is_working_day

    monday = date(2026, 6, 1)
    seen: list[str] = []

    def _count(conn, cursor, statement, *args):
        if "calendar_days" in statement:
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", _count)
    try:
        with app.test_request_context("/"):
            for n in range(1, 30):
                add_working_days(monday, n)
            assert is_working_day(monday + timedelta(days=2))
            assert len(seen) == 1
            # A closure entered in the same request counts at once.
            db.session.add(CalendarDay(day=monday + timedelta(days=2), is_working_day=False))
            db.session.flush()
            assert not is_working_day(monday + timedelta(days=2))
            assert add_working_days(monday, 2) == monday + timedelta(days=3)
    finally:
        event.remove(db.engine, "before_cursor_execute", _count)
