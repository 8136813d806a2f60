"""PostgreSQL through an asyncpg pool: the shared store for more than one process.

Stores write ``?`` placeholders; they become ``$1, $2…`` here, once per statement text.
Transactions run at READ COMMITTED, as PostgreSQL does by default; what SQLite gets from its
single writer, PostgreSQL gets from row locks (:attr:`_PostgresTransaction.row_lock`), unique
keys with ``ON CONFLICT``, guarded ``UPDATE … WHERE state = …`` and advisory locks. Those work
across processes and machines, which no in-process lock could.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import logging
import re
import socket
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg

from bot.db.base import Database, Params, Row, Transaction
from bot.db.errors import DatabaseError
from bot.paths import MIGRATIONS_DIR

log = logging.getLogger(__name__)

#: pg_advisory_xact_lock key held while a process checks and applies migrations.
MIGRATION_LOCK = 0x4C53_0001
CONNECT_TIMEOUT = 10.0

_QUOTED_OR_PLACEHOLDER = re.compile(r"'(?:[^']|'')*'|\?")


@functools.lru_cache(maxsize=2048)
def to_postgres(sql: str) -> str:
    """``?`` placeholders → ``$1, $2…`` (question marks inside string literals stay)."""
    numbers = itertools.count(1)
    return _QUOTED_OR_PLACEHOLDER.sub(lambda m: f"${next(numbers)}" if m.group(0) == "?" else m.group(0), sql)


def _rowcount(status: str) -> int:
    """asyncpg reports ``UPDATE 3`` / ``INSERT 0 1`` / ``DELETE 0``: the last word counts rows."""
    last = status.rpartition(" ")[2]
    return int(last) if last.isdigit() else 0


def redact_url(url: str) -> str:
    parsed = urlsplit(url)
    host = parsed.hostname or "localhost"
    port = f":{parsed.port}" if parsed.port else ""
    user = f"{parsed.username}@" if parsed.username else ""
    return f"postgresql://{user}{host}{port}{parsed.path}"


class _PostgresTransaction:
    """One pooled connection inside ``BEGIN … COMMIT``."""

    row_lock = " FOR UPDATE"

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> int:
        if not params:
            return _rowcount(await self._conn.execute(sql))
        return _rowcount(await self._conn.execute(to_postgres(sql), *params))

    async def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        await self._conn.executemany(to_postgres(sql), rows)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        return list(await self._conn.fetch(to_postgres(sql), *params))

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        row: Row | None = await self._conn.fetchrow(to_postgres(sql), *params)
        return row

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        return await self._conn.fetchval(to_postgres(sql), *params)

    async def advisory_lock(self, key: int) -> None:
        await self._conn.execute("SELECT pg_advisory_xact_lock($1)", key)

    async def copy_records(self, table: str, columns: Sequence[str], records: Sequence[Params]) -> None:
        """Bulk load through COPY (the migration tool)."""
        await self._conn.copy_records_to_table(table, columns=list(columns), records=records)

    async def insert_rows(
        self, table: str, columns: Sequence[str], rows: Sequence[Params], *, skip_existing: bool = False
    ) -> None:
        """COPY, about twice as fast as ``executemany``; COPY has no ON CONFLICT, so rows that
        may exist go through a temporary table first."""
        if not skip_existing:
            await self.copy_records(table, columns, rows)
            return
        listed = ", ".join(columns)
        staging = await self._staging(table, columns, "insert")
        await self.copy_records(staging, columns, rows)
        await self._conn.execute(
            f"INSERT INTO {table} ({listed}) SELECT {listed} FROM {staging} ON CONFLICT DO NOTHING"
        )

    async def delete_rows(self, table: str, columns: Sequence[str], keys: Sequence[Params]) -> None:
        staging = await self._staging(table, columns, "delete")
        await self.copy_records(staging, columns, keys)
        match = " AND ".join(f"t.{column} = k.{column}" for column in columns)
        await self._conn.execute(f"DELETE FROM {table} t USING {staging} k WHERE {match}")

    async def _staging(self, table: str, columns: Sequence[str], purpose: str) -> str:
        """A temporary table shaped like `columns` of `table`, emptied at every commit."""
        staging = f"lightstick_{purpose}_{table}"
        await self._conn.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {staging} ON COMMIT DELETE ROWS AS "
            f"SELECT {', '.join(columns)} FROM {table} WITH NO DATA"
        )
        return staging


class PostgresDatabase(Database):
    engine = "postgresql"

    def __init__(
        self, url: str, *, migrations_dir: Path = MIGRATIONS_DIR, min_size: int = 1, max_size: int = 10
    ) -> None:
        super().__init__(migrations_dir=migrations_dir)
        self.url = url
        self._min_size = min_size
        self._max_size = max_size
        self._pool: asyncpg.Pool | None = None
        self._turn_tasks: set[asyncio.Task[None]] = set()

    @property
    def label(self) -> str:
        return redact_url(self.url)

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise DatabaseError("the database is not open")
        return self._pool

    async def connect(self) -> None:
        try:
            self._pool = await asyncpg.create_pool(
                self.url,
                min_size=self._min_size,
                max_size=self._max_size,
                timeout=CONNECT_TIMEOUT,
                server_settings={"application_name": "lightstick", "timezone": "UTC"},
            )
        except Exception as exc:
            raise DatabaseError(connect_failure_message(self.label, exc)) from exc

    async def close(self) -> None:
        for task in list(self._turn_tasks):
            task.cancel()
        await asyncio.gather(*self._turn_tasks, return_exceptions=True)
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()

    async def take_turn(self, key: int, hold: float) -> None:
        """A session advisory lock on `key`, released `hold` seconds later: every process on
        this database waits its turn. A process that dies releases it with its connection."""
        conn = await self.pool.acquire()
        try:
            await conn.execute("SELECT pg_advisory_lock($1)", key)
        except BaseException:
            await self.pool.release(conn)
            raise
        task = asyncio.get_running_loop().create_task(self._release_turn(conn, key, hold), name=f"db:turn:{key}")
        self._turn_tasks.add(task)
        task.add_done_callback(self._turn_tasks.discard)

    async def _release_turn(self, conn: asyncpg.Connection, key: int, hold: float) -> None:
        try:
            await asyncio.sleep(hold)
            await conn.execute("SELECT pg_advisory_unlock($1)", key)
        finally:
            await self.pool.release(conn)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        async with self.pool.acquire() as conn, conn.transaction():
            yield _PostgresTransaction(conn)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        return list(await self.pool.fetch(to_postgres(sql), *params))

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        row: Row | None = await self.pool.fetchrow(to_postgres(sql), *params)
        return row

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        return await self.pool.fetchval(to_postgres(sql), *params)

    # -- schema -------------------------------------------------------------------------

    async def schema_version(self) -> int:
        if await self.fetchval("SELECT to_regclass('lightstick_schema')") is None:
            return 0
        return int(await self.fetchval("SELECT COALESCE(MAX(version), 0) FROM lightstick_schema"))

    async def _locked_schema_version(self, conn: Transaction) -> int:
        await conn.advisory_lock(MIGRATION_LOCK)
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS lightstick_schema ("
            " id SMALLINT PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)"
        )
        return int(await conn.fetchval("SELECT COALESCE(MAX(version), 0) FROM lightstick_schema"))

    async def _set_schema_version(self, conn: Transaction, version: int) -> None:
        await conn.execute(
            "INSERT INTO lightstick_schema (id, version) VALUES (1, ?)"
            " ON CONFLICT (id) DO UPDATE SET version = excluded.version",
            (version,),
        )

    async def tables(self) -> list[str]:
        rows = await self.fetchall(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname <> 'lightstick_schema'"
            " ORDER BY c.oid"
        )
        return [row[0] for row in rows]

    async def identity_columns(self) -> list[tuple[str, str]]:
        """(table, column) of every identity column, so a copy can move its sequence on."""
        rows = await self.fetchall(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND is_identity = 'YES' ORDER BY table_name"
        )
        return [(row[0], row[1]) for row in rows]


def connect_failure_message(label: str, exc: BaseException) -> str:
    """One line naming DATABASE_URL and what to do, for the ways a first connection fails."""
    if isinstance(exc, asyncpg.InvalidPasswordError | asyncpg.InvalidAuthorizationSpecificationError):
        return f"DATABASE_URL: PostgreSQL at {label} refused the user name or password: check them in DATABASE_URL."
    if isinstance(exc, asyncpg.InvalidCatalogNameError):
        return f"DATABASE_URL: the database in {label} does not exist: create it (createdb) or fix the name."
    if isinstance(exc, socket.gaierror):
        return f"DATABASE_URL: cannot find the PostgreSQL host of {label}: check the host name."
    if isinstance(exc, OSError | TimeoutError | asyncpg.CannotConnectNowError):
        return (
            f"DATABASE_URL: cannot reach PostgreSQL at {label} ({Database.describe_error(exc)}): "
            "check that the server is running and the host and port are right."
        )
    return f"DATABASE_URL: cannot use PostgreSQL at {label}: {Database.describe_error(exc)}"
