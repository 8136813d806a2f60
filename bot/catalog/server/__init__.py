"""Each server's own catalog on top of the built-in one (no Discord here).

- :mod:`~bot.catalog.server.entries` — validation (the catalog's validator), JSON, ids ``s-N``
- :mod:`~bot.catalog.server.store` — :class:`ServerCatalogStore`: settings, suggest → review,
  entries, history; the limits
- :mod:`~bot.catalog.server.view` — :class:`GuildCatalog`: built-in + one guild's entries,
  queried like :class:`~bot.catalog.Catalog`
- :mod:`~bot.catalog.server.catalogs` — :class:`GuildCatalogs`: views per guild, lazily
"""

from bot.catalog.server.catalogs import GuildCatalogs
from bot.catalog.server.entries import (
    SERVER_ID_PREFIX,
    EntryKeys,
    entry_fields,
    is_server_id,
    server_entry_id,
    server_mv_id,
    validate_server_entry,
)
from bot.catalog.server.store import (
    DEFAULT_COOLDOWN,
    MAX_ENTRIES,
    MAX_PENDING_PER_MEMBER,
    CurationSettings,
    HistoryAction,
    HistoryRecord,
    ServerCatalogStore,
    ServerEntry,
    Suggestion,
    SuggestionPage,
    SuggestionStatus,
)
from bot.catalog.server.view import GuildCatalog

__all__ = [
    "DEFAULT_COOLDOWN",
    "MAX_ENTRIES",
    "MAX_PENDING_PER_MEMBER",
    "SERVER_ID_PREFIX",
    "CurationSettings",
    "EntryKeys",
    "GuildCatalog",
    "GuildCatalogs",
    "HistoryAction",
    "HistoryRecord",
    "ServerCatalogStore",
    "ServerEntry",
    "Suggestion",
    "SuggestionPage",
    "SuggestionStatus",
    "entry_fields",
    "is_server_id",
    "server_entry_id",
    "server_mv_id",
    "validate_server_entry",
]
