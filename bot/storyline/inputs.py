"""What admins type for `/storyline setup`: a local time and a timezone, read generously.

Everything here either returns a clean value or raises :class:`UserError` saying what to
type instead. Timezone answers are IANA names from ``zoneinfo`` so the schedule follows the
region's daylight-saving rules; only explicit offsets become fixed-offset zones.
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, datetime, time, timedelta
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

from rapidfuzz import fuzz, process

from bot.errors import UserError
from bot.i18n import Number, Text, _
from bot.i18n.input import localized_time
from bot.storyline.models import DEFAULT_CATCH_UP_HOURS, MAX_CATCH_UP_HOURS, StorylineConfig

#: Shown first in timezone autocomplete: Lightstick's audience, roughly by size.
COMMON_TIMEZONES: tuple[str, ...] = (
    "Asia/Seoul",
    "Asia/Tokyo",
    "America/New_York",
    "America/Los_Angeles",
    "Europe/London",
    "Europe/Paris",
    "Asia/Manila",
    "Asia/Jakarta",
    "Asia/Bangkok",
    "Australia/Sydney",
    "America/Sao_Paulo",
    "America/Chicago",
    "America/Mexico_City",
    "Europe/Berlin",
    "Asia/Singapore",
    "Asia/Kuala_Lumpur",
    "Asia/Ho_Chi_Minh",
    "Asia/Shanghai",
    "Asia/Taipei",
    "Asia/Hong_Kong",
    "Asia/Kolkata",
    "America/Toronto",
    "Europe/Madrid",
    "Europe/Istanbul",
    "UTC",
)

#: Abbreviations people type that are not zoneinfo names. Ambiguous ones (CST, IST, BST…)
#: are left out on purpose: they are refused with suggestions instead of guessed.
TIMEZONE_ALIASES: dict[str, str] = {
    "kst": "Asia/Seoul",
    "jst": "Asia/Tokyo",
    "utc": "UTC",
    "gmt": "UTC",
    "z": "UTC",
    "pht": "Asia/Manila",
    "wib": "Asia/Jakarta",
    "ict": "Asia/Bangkok",
    "sgt": "Asia/Singapore",
    "hkt": "Asia/Hong_Kong",
    "est": "America/New_York",  # zoneinfo's EST has no DST; people typing it mean New York
    "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles",
    "edt": "America/New_York",
    "cdt": "America/Chicago",
    "aest": "Australia/Sydney",
    "aedt": "Australia/Sydney",
    "cest": "Europe/Paris",
    "korea": "Asia/Seoul",
    "south korea": "Asia/Seoul",
}

#: zoneinfo names that are not real places or depend on the host.
_UNUSABLE = frozenset({"localtime", "Factory", "posixrules"})
_LEGACY_PREFIXES = ("Etc/", "SystemV/", "posix/", "right/", "US/", "Canada/", "Brazil/")

_TIME_24H = re.compile(r"^(?P<hour>\d{1,2})[:.hH](?P<minute>\d{2})$")
_TIME_12H = re.compile(r"^(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?\s*(?P<half>[ap])\.?\s*m\.?$", re.IGNORECASE)
_OFFSET = re.compile(r"^(?:utc|gmt)?\s*(?P<sign>[+-])\s*(?P<hours>\d{1,2})(?::?(?P<minutes>\d{2}))?$", re.IGNORECASE)

# TRANSLATORS: the hint after a time Lightstick could not read. Add your language's usual way
# of writing 21:00 as another example if you like (e.g. 오후 9시, 21h, pukul 21.00).
TIME_HINT = _("Write the time as HH:MM in 24-hour form (e.g. 21:00) or with am/pm (e.g. 9pm, 9:30 am).")


# -- time ---------------------------------------------------------------------------------


def parse_local_time(text: str) -> time:
    """``"21:00"``, ``"9pm"``, ``"9:30 am"``, ``"00:00"``, ``"noon"``, ``"midnight"`` -> time.

    Times written in Lightstick's other languages (``오후 9시``, ``午後9時``, ``21h``,
    ``pukul 21.00``, ``21 giờ``) are first rewritten into these forms; errors quote what the
    member typed.
    """
    rewritten = localized_time(text)
    cleaned = " ".join(rewritten.strip().lower().split())
    if rewritten != text and _TIME_24H.match(cleaned) and _says_half_of_day(text):
        hour = int(cleaned.split(":")[0])
        if hour > 12:  # `오후 13시`: a half of the day and an hour past 12 contradict each other
            return _twelve_hour(text, hour, 0, "p")
    if cleaned in {"noon", "midday"}:
        return time(12, 0)
    if cleaned == "midnight":
        return time(0, 0)
    if match := _TIME_12H.match(cleaned):
        return _twelve_hour(text, int(match["hour"]), int(match["minute"] or 0), match["half"])
    if match := _TIME_24H.match(cleaned):
        return _twenty_four_hour(text, int(match["hour"]), int(match["minute"]))
    raise UserError(_("I can't read {text} as a time. {hint}", text=repr(text.strip()), hint=TIME_HINT))


def _says_half_of_day(text: str) -> bool:
    """Whether `text` names morning or afternoon (오후, 午後, malam, tối…) beside its hour.

    Asked of the rewriting itself: with the hour made 1, a half-of-day word shows as am/pm.
    """
    one = re.sub(r"\d+", "1", text.strip(), count=1)
    return bool(re.search(r"[ap]m$", localized_time(one).strip().lower()))


def format_local_time(value: time) -> str:
    return value.strftime("%H:%M")


def _twenty_four_hour(text: str, hour: int, minute: int) -> time:
    if hour > 23:
        typed = repr(text.strip())
        if hour == 24:
            midnight = _("{text} is not a valid time: the hour must be 00–23. Use 00:00 for midnight.", text=typed)
            raise UserError(midnight)
        raise UserError(_("{text} is not a valid time: the hour must be 00–23.", text=typed))
    _check_minute(text, minute)
    return time(hour, minute)


def _twelve_hour(text: str, hour: int, minute: int, half: str) -> time:
    if not 1 <= hour <= 12:
        if 12 < hour < 24:
            raise UserError(
                _(
                    "{text} is not a valid time: with am/pm the hour goes from 1 to 12. "
                    "For {hour}:00 in 24-hour form, write {hour}:00.",
                    text=repr(text.strip()),
                    hour=str(hour),
                )
            )
        raise UserError(
            _("{text} is not a valid time: with am/pm the hour goes from 1 to 12.", text=repr(text.strip()))
        )
    _check_minute(text, minute)
    hour = hour % 12 + (12 if half == "p" else 0)
    return time(hour, minute)


def _check_minute(text: str, minute: int) -> None:
    if minute > 59:
        raise UserError(_("{text} is not a valid time: the minutes must be 00–59.", text=repr(text.strip())))


# -- timezone -----------------------------------------------------------------------------


@cache
def _zone_names() -> dict[str, str]:
    """Lower-cased name -> canonical zoneinfo name, for case-insensitive lookups."""
    return {name.lower(): name for name in zoneinfo.available_timezones() - _UNUSABLE}


@cache
def _city_names() -> dict[str, str | None]:
    """Lower-cased last component ("seoul") -> zone, or None when two regions share it."""
    cities: dict[str, str | None] = {}
    for name in sorted(_choice_names()):
        city = name.rsplit("/", 1)[-1].lower()
        cities[city] = None if city in cities else name
    return cities


@cache
def _choice_names() -> tuple[str, ...]:
    """Region/City names offered in autocomplete (legacy links and Etc/ zones left out)."""
    names = {name for name in _zone_names().values() if "/" in name and not name.startswith(_LEGACY_PREFIXES)}
    return tuple(sorted(names | {"UTC"}))


@cache
def _ranked_names() -> tuple[str, ...]:
    """The common zones first, then every other choice name: the order suggestions use."""
    return tuple(COMMON_TIMEZONES) + tuple(n for n in _choice_names() if n not in COMMON_TIMEZONES)


def resolve_timezone(text: str) -> ZoneInfo:
    """An IANA name (any case), a known abbreviation, a city, or a whole-hour UTC offset."""
    cleaned = text.strip()
    if not cleaned:
        raise UserError(_("Give a timezone, e.g. Asia/Seoul."))
    key = cleaned.lower()
    name = (
        _alias(key)
        or _zone_names().get(key)
        or _zone_names().get(key.replace(" ", "_"))
        or _city_names().get(key.replace(" ", "_"))
    )
    if name:
        return ZoneInfo(name)
    if match := _OFFSET.match(cleaned.replace(" ", "")):
        return _fixed_offset_zone(cleaned, match)
    raise UserError(_unknown_timezone_message(cleaned))


def _fixed_offset_zone(text: str, match: re.Match[str]) -> ZoneInfo:
    """``UTC+9`` -> ``Etc/GMT-9``: POSIX-style Etc names carry the inverted sign."""
    hours, minutes = int(match["hours"]), int(match["minutes"] or 0)
    sign = 1 if match["sign"] == "+" else -1
    if minutes:
        examples = zones_with_offset(_offset_of(match))
        if examples:
            raise UserError(
                _(
                    "{text} is not a whole-hour offset, so there is no fixed zone for it. "
                    "Use the name of a place in it such as {places}.",
                    text=repr(text),
                    places=", ".join(examples),
                )
            )
        raise UserError(
            _(
                "{text} is not a whole-hour offset, so there is no fixed zone for it. Use the name of a place in it.",
                text=repr(text),
            )
        )
    if hours == 0:
        return ZoneInfo("UTC")
    if (sign > 0 and hours > 14) or (sign < 0 and hours > 12):
        raise UserError(_("{text} is not a real UTC offset: they run from UTC-12 to UTC+14.", text=repr(text)))
    return ZoneInfo(f"Etc/GMT{'-' if sign > 0 else '+'}{hours}")


def zones_with_offset(offset: timedelta, limit: int = 3) -> list[str]:
    """Places whose offset is `offset` in January or July (for suggestions), common first."""
    return list(_zones_at_offset(offset)[:limit])


@lru_cache(maxsize=64)
def _zones_at_offset(offset: timedelta) -> tuple[str, ...]:
    """Read once per offset: every zone's clock is ~30 ms, and autocomplete asks per keystroke."""
    return tuple(
        name for name in _ranked_names() if any(p.astimezone(ZoneInfo(name)).utcoffset() == offset for p in _PROBES)
    )


