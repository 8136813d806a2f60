"""The catalog's vocabulary: the controlled lists, the MV record and the catalog error."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote_plus

from bot.catalog.text import matching_key
from bot.i18n import Msg, Text, _
from bot.text import truncate

THEMES: frozenset[str] = frozenset(
    {
        "sci-fi", "dystopia", "fantasy", "superpowers", "noir", "crime", "heist", "western",
        "action", "romance", "friendship", "love-triangle", "tragedy", "comedy",
        "coming-of-age", "revenge", "drama", "youth", "breakup", "nostalgia", "self-love",
        "empowerment", "party", "retro", "horror", "mystery", "performance",
    }
)  # fmt: skip
WARNINGS: frozenset[str] = frozenset(
    {
        "violence", "death", "suicide", "self-harm", "domestic-abuse", "drugs", "blood",
        "guns", "car-crash", "kidnapping", "illness", "fire", "mental-health", "alcohol",
    }
)  # fmt: skip

#: Themes and content warnings as people read them. The keys above are what the catalog
#: stores, filters compare and members type; these labels are what cards and lists show.
THEME_LABELS: dict[str, Msg] = {
    # TRANSLATORS: an MV theme (a genre or mood), shown on cards and in lists
    "sci-fi": _("sci-fi"),
    # TRANSLATORS: an MV theme (a genre or mood), shown on cards and in lists
    "dystopia": _("dystopia"),
    # TRANSLATORS: an MV theme (a genre or mood), shown on cards and in lists
    "fantasy": _("fantasy"),
    # TRANSLATORS: an MV theme (a genre or mood), shown on cards and in lists
    "superpowers": _("superpowers"),
    # TRANSLATORS: an MV theme (a genre or mood), shown on cards and in lists
    "noir": _("noir"),
    # TRANSLATORS: an MV theme (a genre or mood), shown on cards and in lists
    "crime": _("crime"),
    # TRANSLATORS: an MV theme (a genre or mood), shown on cards and in lists
    "heist": _("heist"),
    # TRANSLATORS: an MV theme (a genre or mood), shown on cards and in lists
    "western": _("western"),
    # TRANSLATORS: an MV theme (a genre or mood), shown on cards and in lists
    "action": _("action"),
    # TRANSLATORS: an MV theme (a genre or mood), shown on cards and in lists
    "romance": _("romance"),
    # TRANSLATORS: an MV theme (a genre or mood), shown on cards and in lists
    "friendship": _("friendship"),
    # TRANSLATORS: an MV theme (a genre or mood), shown on cards and in lists
    "love-triangle": _("love-triangle"),
    # TRANSLATORS: an MV theme (a genre or mood), shown on cards and in lists
    "tragedy": _("tragedy"),
    # TRANSLATORS: an MV theme (a genre or mood), shown on cards and in lists
    "comedy": _("comedy"),
    # TRANSLATORS: an MV theme (a genre or mood), shown on cards and in lists
    "coming-of-age": _("coming-of-age"),
    # TRANSLATORS: an MV theme (a genre or mood), shown on cards and in lists
    "revenge": _("revenge"),
    # TRANSLATORS: an MV theme (a genre or mood), shown on cards and in lists
    "drama": _("drama"),
    # TRANSLATORS: an MV theme (a genre or mood), shown on cards and in lists
    "youth": _("youth"),
    # TRANSLATORS: an MV theme (a genre or mood), shown on cards and in lists
    "breakup": _("breakup"),
    # TRANSLATORS: an MV theme (a genre or mood), shown on cards and in lists
    "nostalgia": _("nostalgia"),
    # TRANSLATORS: an MV theme (a genre or mood), shown on cards and in lists
    "self-love": _("self-love"),
    # TRANSLATORS: an MV theme (a genre or mood), shown on cards and in lists
    "empowerment": _("empowerment"),
    # TRANSLATORS: an MV theme (a genre or mood), shown on cards and in lists
    "party": _("party"),
    # TRANSLATORS: an MV theme (a genre or mood), shown on cards and in lists
    "retro": _("retro"),
    # TRANSLATORS: an MV theme (a genre or mood), shown on cards and in lists
    "horror": _("horror"),
    # TRANSLATORS: an MV theme (a genre or mood), shown on cards and in lists
    "mystery": _("mystery"),
    # TRANSLATORS: an MV theme (a genre or mood), shown on cards and in lists
    "performance": _("performance"),
}
WARNING_LABELS: dict[str, Msg] = {
    # TRANSLATORS: a content warning on an MV card
    "violence": _("violence"),
    # TRANSLATORS: a content warning on an MV card
    "death": _("death"),
    # TRANSLATORS: a content warning on an MV card
    "suicide": _("suicide"),
    # TRANSLATORS: a content warning on an MV card
    "self-harm": _("self-harm"),
    # TRANSLATORS: a content warning on an MV card
    "domestic-abuse": _("domestic-abuse"),
    # TRANSLATORS: a content warning on an MV card
    "drugs": _("drugs"),
    # TRANSLATORS: a content warning on an MV card
    "blood": _("blood"),
    # TRANSLATORS: a content warning on an MV card
    "guns": _("guns"),
    # TRANSLATORS: a content warning on an MV card
    "car-crash": _("car-crash"),
    # TRANSLATORS: a content warning on an MV card
    "kidnapping": _("kidnapping"),
    # TRANSLATORS: a content warning on an MV card
    "illness": _("illness"),
    # TRANSLATORS: a content warning on an MV card
    "fire": _("fire"),
    # TRANSLATORS: a content warning on an MV card
    "mental-health": _("mental-health"),
    # TRANSLATORS: a content warning on an MV card
    "alcohol": _("alcohol"),
}


def theme_label(theme: str) -> Text:
    """A theme as the reader's language names it (an unknown key as it is)."""
    return THEME_LABELS.get(theme, theme)


