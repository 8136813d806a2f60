"""The database layer: one interface (:class:`Database`), two engines.

SQLite is the embedded default; PostgreSQL (``DATABASE_URL=postgresql://…``) is the shared
store for deployments with more than one process. Stores and the domain see only
:class:`Database`, :class:`Transaction` and :class:`Row`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.db.base import Database, Params, Queryable, Row, Transaction
from bot.db.errors import DatabaseError
from bot.db.migrations import Migration, load_migrations, split_statements
from bot.db.sqlite import SqliteDatabase, check_sqlite_file

if TYPE_CHECKING:
    from bot.config import Settings

__all__ = [
    "Database",
    "DatabaseError",
    "Migration",
    "Params",
    "Queryable",
    "Row",
    "SqliteDatabase",
    "Transaction",
    "check_sqlite_file",
    "database_for",
    "load_migrations",
    "split_statements",
]


def database_for(settings: Settings, *, pool_size: int = 10) -> Database:
    """The engine the settings name: PostgreSQL for a ``postgresql://`` URL, SQLite otherwise."""
    if settings.database_url:
        from bot.db.postgres import PostgresDatabase

        return PostgresDatabase(settings.database_url, max_size=pool_size)
    return SqliteDatabase(settings.database_path)
