"""One way to write a date per language (core/dates.py), and the log-in flash in the user's language."""

from datetime import date, datetime

from flask_babel import force_locale

from app.core.dates import (
    show_date,
    show_date_range,
    show_dates_in,
    show_datetime,
    show_list,
    show_range,
)
from app.core.notifications import Notification

# 11:00 UTC is 19:00 in Shanghai.
START = datetime(2026, 12, 11, 11, 0)
END = datetime(2026, 12, 11, 13, 0)
NEXT_DAY = datetime(2026, 12, 12, 1, 30)


def test_chinese_dates_times_and_ranges(app):
    with app.test_request_context(), force_locale("zh_Hans_CN"):
        assert show_date(date(2026, 12, 11)) == "2026年12月11日"
        assert show_datetime(START) == "2026年12月11日 19:00"
        assert show_datetime(START, "short") == "2026年12月11日 19:00"  # an old format is ignored
        assert show_range(START, END) == "2026年12月11日 19:00–21:00"
        assert show_range(START, NEXT_DAY) == "2026年12月11日 19:00 – 2026年12月12日 09:30"
        assert (
            show_date_range(date(2026, 1, 1), date(2026, 3, 31)) == "2026年1月1日 – 2026年3月31日"
        )
        assert show_list(["甲", "乙", "丙"]) == "甲、乙和丙"


def test_english_dates_times_and_ranges(app):
    with app.test_request_context(), force_locale("en"):
        assert show_date(date(2026, 12, 11)) == "Dec 11, 2026"
        assert show_datetime(START) == "Dec 11, 2026, 7:00\u202fPM"
        assert show_range(START, END) == "Dec 11, 2026, 7:00\u202fPM–9:00\u202fPM"
        assert show_list(["A", "B", "C"]) == "A, B, and C"


def test_a_day_late_in_the_utc_evening_is_the_next_shanghai_day(app):
    with app.test_request_context(), force_locale("zh_Hans_CN"):
        assert show_date(datetime(2026, 12, 11, 17, 0)) == "2026年12月12日"


def test_iso_dates_in_recorded_text_are_written_the_one_way(app):
    with app.test_request_context(), force_locale("zh_Hans_CN"):
        assert show_dates_in("2026-01-01..2026-12-31 html") == "2026年1月1日..2026年12月31日 html"
        assert show_dates_in("at 2026-12-11T11:00:05") == "at 2026年12月11日 19:00"
    with app.test_request_context(), force_locale("en"):
        assert show_dates_in("due 2026-12-11") == "due Dec 11, 2026"


def test_a_notification_shows_its_due_day_in_the_readers_language(app):
    n = Notification(message="Answer due %(due)s", params={"due": "2026-12-11"})
    with app.test_request_context(), force_locale("en"):
        assert n.text == "Answer due Dec 11, 2026"


def test_an_english_user_sees_the_english_flash_after_logging_in(client, make):
    user = make.user(phone="13912345670")
    user.locale = "en"
    # The visitor's page was Chinese (no cookie): the flash must follow the account.
    response = client.post(
        "/login",
        data={"identifier": "13912345670", "password": make.PASSWORD},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "You are logged in." in page
    assert "登录成功" not in page
