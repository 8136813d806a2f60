"""The MV catalog: the model, loading + validation of ``data/mvs.toml``, and search.

Read once at start, validated strictly (a mistake in the hand-edited file stops the bot
with a message naming the entry and the field) and indexed in memory so Discord
autocomplete answers in about a millisecond. No Discord import anywhere in this package.

- :mod:`~bot.catalog.model` — THEMES, WARNINGS (and their translated labels), :class:`MV`,
  :class:`CatalogError`
- :mod:`~bot.catalog.problems` — :class:`Problem`: what is wrong with an entry, translatable
- :mod:`~bot.catalog.text` — normalisation ("Rosé" = "rose", "FRI(END)S" = "friends")
- :mod:`~bot.catalog.validation` — TOML → MVs, every problem by entry and field
- :mod:`~bot.catalog.index` — ranked search tiers (exact > prefix > words > fuzzy)
- :mod:`~bot.catalog.lookup` — :class:`Catalog`, :func:`parse_catalog`, :func:`load_catalog`
- :mod:`~bot.catalog.packs` — a server's entries as TOML or CSV files: export, import dry run
- ``python -m bot.catalog check [FILE]`` — validate and summarise a catalog file
"""

from bot.catalog.lookup import Catalog, load_catalog, parse_catalog
from bot.catalog.model import (
    MV,
    THEME_LABELS,
    THEMES,
    WARNING_LABELS,
    WARNINGS,
    CastMember,
    CatalogError,
    theme_label,
    warning_label,
)
from bot.catalog.problems import Problem
from bot.catalog.text import normalize

__all__ = [
    "MV",
    "THEMES",
    "THEME_LABELS",
    "WARNINGS",
    "WARNING_LABELS",
    "CastMember",
    "Catalog",
    "CatalogError",
    "Problem",
    "load_catalog",
    "normalize",
    "parse_catalog",
    "theme_label",
    "warning_label",
]
