"""The catalog's vocabulary: the controlled lists, the MV record and the catalog error."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote_plus

from bot.catalog.text import matching_key
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
