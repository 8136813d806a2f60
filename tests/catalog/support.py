"""Helpers for the server-catalog tests: a small built-in catalog and entry fields."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.catalog import Catalog, parse_catalog

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
GUILD = 1
OTHER_GUILD = 2
MEMBER = 100
CURATOR = 900
REVIEW_CHANNEL = 5000

BUILTIN_TOML = """
[[mv]]
id = "vixx-error"
title = "Error"
artist = "VIXX"
year = 2014
release_date = "2014-10-14"
themes = ["sci-fi"]
storyline = "A cyborg learns what it is to feel while a city watches."
sources = ["001_2e998955988a0f92.txt"]
youtube_url = "https://www.youtube.com/watch?v=AAAAAAAAAAA"

[[mv]]
id = "exo-mama"
title = "MAMA"
artist = "EXO"
year = 2012
themes = ["superpowers", "fantasy"]
universe = "EXO Superpowers"
universe_order = 1
storyline = "Twelve boys learn they carry the powers of a lost world."
sources = ["001_2e998955988a0f92.txt"]

[[mv]]
id = "exo-wolf"
title = "Wolf"
artist = "EXO"
year = 2013
themes = ["superpowers"]
universe = "EXO Superpowers"
universe_order = 3
sources = ["001_2e998955988a0f92.txt"]

[[mv]]
id = "bts-run"
title = "RUN"
artist = "BTS"
year = 2015
themes = ["youth", "friendship"]
aliases = ["Run BTS MV"]
storyline = "Friends race through one reckless summer."
sources = ["001_2e998955988a0f92.txt"]
"""


def builtin() -> Catalog:
    return parse_catalog(BUILTIN_TOML)


def fields(title: str = "Moonlight Road", artist: str = "Haneul", **extra: Any) -> dict[str, Any]:
    """A member's minimal entry: title, artist and a year (extras override or add)."""
    values: dict[str, Any] = {"title": title, "artist": artist, "year": 2023}
    values.update(extra)
    return values
