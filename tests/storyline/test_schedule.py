"""Schedule math across timezones and daylight-saving changes (pure, no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.clock import to_unix
from bot.storyline import latest_run, local_date_for, next_run, next_run_utc, run_for_date

SEOUL = ZoneInfo("Asia/Seoul")
NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def local(run: datetime, tz: ZoneInfo) -> tuple[date, time, timedelta | None]:
    moment = run.astimezone(tz)
    return moment.date(), moment.time(), moment.utcoffset()


def test_seoul_has_no_dst_and_runs_at_the_same_utc_time_all_year() -> None:
    for month in range(1, 13):
        assert run_for_date(date(2026, month, 15), time(21, 0), SEOUL) == utc(2026, month, 15, 12)


def test_next_run_is_strictly_after() -> None:
    at_run = utc(2026, 3, 1, 12)  # 21:00 KST
    assert next_run_utc(time(21, 0), SEOUL, at_run - timedelta(seconds=1)) == at_run
    assert next_run_utc(time(21, 0), SEOUL, at_run) == utc(2026, 3, 2, 12)


def test_setup_a_minute_after_todays_time_runs_tomorrow() -> None:
    setup_at = utc(2026, 3, 1, 12, 1)  # 21:01 KST
    run = next_run(time(21, 0), SEOUL, setup_at)
    assert run.local_date == date(2026, 3, 2)
    assert run.run_at == utc(2026, 3, 2, 12)


def test_setup_a_minute_before_todays_time_runs_today() -> None:
    run = next_run(time(21, 0), SEOUL, utc(2026, 3, 1, 11, 59))
    assert run.local_date == date(2026, 3, 1)


def test_midnight_belongs_to_the_new_day() -> None:
    just_before = utc(2026, 1, 1, 14, 59)  # 23:59 KST on 1 January
    run = next_run(time(0, 0), SEOUL, just_before)
    assert run.run_at == utc(2026, 1, 1, 15)
    assert run.local_date == date(2026, 1, 2)
    assert local_date_for(run.run_at, SEOUL) == date(2026, 1, 2)


def test_a_midnight_swallowed_by_spring_forward_posts_at_one_the_same_day() -> None:
    # Santiago and Havana jump from 00:00 to 01:00: that day has no midnight at all.
    for zone, day in (("America/Santiago", date(2026, 9, 6)), ("America/Havana", date(2026, 3, 8))):
        tz = ZoneInfo(zone)
        run = run_for_date(day, time(0, 0), tz)
        assert local(run, tz)[:2] == (day, time(1, 0)), zone
        before = run_for_date(day - timedelta(days=1), time(0, 0), tz)
        assert next_run(time(0, 0), tz, before) == next_run(time(0, 0), tz, before + timedelta(hours=1))
        assert next_run(time(0, 0), tz, before).local_date == day
        assert next_run(time(0, 0), tz, run).local_date == day + timedelta(days=1)


def test_new_york_spring_forward_moves_a_missing_time_to_the_end_of_the_gap() -> None:
    # 8 March 2026: 02:00 EST jumps to 03:00 EDT; 02:30 does not exist.
    run = run_for_date(date(2026, 3, 8), time(2, 30), NEW_YORK)
    assert local(run, NEW_YORK) == (date(2026, 3, 8), time(3, 0), timedelta(hours=-4))
    assert run == utc(2026, 3, 8, 7)


def test_new_york_spring_forward_days_around_keep_the_local_time() -> None:
    before = run_for_date(date(2026, 3, 7), time(2, 30), NEW_YORK)
    after = run_for_date(date(2026, 3, 9), time(2, 30), NEW_YORK)
    assert before == utc(2026, 3, 7, 7, 30)  # EST
    assert after == utc(2026, 3, 9, 6, 30)  # EDT
    runs = [next_run_utc(time(2, 30), NEW_YORK, before)]
    runs.append(next_run_utc(time(2, 30), NEW_YORK, runs[0]))
    assert runs == [utc(2026, 3, 8, 7), after]


def test_new_york_evening_time_shifts_one_hour_in_utc_not_in_local_time() -> None:
    winter = run_for_date(date(2026, 3, 7), time(21, 0), NEW_YORK)
    summer = run_for_date(date(2026, 3, 8), time(21, 0), NEW_YORK)
    assert winter == utc(2026, 3, 8, 2)
    assert summer == utc(2026, 3, 9, 1)


def test_new_york_fall_back_runs_once_at_the_first_occurrence() -> None:
    # 1 November 2026: 02:00 EDT falls back to 01:00 EST; 01:30 happens twice.
    first = run_for_date(date(2026, 11, 1), time(1, 30), NEW_YORK)
    assert first == utc(2026, 11, 1, 5, 30)
    assert local(first, NEW_YORK)[2] == timedelta(hours=-4)
    # The second 01:30 (06:30 UTC) is not a run: the next one is the following day.
    assert next_run_utc(time(1, 30), NEW_YORK, first) == utc(2026, 11, 2, 6, 30)


def test_london_both_changes() -> None:
    # 29 March 2026: 01:00 GMT -> 02:00 BST; 01:30 does not exist.
    spring = run_for_date(date(2026, 3, 29), time(1, 30), LONDON)
    assert local(spring, LONDON)[:2] == (date(2026, 3, 29), time(2, 0))
    # 25 October 2026: 02:00 BST -> 01:00 GMT; 01:30 twice, BST first.
    autumn = run_for_date(date(2026, 10, 25), time(1, 30), LONDON)
    assert autumn == utc(2026, 10, 25, 0, 30)
    assert next_run_utc(time(1, 30), LONDON, autumn) == utc(2026, 10, 26, 1, 30)


def test_lord_howe_half_hour_spring_forward() -> None:
    # 4 October 2026: 02:00 +10:30 -> 02:30 +11:00; 02:15 does not exist.
    run = run_for_date(date(2026, 10, 4), time(2, 15), LORD_HOWE)
    assert local(run, LORD_HOWE) == (date(2026, 10, 4), time(2, 30), timedelta(hours=11))


def test_lord_howe_half_hour_fall_back_runs_once() -> None:
    # 5 April 2026: 02:00 +11:00 -> 01:30 +10:30; 01:45 twice.
    first = run_for_date(date(2026, 4, 5), time(1, 45), LORD_HOWE)
    assert local(first, LORD_HOWE)[2] == timedelta(hours=11)
    following = next_run(time(1, 45), LORD_HOWE, first)
    assert following.local_date == date(2026, 4, 6)
    assert following.run_at - first == timedelta(days=1, minutes=30)


def test_latest_run_is_the_last_one_at_or_before() -> None:
    now = utc(2026, 3, 2, 3)  # 12:00 KST on 2 March
    run = latest_run(time(21, 0), SEOUL, now)
    assert run.local_date == date(2026, 3, 1)
    assert latest_run(time(21, 0), SEOUL, run.run_at).run_at == run.run_at


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        to_unix(datetime(2026, 1, 1))


ZONES = st.sampled_from(
    [
        SEOUL,
        NEW_YORK,
        LONDON,
        LORD_HOWE,
        *(ZoneInfo(name) for name in ("America/Sao_Paulo", "Asia/Tehran", "America/Santiago", "America/Havana")),
    ]
)
INSTANTS = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 31)).map(
    lambda moment: moment.replace(tzinfo=UTC)
)
TIMES = st.times().map(lambda moment: moment.replace(second=0, microsecond=0))


@settings(max_examples=150, deadline=None)
@given(tz=ZONES, after=INSTANTS, local_time=TIMES)
def test_runs_are_daily_and_strictly_after(tz: ZoneInfo, after: datetime, local_time: time) -> None:
    run = next_run(local_time, tz, after)
    assert run.run_at > after
    # Nothing between `after` and the run: the previous day's run is not after `after`.
    assert run_for_date(run.local_date - timedelta(days=1), local_time, tz) <= after
    following = next_run(local_time, tz, run.run_at)
    assert following.local_date == run.local_date + timedelta(days=1)
    # The run is at the local time, or (in a gap) within the hour after it.
    wall = run.run_at.astimezone(tz).replace(tzinfo=None)
    intended = datetime.combine(run.local_date, local_time)
    assert timedelta(0) <= wall - intended <= timedelta(hours=1)
