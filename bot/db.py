"""The database: one aiosqlite connection, one writer, migrations by ``PRAGMA user_version``.

Every write goes through :meth:`Database.transaction`, which holds an ``asyncio.Lock`` and
opens ``BEGIN IMMEDIATE``; coroutines never interleave inside one transaction, and an
exception rolls the whole transaction back.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite

from bot.paths import MIGRATIONS_DIR

log = logging.getLogger(__name__)

_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class DatabaseError(Exception):
    """The database cannot be used as it is; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]


def split_statements(script: str) -> list[str]:
    """Split a SQL script into complete statements (triggers with inner ``;`` stay whole)."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statement = buffer.strip()
            if statement.strip(";").strip():
                statements.append(statement)
            buffer = ""
    if buffer.strip() and not _is_only_comments(buffer):
        raise DatabaseError(f"incomplete SQL statement at the end of a migration: {buffer.strip()[:80]!r}")
    return statements


def _is_only_comments(text: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in text.splitlines())


def load_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Read ``NNNN_name.sql`` files in order; versions must run 1, 2, 3… without gaps."""
    migrations = []
    for path in sorted(directory.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if not match:
            raise DatabaseError(f"migration file {path.name} is not named NNNN_name.sql")
        migrations.append(Migration(int(match.group(1)), path.stem, tuple(split_statements(path.read_text("utf-8")))))
    for expected, migration in enumerate(migrations, start=1):
        if migration.version != expected:
            raise DatabaseError(f"migration {migration.name} should be numbered {expected:04d}")
    return migrations


class Database:
    """One connection shared by the whole bot. Reads may run at any time; writes take the lock."""

    def __init__(self, path: Path | str, *, migrations_dir: Path = MIGRATIONS_DIR) -> None:
        self.path = Path(path)
        self.migrations_dir = migrations_dir
        self._conn: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()

    @property
    def conn(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise DatabaseError("the database is not open")
        return self._conn

    async def connect(self) -> None:
        if self.path.parent and str(self.path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we issue BEGIN/COMMIT ourselves.
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        conn.row_factory = aiosqlite.Row
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute("PRAGMA busy_timeout=5000")
        await conn.execute("PRAGMA synchronous=NORMAL")
        self._conn = conn

    async def close(self) -> None:
        if self._conn is None:
            return
        async with self._write_lock:
            await self._conn.close()
            self._conn = None

    async def __aenter__(self) -> Database:
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- writes -------------------------------------------------------------------------

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """``BEGIN IMMEDIATE`` under the writer lock; commit on success, roll back on error."""
        async with self._write_lock:
            conn = self.conn
            await conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                await conn.rollback()
                raise
            else:
                await conn.commit()

    # -- reads --------------------------------------------------------------------------

    async def fetchall(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        """One round trip to the database thread (a cursor costs three; autocomplete reads here)."""
        return list(await self.conn.execute_fetchall(sql, params))

    async def fetchone(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Row | None:
        async with self.conn.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def fetchval(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    # -- schema -------------------------------------------------------------------------

    async def user_version(self) -> int:
        return int(await self.fetchval("PRAGMA user_version"))

    async def migrate(self, migrations: Iterable[Migration] | None = None) -> int:
        """Apply every migration newer than the database, each in its own transaction.

        ``executescript`` would commit before running, so statements run one by one inside
        ``BEGIN IMMEDIATE``: a failing migration leaves the previous version intact.
        Returns the resulting version.
        """
        pending = list(migrations) if migrations is not None else load_migrations(self.migrations_dir)
        latest = pending[-1].version if pending else 0
        current = await self.user_version()
        if current > latest:
            raise DatabaseError(
                f"the database {self.path} is at schema version {current}, newer than this "
                f"Lightstick knows ({latest}); update Lightstick or point DATABASE_PATH at another file"
            )
        for migration in pending:
            if migration.version <= current:
                continue
            log.info("applying migration %s", migration.name)
            try:
                async with self.transaction() as conn:
                    for statement in migration.statements:
                        await conn.execute(statement)
                    await conn.execute(f"PRAGMA user_version = {migration.version:d}")
            except sqlite3.Error as exc:
                raise DatabaseError(f"migration {migration.name} failed: {exc}") from exc
            current = migration.version
        return current