def _alias(key: str) -> str | None:
    return TIMEZONE_ALIASES.get(key) or TIMEZONE_ALIASES.get(key.replace("_", " "))


#: Two instants a year to read each zone's abbreviations and offsets (winter and summer).
_PROBES = (datetime(2026, 1, 15, tzinfo=UTC), datetime(2026, 7, 15, tzinfo=UTC))


@cache
def _abbreviation_index() -> dict[str, tuple[tuple[str, ...], ...]]:
    """Lower-cased abbreviation ("cst") -> the clocks that use it, each as its zone names.

    A clock is a pair of winter and summer offsets: ``CST`` is four clocks (Chicago, Mexico
    City, Shanghai, Havana), each with many names. Names are ranked common first. Numeric
    abbreviations ("+09") are left out.
    """
    index: dict[str, dict[tuple[timedelta | None, ...], list[str]]] = {}
    for name in _ranked_names():
        zone = ZoneInfo(name)
        moments = [probe.astimezone(zone) for probe in _PROBES]
        clock = tuple(moment.utcoffset() for moment in moments)
        for abbreviation in {moment.tzname() or "" for moment in moments}:
            if abbreviation.isalpha():
                index.setdefault(abbreviation.lower(), {}).setdefault(clock, []).append(name)
    return {key: tuple(tuple(names) for names in clocks.values()) for key, clocks in index.items()}