def warning_label(warning: str) -> Text:
    """A content warning as the reader's language names it (an unknown key as it is)."""
    return WARNING_LABELS.get(warning, warning)


DISPLAY_NAME_LIMIT = 100  # Discord: autocomplete choice names and select option labels
YOUTUBE_SEARCH_URL = "https://www.youtube.com/results?search_query="
CATALOG_ORIGIN = "catalog"
SERVER_ORIGIN = "server"


class CatalogError(Exception):
    """The catalog cannot be used; the message names the entry (id or ``#N``) and the field.

    ``problems`` holds every problem found, one line each, for tools that list them.
    """

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems: tuple[str, ...] = tuple(problems) or (message,)


@dataclass(frozen=True, slots=True)
class CastMember:
    name: str
    role: str | None


@dataclass(frozen=True, slots=True)
class MV:
    id: str
    title: str
    title_ko: str | None
    artist: str
    group: str | None
    year: int
    release_date: date | None
    album: str | None
    cast: tuple[CastMember, ...]
    themes: tuple[str, ...]
    universe: str | None
    universe_order: int | None
    storyline: str | None
    twist: str | None
    content_warnings: tuple[str, ...]
    mature: bool
    aliases: tuple[str, ...]
    sources: tuple[str, ...]
    youtube_url: str | None
    #: ``catalog`` (data/mvs.toml) or ``server`` (one server's own entry, id ``s-N``).
    origin: str = CATALOG_ORIGIN
    #: A server entry's member who suggested it and curator who approved it (user ids).
    suggested_by: int | None = None
    approved_by: int | None = None

    @property
    def from_server(self) -> bool:
        """A server's own entry ("added by this server" on its card)."""
        return self.origin == SERVER_ORIGIN

    @property
    def display_name(self) -> str:
        """``Title — Artist (year)`` within Discord's 100 characters; the title gives way."""
        suffix = f" — {self.artist} ({self.year})"
        full = self.title + suffix
        if len(full) <= DISPLAY_NAME_LIMIT:
            return full
        room = DISPLAY_NAME_LIMIT - len(suffix)
        if room >= 20:
            return truncate(self.title, room) + suffix
        return truncate(full, DISPLAY_NAME_LIMIT)

    @property
    def credit(self) -> str:
        """The act, with its group when it is a member's solo work: ``ROSÉ (BLACKPINK)``."""
        if self.group and matching_key(self.group) != matching_key(self.artist):
            return f"{self.artist} ({self.group})"
        return self.artist

    @property
    def youtube_link(self) -> str:
        """The verified video, or a YouTube search that finds it (never a guessed video id)."""
        if self.youtube_url:
            return self.youtube_url
        return YOUTUBE_SEARCH_URL + quote_plus(f"{self.artist} {self.title} MV")


def release_order(mv: MV) -> tuple[int, bool, date, str, str]:
    """Sort key for release order: year, day (undated entries after dated ones), title, id."""
    day = mv.release_date or date(mv.year, 12, 31)
    return (mv.year, mv.release_date is None, day, matching_key(mv.title), mv.id)
