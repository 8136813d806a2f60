"""Schedule math: a guild's local posting time turned into UTC instants with ``zoneinfo``.

A run belongs to one local date. Daylight-saving changes are handled here and nowhere else:
a local time that does not exist that day (spring forward) runs at the first valid minute
after the gap; an ambiguous one (fall back) runs once, at its first occurrence (``fold=0``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.clock import from_unix, to_unix

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class ScheduledRun:
    """One daily run: the local date it posts for and the UTC instant it is due."""

    local_date: date
    run_at: datetime


def local_date_for(run_utc: datetime, tz: ZoneInfo) -> date:
    """The local calendar date of a UTC instant in `tz`."""
    return run_utc.astimezone(tz).date()


def run_for_date(local_date: date, local_time: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of `local_time` on `local_date` in `tz`.

    Nonexistent local times move to the end of the gap; ambiguous ones take the first
    occurrence, so every local date has exactly one run.
    """
    wall = datetime.combine(local_date, local_time.replace(second=0, microsecond=0))
    first = wall.replace(tzinfo=tz, fold=0)
    if _exists(first):
        return first.astimezone(UTC)
    return _end_of_gap(wall, tz)


def next_run(local_time: time, tz: ZoneInfo, after_utc: datetime) -> ScheduledRun:
    """The first run strictly after `after_utc`, with the local date it belongs to."""
    today = local_date_for(after_utc, tz)
    for offset in (-1, 0, 1, 2):
        day = today + offset * ONE_DAY
        run_at = run_for_date(day, local_time, tz)
        if run_at > after_utc:
            return ScheduledRun(day, run_at)
    raise AssertionError("a daily time always recurs within two days")  # pragma: no cover


def next_run_utc(local_time: time, tz: ZoneInfo, after_utc: datetime) -> datetime:
    """The next local occurrence of `local_time` strictly after `after_utc`, in UTC."""
    return next_run(local_time, tz, after_utc).run_at


def latest_run(local_time: time, tz: ZoneInfo, at_or_before_utc: datetime) -> ScheduledRun:
    """The most recent run at or before `at_or_before_utc` (used to judge catch-up)."""
    today = local_date_for(at_or_before_utc, tz)
    for offset in (1, 0, -1, -2):
        day = today + offset * ONE_DAY
        run_at = run_for_date(day, local_time, tz)
        if run_at <= at_or_before_utc:
            return ScheduledRun(day, run_at)
    raise AssertionError("a daily time always recurs within two days")  # pragma: no cover


def scheduled_run(local_date: date, local_time: time, tz: ZoneInfo) -> ScheduledRun:
    return ScheduledRun(local_date, run_for_date(local_date, local_time, tz))


def _exists(aware_wall: datetime) -> bool:
    """True when the wall time survives a round trip through UTC (it is not in a gap)."""
    back = aware_wall.astimezone(UTC).astimezone(aware_wall.tzinfo)
    return back.replace(tzinfo=None) == aware_wall.replace(tzinfo=None)


def _end_of_gap(wall: datetime, tz: ZoneInfo) -> datetime:
    """The first whole minute after the gap that swallowed `wall`, in UTC.

    Inside a gap the two folds give the offsets before and after the transition; the
    transition instant lies between the two readings, and the first instant whose local
    wall time reaches `wall` is that transition (found by bisection on seconds).
    """
    offsets = [wall.replace(tzinfo=tz, fold=fold).utcoffset() or timedelta() for fold in (0, 1)]
    low = _unix_of_wall(wall) - int(max(offsets).total_seconds())
    high = _unix_of_wall(wall) - int(min(offsets).total_seconds())
    while low + 1 < high:
        middle = (low + high) // 2
        if from_unix(middle).astimezone(tz).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return from_unix(-(-high // 60) * 60)


def _unix_of_wall(wall: datetime) -> int:
    """Unix seconds of a naive wall time read as if it were UTC."""
    return to_unix(wall.replace(tzinfo=UTC))