def zones_with_abbreviation(text: str, limit: int = 4) -> list[str]:
    """Places that write their time as `text` (``IST``), common first; [] if none.

    One name per clock when several clocks share the abbreviation, else a few names of the
    one clock, so the list always holds real choices.
    """
    clocks = _abbreviation_index().get(text.strip().lower(), ())
    if len(clocks) == 1:
        return list(clocks[0][:limit])
    return [names[0] for names in clocks[:limit]]


def _unknown_timezone_message(text: str) -> Text:
    users = zones_with_abbreviation(text)
    shared = len(_abbreviation_index().get(text.strip().lower(), ())) > 1
    if shared:
        return _(
            "{text} is an abbreviation that places with different clocks share, so I won't guess. "
            "Pick your place: {places} (or give an offset like UTC+9).",
            text=repr(text),
            places=", ".join(users),
        )
    if users:
        return _(
            "{text} is an abbreviation, not a timezone name. "
            "Use the name of your place: {places} (or give an offset like UTC+9).",
            text=repr(text),
            places=", ".join(users),
        )
    guesses = closest_timezones(text)
    if guesses:
        return _(
            "Unknown timezone {text}. Did you mean {places}? "
            "Use an IANA name like Asia/Seoul or America/New_York, or an offset like UTC+9.",
            text=repr(text),
            places=", ".join(guesses),
        )
    return _(
        "Unknown timezone {text}. Use an IANA name like Asia/Seoul or America/New_York, or an offset like UTC+9.",
        text=repr(text),
    )


