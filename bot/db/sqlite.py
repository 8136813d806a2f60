"""SQLite, the embedded default: one aiosqlite connection, one writer.

Every write goes through :meth:`SqliteDatabase.transaction`, which holds an ``asyncio.Lock``
and opens ``BEGIN IMMEDIATE``: SQLite has one writer, so coroutines never interleave inside
one transaction, and another process on the same file waits (``busy_timeout``). The schema
version is ``PRAGMA user_version``.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from bot.db.base import Database, Params, Reads, Row, Transaction
from bot.db.errors import DatabaseError
from bot.paths import MIGRATIONS_DIR

SQLITE_HEADER = b"SQLite format 3\x00"


def check_sqlite_file(path: Path, *, setting: str = "DATABASE_PATH") -> None:
    """Refuse, without touching it, a file that isn't a SQLite database or a folder we can't make."""
    if str(path) == ":memory:":
        return
    if path.exists():
        if path.is_dir():
            raise DatabaseError(f"{setting} points at a folder ({path}): give a file path such as data/lightstick.db.")
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
        if head and head != SQLITE_HEADER:
            raise DatabaseError(
                f"{setting} points at {path}, which is not a SQLite database: move that file away "
                f"or set {setting} to another file (Lightstick creates a new one)."
            )
        return
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseError(
            f"{setting}: cannot create the folder {folder} for the database ({exc.strerror or exc}); "
            f"choose a path in a folder Lightstick may write to."
        ) from exc


class _SqliteTransaction(Reads):
    """The connection while ``BEGIN IMMEDIATE`` holds SQLite's single write lock."""

    #: BEGIN IMMEDIATE already keeps every other writer out until commit.
    row_lock = ""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> int:
        cursor = await self._conn.execute(sql, params)
        return cursor.rowcount

    async def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        await self._conn.executemany(sql, rows)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        # One round trip to the database thread; a cursor would cost three.
        return list(await self._conn.execute_fetchall(sql, params))

    async def advisory_lock(self, key: int) -> None:
        """Nothing to do: the transaction holds the database's only write lock already."""

    async def insert_rows(
        self, table: str, columns: Sequence[str], rows: Sequence[Params], *, skip_existing: bool = False
    ) -> None:
        marks = ", ".join("?" for _ in columns)
        conflict = " ON CONFLICT DO NOTHING" if skip_existing else ""
        await self.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}){conflict}", rows)

    async def delete_rows(self, table: str, columns: Sequence[str], keys: Sequence[Params]) -> None:
        match = " AND ".join(f"{column} = ?" for column in columns)
        await self.executemany(f"DELETE FROM {table} WHERE {match}", keys)


class SqliteDatabase(Database):
    """One connection shared by the whole bot. Reads may run at any time; writes take the lock."""

    engine = "sqlite"

    def __init__(self, path: Path | str, *, migrations_dir: Path = MIGRATIONS_DIR) -> None:
        super().__init__(migrations_dir=migrations_dir)
        self.path = Path(path)
        self._conn: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()
        self._turns: dict[int, asyncio.Lock] = {}

    @property
    def label(self) -> str:
        return str(self.path)

    @property
    def conn(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise DatabaseError("the database is not open")
        return self._conn

    async def connect(self) -> None:
        check_sqlite_file(self.path)
        # isolation_level=None: we issue BEGIN/COMMIT ourselves.
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        conn.row_factory = aiosqlite.Row
        try:
            await conn.execute("PRAGMA journal_mode=WAL")
            await conn.execute("PRAGMA foreign_keys=ON")
            await conn.execute("PRAGMA busy_timeout=5000")
            await conn.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.DatabaseError as exc:
            await conn.close()
            raise DatabaseError(
                f"{self.path} is not a usable SQLite database ({exc}): restore it from a backup, or move it "
                "away and let Lightstick create a new one."
            ) from exc
        self._conn = conn

    async def close(self) -> None:
        if self._conn is None:
            return
        async with self._write_lock:
            await self._conn.close()
            self._conn = None

    async def take_turn(self, key: int, hold: float) -> None:
        """In this process only: SQLite has one process, so a lock here paces everyone."""
        lock = self._turns.setdefault(key, asyncio.Lock())
        await lock.acquire()
        asyncio.get_running_loop().call_later(hold, lock.release)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """``BEGIN IMMEDIATE`` under the writer lock; commit on success, roll back on error."""
        async with self._write_lock:
            conn = self.conn
            await conn.execute("BEGIN IMMEDIATE")
            try:
                yield _SqliteTransaction(conn)
            except BaseException:
                await conn.rollback()
                raise
            else:
                await conn.commit()

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        """One round trip to the database thread (a cursor costs three; autocomplete reads here)."""
        return list(await self.conn.execute_fetchall(sql, params))

    # -- schema -------------------------------------------------------------------------

    async def schema_version(self) -> int:
        return int(await self.fetchval("PRAGMA user_version"))

    async def _locked_schema_version(self, conn: Transaction) -> int:
        return int(await conn.fetchval("PRAGMA user_version"))

    async def _set_schema_version(self, conn: Transaction, version: int) -> None:
        await conn.execute(f"PRAGMA user_version = {version:d}")

    async def tables(self) -> list[str]:
        rows = await self.fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
        )
        return [row[0] for row in rows]

    async def columns(self, table: str) -> list[str]:
        rows = await self.fetchall(f"SELECT name FROM pragma_table_info('{table}') ORDER BY cid")
        return [row[0] for row in rows]
