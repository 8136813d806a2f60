"""Reading what admins type: times, timezones, the whole setup (UserError says what to fix)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from bot.errors import UserError
from bot.i18n import Msg, speaking
from bot.storyline import (
    COMMON_TIMEZONES,
    parse_local_time,
    parse_setup,
    resolve_timezone,
    timezone_choices,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("21:00", time(21, 0)),
        ("9pm", time(21, 0)),
        ("9:30 am", time(9, 30)),
        ("9:30AM", time(9, 30)),
        ("9 P.M.", time(21, 0)),
        ("00:00", time(0, 0)),
        ("0:05", time(0, 5)),
        ("12am", time(0, 0)),
        ("12pm", time(12, 0)),
        ("21.30", time(21, 30)),
        (" noon ", time(12, 0)),
        ("midnight", time(0, 0)),
    ],
)
def test_times_people_type(text: str, expected: time) -> None:
    assert parse_local_time(text) == expected


@pytest.mark.parametrize(
    ("text", "fix"),
    [
        ("25:00", "hour must be 00–23"),
        ("24:00", "Use 00:00 for midnight"),
        ("9:61", "minutes must be 00–59"),
        ("13pm", "hour goes from 1 to 12"),
        ("0am", "hour goes from 1 to 12"),
        ("9", "HH:MM"),
        ("soon", "HH:MM"),
    ],
)
def test_bad_times_say_what_to_fix(text: str, fix: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_local_time(text)
    assert fix in str(caught.value)
    assert text.strip() in str(caught.value)


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("Asia/Seoul", "Asia/Seoul"),
        ("asia/seoul", "Asia/Seoul"),
        ("AMERICA/NEW_YORK", "America/New_York"),
        ("KST", "Asia/Seoul"),
        ("jst", "Asia/Tokyo"),
        ("UTC", "UTC"),
        ("GMT", "UTC"),
        ("UTC+9", "Etc/GMT-9"),
        ("GMT+9", "Etc/GMT-9"),
        ("+09:00", "Etc/GMT-9"),
        ("UTC-5", "Etc/GMT+5"),
        ("UTC+0", "UTC"),
        ("Seoul", "Asia/Seoul"),
        ("new york", "America/New_York"),
        ("EST", "America/New_York"),
        ("Australia/Lord_Howe", "Australia/Lord_Howe"),
        ("Korea", "Asia/Seoul"),
    ],
)
def test_timezones_understood(text: str, zone: str) -> None:
    assert resolve_timezone(text).key == zone


def test_fixed_offset_zone_has_the_offset_people_meant() -> None:
    tz = resolve_timezone("UTC+9")
    assert datetime(2026, 7, 1, tzinfo=UTC).astimezone(tz).utcoffset() == timedelta(hours=9)


def test_unknown_timezone_suggests_the_closest_names() -> None:
    with pytest.raises(UserError) as caught:
        resolve_timezone("Mars/Olympus")
    message = str(caught.value)
    assert message.startswith("Unknown timezone 'Mars/Olympus'. Did you mean ")
    assert "Asia/Seoul" in message  # the example of a valid name


def test_misspelled_timezone_suggests_the_right_one_first() -> None:
    with pytest.raises(UserError, match=r"Did you mean Asia/Seoul"):
        resolve_timezone("Asia/Seol")


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("UTC+5:30", "Asia/Kolkata"),
        ("UTC+15", r"UTC-12 to UTC\+14"),
        ("   ", "Give a timezone"),
    ],
)
def test_timezones_refused(text: str, hint: str) -> None:
    with pytest.raises(UserError, match=hint):
        resolve_timezone(text)


@pytest.mark.parametrize(
    ("text", "places"),
    [
        ("CST", ["America/Chicago", "America/Mexico_City", "Asia/Shanghai", "America/Havana"]),
        ("IST", ["Asia/Kolkata", "Asia/Jerusalem", "Europe/Dublin"]),
        ("ist", ["Asia/Kolkata", "Asia/Jerusalem", "Europe/Dublin"]),
    ],
)
def test_shared_abbreviations_are_refused_with_the_places_that_use_them(text: str, places: list[str]) -> None:
    with pytest.raises(UserError) as caught:
        resolve_timezone(text)
    message = str(caught.value)
    assert "won't guess" in message and f"Pick your place: {', '.join(places)} (" in message
    assert all(resolve_timezone(place) for place in places)


@pytest.mark.parametrize(
    ("text", "place"), [("MSK", "Europe/Moscow"), ("BST", "Europe/London"), ("NZST", "Pacific/Auckland")]
)
def test_other_abbreviations_are_refused_with_the_names_of_their_places(text: str, place: str) -> None:
    with pytest.raises(UserError) as caught:
        resolve_timezone(text)
    assert "is an abbreviation, not a timezone name" in str(caught.value)
    assert place in str(caught.value)


def test_choices_for_an_abbreviation_list_the_places_that_use_it() -> None:
    assert timezone_choices("cst")[:4] == ["America/Chicago", "America/Mexico_City", "Asia/Shanghai", "America/Havana"]
    assert "Europe/Moscow" in timezone_choices("msk")[:4]


def test_choices_start_with_seoul_then_the_common_zones() -> None:
    choices = timezone_choices("")
    assert choices[0] == "Asia/Seoul"
    assert choices[:11] == list(COMMON_TIMEZONES[:11])
    assert len(choices) <= 25


def test_choices_match_the_query_and_fit_discord() -> None:
    assert timezone_choices("kst")[0] == "Asia/Seoul"
    assert timezone_choices("new_y")[0] == "America/New_York"
    assert "Europe/London" in timezone_choices("lond")
    assert timezone_choices("utc+9")[:2] == ["UTC+9", "Asia/Seoul"]
    for query in ("", "a", "asia", "zzzz", "x" * 200):
        choices = timezone_choices(query)
        assert len(choices) <= 25
        assert all(1 <= len(name) <= 100 for name in choices)
    every = timezone_choices("a", limit=25)
    assert all(resolve_timezone(name) for name in every)


def test_parse_setup_validates_everything() -> None:
    config = parse_setup(guild_id=1, channel_id=2, time_text="9pm", timezone_text="kst", ping_role_id=3)
    assert (config.local_time, config.timezone, config.catch_up_hours) == (time(21), "Asia/Seoul", 6)
    assert config.thread and not config.include_mature
    with pytest.raises(UserError, match="catch_up_hours"):
        parse_setup(guild_id=1, channel_id=2, time_text="21:00", timezone_text="UTC", catch_up_hours=30)
    with pytest.raises(UserError, match="25:00"):
        parse_setup(guild_id=1, channel_id=2, time_text="25:00", timezone_text="UTC")


# --------------------------------------------------------------------------- other languages


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Korean
        ("오후 9시", time(21, 0)),
        ("오후 9시 30분", time(21, 30)),
        ("저녁 9시 반", time(21, 30)),
        ("오전 9시", time(9, 0)),
        ("21시", time(21, 0)),
        ("오전 0시", time(0, 0)),
        # Japanese
        ("午後9時", time(21, 0)),
        ("午前9時半", time(9, 30)),
        ("21時", time(21, 0)),
        # Spanish and Portuguese
        ("21h", time(21, 0)),
        ("21h30", time(21, 30)),
        ("9 de la noche", time(21, 0)),
        ("9 da noite", time(21, 0)),
        # Indonesian
        ("pukul 21.00", time(21, 0)),
        ("21.00 WIB", time(21, 0)),
        ("9 malam", time(21, 0)),
        # Vietnamese
        ("21 giờ", time(21, 0)),
        ("21 giờ 30", time(21, 30)),
        ("9 giờ tối", time(21, 0)),
        # Thai
        ("21.00 น.", time(21, 0)),
    ],
)
def test_times_typed_in_other_languages(text: str, expected: time) -> None:
    assert parse_local_time(text) == expected


@pytest.mark.parametrize(
    ("text", "fix"),
    [
        ("25:00", "hour must be 00–23"),
        ("25h", "hour must be 00–23"),
        ("25時", "hour must be 00–23"),
        ("오후 13시", "with am/pm the hour goes from 1 to 12. For 13:00 in 24-hour form, write 13:00."),
        ("午後13時", "with am/pm the hour goes from 1 to 12"),
        ("오후 9시 75분", "minutes must be 00–59"),
        ("pukul 21.75", "minutes must be 00–59"),
        ("내일", "HH:MM"),
    ],
)
def test_bad_times_in_other_languages_quote_what_was_typed(text: str, fix: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_local_time(text)
    assert fix in str(caught.value)
    assert repr(text) in str(caught.value)  # what the member typed, not the rewriting


def test_setup_takes_a_korean_time_and_refuses_a_contradictory_one() -> None:
    config = parse_setup(guild_id=1, channel_id=2, time_text="오후 9시", timezone_text="Asia/Seoul")
    assert config.local_time == time(21, 0)
    with pytest.raises(UserError, match="오후 13시"):
        parse_setup(guild_id=1, channel_id=2, time_text="오후 13시", timezone_text="Asia/Seoul")


def test_errors_are_lazy_messages_that_render_in_the_readers_language() -> None:
    with pytest.raises(UserError) as caught:
        parse_local_time("soon")
    assert isinstance(caught.value.message, Msg)
    with speaking("ko"):  # no Korean catalog entry is needed for the values to stay intact
        assert "'soon'" in str(caught.value.message)
    with pytest.raises(UserError) as caught:
        parse_setup(guild_id=1, channel_id=2, time_text="21:00", timezone_text="UTC", catch_up_hours=1000)
    with speaking("es-ES"):
        assert "1000" in str(caught.value.message) or "1.000" in str(caught.value.message)
