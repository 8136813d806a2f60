"""The one database interface every store is written against, whichever engine runs it.

Stores write SQL that both engines understand (``?`` placeholders, ``ON CONFLICT``,
``RETURNING``) and never learn which engine they talk to. What truly differs lives in the
engines: how a transaction starts, how a row is locked for the rest of a transaction
(:attr:`Transaction.row_lock`), where the schema version is kept.
"""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any, Protocol

from bot.db.errors import DatabaseError
from bot.db.migrations import Migration, load_migrations
from bot.paths import MIGRATIONS_DIR

log = logging.getLogger(__name__)

Params = Sequence[Any]


class Row(Protocol):
    """A result row: by position or by column name (sqlite3.Row and asyncpg.Record both are)."""

    def __getitem__(self, key: int | str, /) -> Any: ...

    def __iter__(self) -> Iterator[Any]: ...

    def __len__(self) -> int: ...


class Queryable(Protocol):
    """Reads, inside a transaction or outside one."""

    #: Appended to a ``SELECT`` inside a transaction to keep the rows it read until commit
    #: (``FOR UPDATE`` on PostgreSQL; empty where the transaction already excludes writers).
    row_lock: str

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]: ...

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None: ...

    async def fetchval(self, sql: str, params: Params = ()) -> Any: ...


class Transaction(Queryable, Protocol):
    """One open transaction: everything in it commits together or not at all."""

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; returns how many rows it inserted, changed or deleted."""
        ...

    async def executemany(self, sql: str, rows: Sequence[Params]) -> None: ...

    async def advisory_lock(self, key: int) -> None:
        """Hold a database-wide lock on `key` until the transaction ends, across processes."""
        ...

    async def insert_rows(
        self, table: str, columns: Sequence[str], rows: Sequence[Params], *, skip_existing: bool = False
    ) -> None:
        """Bulk insert (the vote writer's hot path); `skip_existing` ignores rows whose key exists.

        `table` and `columns` are names from code, never from members.
        """
        ...

    async def delete_rows(self, table: str, columns: Sequence[str], keys: Sequence[Params]) -> None:
        """Bulk delete of the rows whose `columns` equal one of `keys`."""
        ...


class Reads(ABC):
    """fetchone and fetchval in terms of fetchall, for engines without cheaper ones."""

    @abstractmethod
    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]: ...

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]


class Database(Reads):
    """A connection (SQLite) or a pool (PostgreSQL) shared by the whole bot."""

    engine: str
    #: Outside a transaction nothing is held.
    row_lock = ""

    def __init__(self, *, migrations_dir: Path = MIGRATIONS_DIR) -> None:
        self.migrations_dir = migrations_dir

    @property
    @abstractmethod
    def label(self) -> str:
        """Where the data lives, for logs and messages (never a password)."""

    @abstractmethod
    async def connect(self) -> None: ...

    @abstractmethod
    async def close(self) -> None: ...

    async def __aenter__(self) -> Database:
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[Transaction]:
        """Commit on success, roll back on any exception."""

    @abstractmethod
    async def take_turn(self, key: int, hold: float) -> None:
        """Wait for `key`, then keep it from everyone sharing this database for `hold` seconds.

        Paces work that an outside service limits across every process (Discord's logins).
        """

    async def ping(self) -> float:
        """Seconds one trivial query took (health checks)."""
        started = time.perf_counter()
        await self.fetchval("SELECT 1")
        return time.perf_counter() - started

    # -- schema -------------------------------------------------------------------------

    @abstractmethod
    async def schema_version(self) -> int: ...

    @abstractmethod
    async def _set_schema_version(self, conn: Transaction, version: int) -> None: ...

    @abstractmethod
    async def _locked_schema_version(self, conn: Transaction) -> int:
        """The version, read under a lock that keeps other processes from migrating too."""

    @abstractmethod
    async def tables(self) -> list[str]:
        """Lightstick's tables, parents before children (the order migrations made them)."""

    def migrations(self) -> list[Migration]:
        return load_migrations(self.migrations_dir, self.engine)

    async def migrate(self, migrations: Sequence[Migration] | None = None) -> int:
        """Apply every migration newer than the database, each in its own transaction.

        A failing migration leaves the previous version intact; a database newer than this
        code is refused. Returns the resulting version.
        """
        pending = list(migrations) if migrations is not None else self.migrations()
        latest = pending[-1].version if pending else 0
        self._refuse_newer(await self.schema_version(), latest)
        current = 0
        for migration in pending:
            async with self.transaction() as conn:
                current = await self._locked_schema_version(conn)
                self._refuse_newer(current, latest)
                if migration.version <= current:
                    continue
                log.info("applying migration %s", migration.name)
                try:
                    for statement in migration.statements:
                        await conn.execute(statement)
                    await self._set_schema_version(conn, migration.version)
                except DatabaseError:
                    raise
                except Exception as exc:
                    raise DatabaseError(f"migration {migration.name} failed: {self.describe_error(exc)}") from exc
            current = migration.version
        return max(current, await self.schema_version())

    def _refuse_newer(self, current: int, latest: int) -> None:
        if current > latest:
            raise DatabaseError(
                f"the database {self.label} is at schema version {current}, newer than this "
                f"Lightstick knows ({latest}); update Lightstick or point it at another database"
            )

    @staticmethod
    def describe_error(exc: BaseException) -> str:
        return str(exc).strip() or type(exc).__name__
