"""Helpers for tests that run on both engines."""

from __future__ import annotations

import sqlite3

import asyncpg

from bot.db import Database, SqliteDatabase
from bot.db.postgres import PostgresDatabase

#: What a broken unique key or CHECK raises, whichever engine runs.
INTEGRITY_ERRORS = (sqlite3.IntegrityError, asyncpg.IntegrityConstraintViolationError)


async def reconnect(database: Database) -> Database:
    """A second, independent connection to the same data: another process, or a restart."""
    other: Database
    if isinstance(database, PostgresDatabase):
        other = PostgresDatabase(database.url, migrations_dir=database.migrations_dir)
    else:
        assert isinstance(database, SqliteDatabase)
        other = SqliteDatabase(database.path, migrations_dir=database.migrations_dir)
    await other.connect()
    await other.migrate()
    return other


async def table_columns(database: Database, table: str) -> list[str]:
    if database.engine == "sqlite":
        return [row["name"] for row in await database.fetchall(f"PRAGMA table_info({table})")]
    rows = await database.fetchall(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
        " AND table_name = ? ORDER BY ordinal_position",
        (table,),
    )
    return [row[0] for row in rows]


async def index_leading_columns(database: Database, table: str) -> dict[str, str]:
    """Index name → its first column, for every index on `table` except a lone row-id key
    (SQLite's INTEGER PRIMARY KEY is the table itself; PostgreSQL's identity key is an index)."""
    if database.engine == "sqlite":
        found = {}
        for index in await database.fetchall(f"PRAGMA index_list({table})"):
            first = (await database.fetchall(f"PRAGMA index_info({index['name']})"))[0]["name"]
            found[index["name"]] = first
        return found
    rows = await database.fetchall(
        "SELECT i.relname, a.attname, x.indnatts, a.attidentity FROM pg_index x"
        " JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid"
        " JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0]"
        " WHERE t.relname = ?",
        (table,),
    )
    return {row[0]: row[1] for row in rows if not (row[2] == 1 and row[3] != "")}


async def table_names(database: Database) -> set[str]:
    return set(await database.tables())