def closest_timezones(text: str, limit: int = 3, *, score_cutoff: float = 0) -> list[str]:
    """The few zone names nearest to a mistyped one."""
    matches = process.extract(
        text.replace(" ", "_"),
        _choice_names(),
        scorer=fuzz.WRatio,
        limit=limit,
        score_cutoff=score_cutoff,
    )
    return [name for name, _score, _index in matches]


def timezone_choices(query: str, limit: int = 25) -> list[str]:
    """Autocomplete: Asia/Seoul and the common zones first, then names matching `query`."""
    needle = query.strip().lower().replace(" ", "_")
    if not needle:
        return list(COMMON_TIMEZONES[:limit])
    picked: list[str] = []
    alias = _alias(needle)
    if alias:
        picked.append(alias)
    picked += zones_with_abbreviation(needle, limit=10)
    if offset := _OFFSET.match(needle):
        picked.append(query.strip().upper()[:100])
        picked += zones_with_offset(_offset_of(offset), limit=10)
    picked += [n for n in _ranked_names() if _matches_start(n, needle)]
    picked += [n for n in _ranked_names() if needle in n.lower()]
    if len(set(picked)) < limit:
        picked += closest_timezones(needle, limit, score_cutoff=60)
    return _unique(picked)[:limit]


def _offset_of(match: re.Match[str]) -> timedelta:
    sign = 1 if match["sign"] == "+" else -1
    return sign * timedelta(hours=int(match["hours"]), minutes=int(match["minutes"] or 0))


def _matches_start(name: str, needle: str) -> bool:
    lowered = name.lower()
    return lowered.startswith(needle) or lowered.rsplit("/", 1)[-1].startswith(needle)


def _unique(names: list[str]) -> list[str]:
    return [n for n in dict.fromkeys(names) if len(n) <= 100]


# -- setup --------------------------------------------------------------------------------


def parse_setup(
    *,
    guild_id: int,
    channel_id: int,
    time_text: str,
    timezone_text: str,
    ping_role_id: int | None = None,
    thread: bool = True,
    include_mature: bool = False,
    catch_up_hours: int | None = None,
    server_entries: bool = True,
) -> StorylineConfig:
    """Validate every `/storyline setup` option at once; nothing is saved if this raises."""
    local_time = parse_local_time(time_text)
    tz = resolve_timezone(timezone_text)
    hours = DEFAULT_CATCH_UP_HOURS if catch_up_hours is None else catch_up_hours
    if not 0 <= hours <= MAX_CATCH_UP_HOURS:
        raise UserError(
            # TRANSLATORS: catch_up_hours is the /storyline setup option (use its name in your language).
            _(
                "catch_up_hours must be between 0 and {most} (you gave {hours}): "
                "it is how long after the scheduled time a post may still go out after downtime.",
                most=Number(MAX_CATCH_UP_HOURS),
                hours=Number(hours),
            )
        )
    return StorylineConfig(
        guild_id=guild_id,
        channel_id=channel_id,
        local_time=local_time,
        timezone=tz.key,
        ping_role_id=ping_role_id,
        thread=thread,
        include_mature=include_mature,
        catch_up_hours=hours,
        server_entries=server_entries,
    )
