"""`start:` parsing: each form, a DST day, the past, more than 90 days ahead, garbage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.errors import UserError
from bot.polls.schedule import parse_start

NOW = datetime(2026, 3, 7, 12, 0, tzinfo=UTC)
SEOUL = ZoneInfo("Asia/Seoul")
NEW_YORK = ZoneInfo("America/New_York")


def test_relative_forms() -> None:
    assert parse_start("in 2h", NOW, UTC) == NOW + timedelta(hours=2)
    assert parse_start("in 1d12h", NOW, SEOUL) == NOW + timedelta(days=1, hours=12)
    assert parse_start("In 30 minutes", NOW, UTC) == NOW + timedelta(minutes=30)


def test_day_words_and_dates_are_local_to_the_server() -> None:
    # 12:00 UTC is 21:00 in Seoul on 2026-03-07.
    assert parse_start("tomorrow 20:00", NOW, SEOUL) == datetime(2026, 3, 8, 11, 0, tzinfo=UTC)
    assert parse_start("today 11pm", NOW, SEOUL) == datetime(2026, 3, 7, 14, 0, tzinfo=UTC)
    assert parse_start("tomorrow at 9pm", NOW, UTC) == datetime(2026, 3, 8, 21, 0, tzinfo=UTC)
    assert parse_start("2026-04-24 20:00", NOW, SEOUL) == datetime(2026, 4, 24, 11, 0, tzinfo=UTC)
    assert parse_start("2026-04-01T9:30 am", NOW, UTC) == datetime(2026, 4, 1, 9, 30, tzinfo=UTC)


def test_a_bare_time_is_its_next_occurrence() -> None:
    assert parse_start("20:00", NOW, UTC) == datetime(2026, 3, 7, 20, 0, tzinfo=UTC)
    assert parse_start("9am", NOW, UTC) == datetime(2026, 3, 8, 9, 0, tzinfo=UTC)


def test_dst_day_keeps_the_wall_clock() -> None:
    # New York springs forward on 2026-03-08: 20:00 that day is EDT (UTC-4), the day before EST.
    assert parse_start("tomorrow 20:00", NOW, NEW_YORK) == datetime(2026, 3, 9, 0, 0, tzinfo=UTC)
    assert parse_start("today 20:00", NOW, NEW_YORK) == datetime(2026, 3, 8, 1, 0, tzinfo=UTC)
    # 02:30 does not exist that day: moved forward by the gap (03:30 EDT).
    assert parse_start("2026-03-08 02:30", NOW, NEW_YORK) == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-01 20:00", "in the past"),
        ("today 08:00", "in the past"),
        ("in 0m", "in the past"),
        ("in 91d", "at most 90 days ahead"),
        ("2026-12-31 20:00", "at most 90 days ahead"),
        ("in 99999999d", "at most 90 days ahead"),
        ("next friday", "can't read the start"),
        ("", "empty"),
        ("2026-02-30 20:00", "not a real date"),
        ("tomorrow 25:00", "can't read the time"),
        ("tomorrow", "needs a time"),
        ("in 2 parsecs", "not a unit"),
    ],
)
def test_bad_starts_are_refused_clearly(text: str, expected: str) -> None:
    with pytest.raises(UserError, match=expected):
        parse_start(text, NOW, UTC)
