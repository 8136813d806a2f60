"""The MV catalog: the model, loading + validation of ``data/mvs.toml``, and search.

Read once at start, validated strictly (a mistake in the hand-edited file stops the bot
with a message naming the entry and the field) and indexed in memory so Discord
autocomplete answers in about a millisecond. No Discord import anywhere in this package.

- :mod:`~bot.catalog.model` — THEMES, WARNINGS, :class:`MV`, :class:`CatalogError`
- :mod:`~bot.catalog.text` — normalisation ("Rosé" = "rose", "FRI(END)S" = "friends")
- :mod:`~bot.catalog.validation` — TOML → MVs, every problem by entry and field
- :mod:`~bot.catalog.index` — ranked search tiers (exact > prefix > words > fuzzy)
- :mod:`~bot.catalog.lookup` — :class:`Catalog`, :func:`parse_catalog`, :func:`load_catalog`
- :mod:`~bot.catalog.packs` — a server's entries as TOML or CSV files: export, import dry run
- ``python -m bot.catalog check [FILE]`` — validate and summarise a catalog file
"""

from bot.catalog.lookup import Catalog, load_catalog, parse_catalog
from bot.catalog.model import MV, THEMES, WARNINGS, CastMember, CatalogError
from bot.catalog.text import normalize

__all__ = [
    "MV",
    "THEMES",
    "WARNINGS",
    "CastMember",
    "Catalog",
    "CatalogError",
    "load_catalog",
    "normalize",
    "parse_catalog",
]
