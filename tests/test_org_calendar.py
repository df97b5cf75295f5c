"""The admin's working-day calendar page: add and remove days, audited, with a warning for a
year the official calendar does not know."""

from datetime import date

import pytest
from sqlalchemy import func, select

from app.core.audit import AuditEntry
from app.core.time import local_today
from app.core.workdays import CalendarDay, is_working_day, library_knows


@pytest.fixture
def admin(make):
    return make.user("admin")


def _unknown_year() -> int:
    year = local_today().year
    return next(y for y in (year, year + 1) if not library_knows(date(y, 1, 1)))


def test_only_an_admin_sees_or_changes_the_calendar(client, login, make, db):
    secretary = make.user("secretary")
    login(secretary)
    assert client.get("/admin/calendar").status_code == 403
    r = client.post("/admin/calendar", data={"day": "2027-02-06", "working": "working"})
    assert r.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(CalendarDay)) == 0


def test_a_year_without_data_is_a_warning_until_the_admin_enters_it(client, login, admin, db):
    if local_today().year + 1 < 2027 or library_knows(date(local_today().year + 1, 1, 1)):
        pytest.skip("the library knows next year already")
    year = _unknown_year()
    login(admin)
    client.set_cookie("lang", "en")
    page = client.get("/admin/calendar").get_data(as_text=True)
    warning = f"The official calendar has no schedule for {year} and you have entered no day of it"
    assert warning in page
    r = client.post(
        "/admin/calendar",
        data={"day": f"{year}-02-06", "working": "working", "note": f"{year} 春节调休"},
    )
    assert r.status_code == 303
    page = client.get("/admin/calendar").get_data(as_text=True)
    assert warning not in page and f"{year} 春节调休" in page
    assert is_working_day(date(year, 2, 6))  # a Saturday, now a make-up working day
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "calendar.set")
        )
        == 1
    )


def test_the_admin_marks_a_closure_and_removes_it_again(client, login, admin, db):
    login(admin)
    r = client.post(
        "/admin/calendar", data={"day": "2026-09-15", "working": "off", "note": "台风停工"}
    )
    assert r.status_code == 303
    assert not is_working_day(date(2026, 9, 15))
    r = client.post("/admin/calendar/2026-09-15/remove")
    assert r.status_code == 303
    assert is_working_day(date(2026, 9, 15))  # a Tuesday: the official calendar answers again
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["calendar.set", "calendar.remove"]


@pytest.mark.parametrize(
    "lang,message",
    [("en", "Please choose a working day or a day off."), ("zh_Hans_CN", "请选择工作日或休息日。")],
)
def test_a_day_without_its_kind_is_refused(client, login, admin, db, lang, message):
    login(admin)
    client.set_cookie("lang", lang)
    r = client.post("/admin/calendar", data={"day": "2026-09-15", "note": "台风"})
    assert r.status_code == 400 and message in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(CalendarDay)) == 0


def test_the_account_page_keeps_the_e_mail_choice(client, login, make, db):
    from app.accounts.models import User

    user = make.user("resident", email="li@example.org")
    login(user)
    assert "每天一封" in client.get("/account").get_data(as_text=True)
    r = client.post("/account", data={"display_name": "李", "email_delivery": "digest"})
    assert r.status_code == 303
    assert db.session.get(User, user.id).email_delivery == "digest"
    r = client.post("/account", data={"display_name": "李", "email_delivery": "weekly"})
    assert r.status_code == 400
    assert db.session.get(User, user.id).email_delivery == "digest"
