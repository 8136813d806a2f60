"""`start:` on `/poll create`: when a scheduled poll is posted, read in the server's timezone.

Pure: text, the current instant and a zone in; an aware UTC datetime out (or a UserError).
Forms: `in 2h` (`in 1d12h`, `in 30 minutes`), `tomorrow 20:00`, `today 9pm`,
`2026-12-24 20:00` (or `2026-12-24T20:00`), and a bare time (`20:00`, `9pm`: its next
occurrence); the same in every language Lightstick speaks (`내일 오후 8시`, `mañana 20:00`,
`2시간 후`, `en 2 horas`), rewritten first by :func:`bot.i18n.input.localized_start`.
Local wall times go through zoneinfo, so a day with a DST change is right; a
wall time that does not exist (the spring-forward gap) is read with the offset before the
jump, i.e. moved forward by the gap, and an ambiguous one (fall back) means the first.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from bot.errors import UserError
from bot.i18n import Msg, Text, _
from bot.i18n.input import localized_start
from bot.polls.rules import _DURATION_PART, _DURATION_SHAPE, _UNIT_MINUTES
from bot.storyline.inputs import parse_local_time

#: A poll may be scheduled at most this far ahead.
MAX_START_AHEAD = timedelta(days=90)
START_HELP = _("Write the start like `in 2h`, `tomorrow 20:00`, `today 9pm` or `2026-12-24 20:00`")

_DATE = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})(?:[ t]+(?:at\s+)?(?P<time>.+))?$")
_DAY_WORD = re.compile(r"^(?P<day>today|tonight|tomorrow|tmrw|tmr)(?:\s+(?:at\s+)?(?P<time>.+))?$")


def _local_to_utc(day: date, clock: time, tz: tzinfo) -> datetime:
    return datetime.combine(day, clock).replace(tzinfo=tz, fold=0).astimezone(UTC)


def _time(text: str, original: str) -> time:
    try:
        return parse_local_time(text)
    except UserError as error:
        raise UserError(
            _(
                "I can't read the time in “{start}”: {error} {help}.",
                start=original,
                error=error.message,
                help=START_HELP,
            )
        ) from None


def _cant_read(original: str) -> Msg:
    return _("I can't read the start “{start}”. {help}.", start=original, help=START_HELP)


def _too_far(what: Text) -> Msg:
    return _("A poll can be scheduled at most 90 days ahead; {start} is further.", start=what)


def _quoted(original: str) -> Msg:
    return _("“{start}”", start=original)


def _relative(text: str, original: str) -> timedelta:
    if not _DURATION_SHAPE.fullmatch(text):
        raise UserError(_cant_read(original))
    minutes = 0
    for amount, unit in _DURATION_PART.findall(text):
        if unit not in _UNIT_MINUTES:
            raise UserError(_("“{unit}” is not a unit I know. {help}.", unit=unit, help=START_HELP))
        if len(amount) > 7:
            raise UserError(_too_far(_quoted(original)))
        minutes += int(amount) * _UNIT_MINUTES[unit]
    return timedelta(minutes=minutes)


def parse_start(text: str, now: datetime, tz: tzinfo) -> datetime:
    """When the poll is posted (aware UTC), from what a member typed, in the server's `tz`."""
    original = " ".join(text.split())
    cleaned = localized_start(original).lower()
    if not cleaned:
        raise UserError(_("The start is empty. {help}.", help=START_HELP))
    local_now = now.astimezone(tz)
    if cleaned.startswith("in "):
        starts = now + _relative(cleaned[3:].strip(), original)
    elif match := _DAY_WORD.match(cleaned):
        ahead = 0 if match["day"] in ("today", "tonight") else 1
        day = local_now.date() + timedelta(days=ahead)
        if match["time"] is None:
            raise UserError(_needs_a_time(original, f"{original} 20:00"))
        starts = _local_to_utc(day, _time(match["time"], original), tz)
    elif match := _DATE.match(cleaned):
        try:
            day = date(int(match["year"]), int(match["month"]), int(match["day"]))
        except ValueError:
            raise UserError(_("“{start}” is not a real date. {help}.", start=original, help=START_HELP)) from None
        if match["time"] is None:
            raise UserError(_needs_a_time(original, f"{day.isoformat()} 20:00"))
        starts = _local_to_utc(day, _time(match["time"], original), tz)
    else:
        try:
            clock = parse_local_time(cleaned)
        except UserError:
            raise UserError(_cant_read(original)) from None
        starts = _local_to_utc(local_now.date(), clock, tz)
        if starts <= now:  # a bare time means its next occurrence
            starts = _local_to_utc(local_now.date() + timedelta(days=1), clock, tz)
    return check_start(starts, now, original)


def _needs_a_time(original: str, example: str) -> Msg:
    return _("“{start}” needs a time, e.g. `{example}`.", start=original, example=example)


def check_start(starts: datetime, now: datetime, shown: str = "") -> datetime:
    if starts <= now:
        if shown:
            raise UserError(
                _("“{start}” is in the past; pick a time later than now. {help}.", start=shown, help=START_HELP)
            )
        raise UserError(_("That start is in the past; pick a time later than now. {help}.", help=START_HELP))
    if starts - now > MAX_START_AHEAD:
        raise UserError(_too_far(_quoted(shown) if shown else _("that start")))
    return starts.astimezone(UTC)


def describe_local(when: datetime, tz: tzinfo, zone_name: str) -> str:
    """`2026-12-24 20:00 (Asia/Seoul)`: a start in the server's timezone, stated."""
    return f"{when.astimezone(tz).strftime('%Y-%m-%d %H:%M')} ({zone_name})"
