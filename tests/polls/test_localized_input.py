"""Durations and starts typed in members' languages (ko, ja, es, pt-BR, id): read like the
English forms; what can't be read gets the same clear error, quoting what was typed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.errors import UserError
from bot.i18n import speaking
from bot.polls.rules import parse_duration
from bot.polls.schedule import parse_start

NOW = datetime(2026, 3, 7, 12, 0, tzinfo=UTC)  # 21:00 in Seoul, 09:00 in São Paulo
SEOUL = ZoneInfo("Asia/Seoul")
TOKYO = ZoneInfo("Asia/Tokyo")
MADRID = ZoneInfo("Europe/Madrid")
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
JAKARTA = ZoneInfo("Asia/Jakarta")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Korean
        ("3일", timedelta(days=3)),
        ("2시간", timedelta(hours=2)),
        ("1일 12시간", timedelta(days=1, hours=12)),
        ("30분", timedelta(minutes=30)),
        ("1주", timedelta(weeks=1)),
        # Japanese
        ("3日", timedelta(days=3)),
        ("2時間", timedelta(hours=2)),
        ("1日12時間", timedelta(days=1, hours=12)),
        ("45分", timedelta(minutes=45)),
        # Spanish
        ("2 horas", timedelta(hours=2)),
        ("3 días", timedelta(days=3)),
        ("1 día y 12 horas", timedelta(days=1, hours=12)),
        ("30 minutos", timedelta(minutes=30)),
        # Portuguese (Brazil)
        ("2 dias", timedelta(days=2)),
        ("1 dia e 12 horas", timedelta(days=1, hours=12)),
        ("1 semana", timedelta(weeks=1)),
        # Indonesian
        ("1 hari", timedelta(days=1)),
        ("2 jam dan 30 menit", timedelta(hours=2, minutes=30)),
        ("1 minggu", timedelta(weeks=1)),
        # English as before
        ("1d12h", timedelta(days=1, hours=12)),
    ],
)
def test_durations_in_every_language(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("사흘", "can't read the duration “사흘”"),
        ("3 parsecs", "“parsecs” is not a unit I know"),
        ("1일 2일", "The duration “1일 2일” names a unit twice"),
        ("100일", "at most 90 days; you asked for 100 days"),
        ("0분", "at least 1 minute"),
        ("muchas horas", "can't read the duration “muchas horas”"),
    ],
)
def test_bad_localized_durations_are_refused_clearly(text: str, expected: str) -> None:
    with pytest.raises(UserError, match=expected):
        parse_duration(text)


def test_a_refusal_renders_in_the_members_language() -> None:
    with pytest.raises(UserError) as refused:
        parse_duration("100일")
    with speaking("ko"):
        assert "100일" in str(refused.value)  # the asked-for duration, in Korean words


@pytest.mark.parametrize(
    ("text", "tz", "expected"),
    [
        # Korean: tomorrow 8 pm in Seoul is 11:00 UTC; `2시간 후` is in 2 hours.
        ("내일 오후 8시", SEOUL, datetime(2026, 3, 8, 11, 0, tzinfo=UTC)),
        ("내일 20:00", SEOUL, datetime(2026, 3, 8, 11, 0, tzinfo=UTC)),
        ("2시간 후", SEOUL, NOW + timedelta(hours=2)),
        ("1일 12시간 후", SEOUL, NOW + timedelta(days=1, hours=12)),
        # Japanese
        ("明日 午後8時", TOKYO, datetime(2026, 3, 8, 11, 0, tzinfo=UTC)),
        ("3時間後", TOKYO, NOW + timedelta(hours=3)),
        # Spanish (Madrid is UTC+1 in March)
        ("mañana 20:00", MADRID, datetime(2026, 3, 8, 19, 0, tzinfo=UTC)),
        ("hoy 21h", MADRID, datetime(2026, 3, 7, 20, 0, tzinfo=UTC)),
        ("en 2 horas", MADRID, NOW + timedelta(hours=2)),
        # Portuguese (Brazil: São Paulo is UTC-3)
        ("amanhã 21h", SAO_PAULO, datetime(2026, 3, 9, 0, 0, tzinfo=UTC)),
        ("hoje 20:00", SAO_PAULO, datetime(2026, 3, 7, 23, 0, tzinfo=UTC)),
        ("em 3 horas", SAO_PAULO, NOW + timedelta(hours=3)),
        # Indonesian (Jakarta is UTC+7; 19:00 there is already past)
        ("besok pukul 20.00", JAKARTA, datetime(2026, 3, 8, 13, 0, tzinfo=UTC)),
        ("dalam 2 jam", JAKARTA, NOW + timedelta(hours=2)),
    ],
)
def test_starts_in_every_language(text: str, tz: ZoneInfo, expected: datetime) -> None:
    assert parse_start(text, NOW, tz) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("내일", "“내일” needs a time, e.g. `내일 20:00`"),
        ("mañana", "“mañana” needs a time, e.g. `mañana 20:00`"),
        ("내일 오후 13시", "can't read the time in “내일 오후 13시”"),
        ("다음 주 금요일", "can't read the start “다음 주 금요일”"),
        ("en 100 días", "at most 90 days ahead; “en 100 días” is further"),
        ("2시간 전", "can't read the start “2시간 전”"),
        ("hoje 08:00", "“hoje 08:00” is in the past"),
        ("dalam banyak jam", "can't read the start “dalam banyak jam”"),
    ],
)
def test_bad_localized_starts_are_refused_clearly(text: str, expected: str) -> None:
    with pytest.raises(UserError, match=expected):
        parse_start(text, NOW, SAO_PAULO)
