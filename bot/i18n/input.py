"""Durations and times typed in any of Lightstick's languages, rewritten into the English
forms the parsers read (``3일`` → ``3d``, ``오후 9시`` → ``9pm``, ``mañana 20:00`` →
``tomorrow 20:00``).

Every language is accepted whatever the member's own: a Korean server's English-speaking
member may well type ``2시간``. What can't be read still reaches the parser unchanged and
gets its clear error.
"""

from __future__ import annotations

import re

#: Unit words -> the English unit letter. Longest words are tried first.
_UNITS: dict[str, str] = {
    # Korean
    "주일": "w", "주": "w", "일": "d", "시간": "h", "분": "m",
    # Japanese
    "週間": "w", "週": "w", "日間": "d", "日": "d", "時間": "h", "分間": "m", "分": "m",
    # Spanish and Portuguese
    "semanas": "w", "semana": "w", "días": "d", "día": "d", "dias": "d", "dia": "d",
    "horas": "h", "hora": "h", "minutos": "m", "minuto": "m",
    # Indonesian
    "minggu": "w", "hari": "d", "jam": "h", "menit": "m",
    # Thai
    "สัปดาห์": "w", "วัน": "d", "ชั่วโมง": "h", "ชม.": "h", "ชม": "h", "นาที": "m",
    # Vietnamese
    "tuần": "w", "ngày": "d", "giờ": "h", "tiếng": "h", "phút": "m",
}  # fmt: skip
_UNIT_WORDS = "|".join(re.escape(word) for word in sorted(_UNITS, key=len, reverse=True))
_AMOUNT_UNIT = re.compile(rf"(\d+)\s*({_UNIT_WORDS})(?![a-z])", re.IGNORECASE)
#: Words between the parts of a duration: `1 dia e 12 horas`, `2 jam dan 30 menit`.
_JOINERS = re.compile(r"(?<=[a-z])\s*(?:,|\by\b|\be\b|\bdan\b|\bvà\b|และ)\s*(?=\d)", re.IGNORECASE)


def localized_duration(text: str) -> str:
    """`text` with unit words of any supported language as English units: `1 dia e 12 horas` → `1d 12h`."""
    rewritten = _AMOUNT_UNIT.sub(lambda match: f"{match[1]}{_UNITS[match[2].lower()]} ", text)
    return " ".join(_JOINERS.sub(" ", rewritten).split())


# -- times of day ------------------------------------------------------------------------------

_HALF_HOUR = {"반": "30", "半": "30"}
#: Morning/afternoon words that come before the hour (Korean, Japanese) or after it.
_PM_WORDS = ("오후", "저녁", "밤", "午後", "夜", "de la tarde", "de la noche", "da tarde", "da noite",
             "sore", "malam", "tối", "chiều")  # fmt: skip
_AM_WORDS = ("오전", "아침", "새벽", "午前", "朝", "de la mañana", "da manhã", "pagi", "sáng")
_KO_JA_CLOCK = re.compile(
    r"^(?P<before>오전|오후|저녁|밤|아침|새벽|午前|午後|夜|朝)?\s*(?P<hour>\d{1,2})\s*(?:시|時)\s*"
    r"(?:(?P<minute>\d{1,2})\s*(?:분|分)|(?P<half>반|半))?\s*(?P<after>오전|오후)?$"
)
#: `21h`, `21h30`, `21 h 30` (French-style clocks common in Spanish and Portuguese).
_H_CLOCK = re.compile(r"^(?P<hour>\d{1,2})\s*h\s*(?P<minute>\d{2})?$", re.IGNORECASE)
#: `21.00`, `pukul 21.00`, `21.00 น.`, `21 giờ 30`, `9 giờ tối`.
_DOTTED_CLOCK = re.compile(r"^(?:pukul|jam|lúc|เวลา)?\s*(?P<hour>\d{1,2})[.:](?P<minute>\d{2})\s*(?:น\.?|wib)?$")
_GIO_CLOCK = re.compile(r"^(?P<hour>\d{1,2})\s*giờ\s*(?P<minute>\d{1,2})?\s*(?:phút)?\s*(?P<part>sáng|chiều|tối)?$")


def localized_time(text: str) -> str:
    """A time of day from any supported language as `21:00` or `9pm`; other text unchanged."""
    cleaned = " ".join(text.strip().lower().split())
    if match := _KO_JA_CLOCK.match(cleaned):
        minute = match["minute"] or _HALF_HOUR.get(match["half"] or "", "00")
        part = match["before"] or match["after"]
        return _clock(int(match["hour"]), int(minute), part)
    if match := _H_CLOCK.match(cleaned):
        return f"{int(match['hour']):02d}:{match['minute'] or '00'}"
    if match := _DOTTED_CLOCK.match(cleaned):
        return f"{int(match['hour']):02d}:{match['minute']}"
    if match := _GIO_CLOCK.match(cleaned):
        return _clock(int(match["hour"]), int(match["minute"] or 0), match["part"])
    for words, half in ((_PM_WORDS, "pm"), (_AM_WORDS, "am")):
        for word in words:
            if cleaned.endswith(" " + word) and cleaned[: -len(word)].strip().isdigit():
                return f"{int(cleaned[: -len(word)])}{half}"
    return text


def _clock(hour: int, minute: int, part: str | None) -> str:
    """`9:00pm` when a morning/evening word came with the hour (so `오후 13시` stays contradictory
    and the parser refuses it), else `21:00`."""
    if part in _AM_WORDS and hour == 0:  # `오전 0시`: midnight, as Korean clocks say it
        return f"00:{minute:02d}"
    if part in _PM_WORDS:
        return f"{hour}:{minute:02d}pm"
    if part in _AM_WORDS:
        return f"{hour}:{minute:02d}am"
    return f"{hour:02d}:{minute:02d}"


# -- when a poll starts ------------------------------------------------------------------------

#: Words for today/tomorrow, as the start of `start:`.
_DAY_WORDS: dict[str, str] = {
    "오늘": "today", "내일": "tomorrow", "今日": "today", "明日": "tomorrow", "あした": "tomorrow",
    "hoy": "today", "mañana": "tomorrow", "hoje": "today", "amanhã": "tomorrow",
    "hari ini": "today", "besok": "tomorrow", "วันนี้": "today", "พรุ่งนี้": "tomorrow",
    "hôm nay": "today", "ngày mai": "tomorrow",
}  # fmt: skip
_IN_PREFIX = re.compile(r"^(?:en|em|dalam|trong|อีก|sau)\s+", re.IGNORECASE)
_IN_SUFFIX = re.compile(r"\s*(?:후|뒤|後|あと|nữa|ข้างหน้า)$")


def localized_start(text: str) -> str:
    """A `start:` from any supported language in the English forms: `내일 오후 8시` → `tomorrow 8:00pm`."""
    cleaned = " ".join(text.strip().split())
    lowered = cleaned.lower()
    for word in sorted(_DAY_WORDS, key=len, reverse=True):
        if lowered.startswith(word + " ") or (lowered.startswith(word) and not word.isascii()):
            rest = cleaned[len(word) :].strip()
            return f"{_DAY_WORDS[word]} {localized_time(rest)}".strip()
    relative = _IN_SUFFIX.sub("", _IN_PREFIX.sub("", lowered))
    if relative != lowered:
        return f"in {localized_duration(relative)}"
    return cleaned
