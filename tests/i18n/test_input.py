"""Durations and times typed in the fandoms' languages."""

from __future__ import annotations

import pytest

from bot.i18n.input import localized_duration, localized_start, localized_time


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("3일", "3d"),
        ("2시간", "2h"),
        ("1일 12시간", "1d 12h"),
        ("30분", "30m"),
        ("3日", "3d"),
        ("2時間", "2h"),
        ("2 horas", "2h"),
        ("1 dia e 12 horas", "1d 12h"),
        ("2 días y 3 horas", "2d 3h"),
        ("1 hari", "1d"),
        ("2 jam dan 30 menit", "2h 30m"),
        ("3 วัน", "3d"),
        ("2 ngày", "2d"),
        ("12h", "12h"),
        ("1d12h", "1d12h"),
    ],
)
def test_durations_in_any_language_become_english_units(typed: str, read: str) -> None:
    assert localized_duration(typed) == read


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("오후 9시", "9:00pm"),
        ("오전 9시 30분", "9:30am"),
        ("21시", "21:00"),
        ("9시 반", "09:30"),
        ("午後9時", "9:00pm"),
        ("21時30分", "21:30"),
        ("21h", "21:00"),
        ("21h30", "21:30"),
        ("pukul 21.00", "21:00"),
        ("21.00 น.", "21:00"),
        ("9 giờ tối", "9:00pm"),
        ("21:00", "21:00"),
        ("noon", "noon"),
    ],
)
def test_times_in_any_language_become_clock_times(typed: str, read: str) -> None:
    assert localized_time(typed) == read


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("2시간 후", "in 2h"),
        ("en 2 horas", "in 2h"),
        ("em 2 horas", "in 2h"),
        ("dalam 2 jam", "in 2h"),
        ("2時間後", "in 2h"),
        ("내일 오후 8시", "tomorrow 8:00pm"),
        ("mañana 20:00", "tomorrow 20:00"),
        ("amanhã 21h", "tomorrow 21:00"),
        ("besok 20.00", "tomorrow 20:00"),
        ("明日 20:00", "tomorrow 20:00"),
        ("in 2h", "in 2h"),
        ("2026-12-24 20:00", "2026-12-24 20:00"),
    ],
)
def test_starts_in_any_language_become_the_english_forms(typed: str, read: str) -> None:
    assert localized_start(typed) == read


def test_unreadable_text_reaches_the_parser_unchanged() -> None:
    assert localized_time("25:00") == "25:00"
    assert localized_duration("soon") == "soon"
