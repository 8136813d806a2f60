"""Copy a SQLite database into an empty PostgreSQL one: the move from one process to many.

Every row lands in one PostgreSQL transaction, so a failure at any point (a broken row, a
lost connection, a count that does not match) leaves the target as it was. Rows travel
through COPY in chunks read from a cursor, so memory stays flat however many votes there are.
The source is read inside one SQLite read transaction: a consistent snapshot even if
something else writes to the file meanwhile.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.config import postgres_url_problem
from bot.db.base import Database, Transaction
from bot.db.errors import DatabaseError
from bot.db.postgres import PostgresDatabase, _PostgresTransaction
from bot.db.sqlite import SQLITE_HEADER, SqliteDatabase

log = logging.getLogger(__name__)

#: Rows per COPY: large enough that round trips don't dominate, small enough to stay flat.
CHUNK_ROWS = 10_000
#: How the command names the target in messages (a library caller sees the same words).
TARGET_OPTION = "--to"
NOTHING_COPIED = "nothing was copied"


@dataclass(frozen=True, slots=True)
class TableCopy:
    table: str
    rows: int


@dataclass(frozen=True, slots=True)
class CopyReport:
    """What was copied where, for the command's closing lines."""

    source: str
    target: str
    tables: tuple[TableCopy, ...]

    @property
    def rows(self) -> int:
        return sum(table.rows for table in self.tables)


def quote(identifier: str) -> str:
    """A table or column name as an SQL identifier (both engines use double quotes)."""
    return '"' + identifier.replace('"', '""') + '"'


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


# -- checks before anything is opened ------------------------------------------------------


def check_target_url(url: str) -> None:
    """Refuse anything but a complete ``postgresql://`` URL before connecting to it."""
    problem = postgres_url_problem(url, TARGET_OPTION)
    if problem:
        raise DatabaseError(problem)


def check_source_file(path: Path, setting: str) -> None:
    """Refuse a missing source instead of letting SQLite create an empty one to copy."""
    if not path.exists():
        if setting.startswith("--"):
            raise DatabaseError(f"{setting}: there is no SQLite database at {path}, {NOTHING_COPIED}")
        raise DatabaseError(
            f"{setting} names {path}, but there is no SQLite database there, {NOTHING_COPIED}: "
            "give the file to copy with --from PATH"
        )
    if path.is_dir() or _header(path) not in (b"", SQLITE_HEADER):
        raise DatabaseError(f"{setting}: {path} is not a SQLite database, {NOTHING_COPIED}")


def _header(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(len(SQLITE_HEADER))


# -- the whole command ----------------------------------------------------------------------


async def copy_sqlite_to_postgres(
    source_path: Path, target_url: str, *, source_setting: str = "--from", chunk_rows: int = CHUNK_ROWS
) -> CopyReport:
    """Migrate both databases to the latest schema, then copy every row in one transaction.

    The target is reached and found empty before anything is migrated, so a wrong URL or a
    used database leaves both sides exactly as they were.
    """
    check_target_url(target_url)
    check_source_file(source_path, source_setting)
    source = SqliteDatabase(source_path)
    target = PostgresDatabase(target_url, min_size=1, max_size=2)
    async with AsyncExitStack() as stack:
        await _connect_target(target)
        stack.push_async_callback(target.close)
        # Before migrating too: a used database, even an older one, must stay untouched.
        await refuse_rows(target, await target.tables())
        await source.connect()
        stack.push_async_callback(source.close)
        await source.migrate()
        await target.migrate()
        tables = await copy_database(source, target, chunk_rows=chunk_rows)
    return CopyReport(source.label, target.label, tuple(tables))


async def _connect_target(target: PostgresDatabase) -> None:
    """Connect, naming the command's option where the engine's message names DATABASE_URL."""
    try:
        await target.connect()
    except DatabaseError as exc:
        raise DatabaseError(str(exc).replace("DATABASE_URL", TARGET_OPTION)) from exc


async def refuse_rows(target: Database | Transaction, tables: Sequence[str]) -> None:
    """Copy only into an empty database: merging two histories would break ids and tallies."""
    for table in tables:
        if await target.fetchval(f"SELECT EXISTS (SELECT 1 FROM {quote(table)})"):
            raise DatabaseError(
                f"the target database already has rows in {table}, {NOTHING_COPIED}: "
                f"{TARGET_OPTION} must name an empty database (createdb a new one)"
            )


# -- the copy itself --------------------------------------------------------------------------


async def copy_database(
    source: SqliteDatabase, target: PostgresDatabase, *, chunk_rows: int = CHUNK_ROWS
) -> list[TableCopy]:
    """Copy every table of `source` into the migrated, empty `target`: all rows or none."""
    async with _snapshot(source):
        tables = await source.tables()
        columns = {table: await source.columns(table) for table in tables}
        await _check_schema(target, columns)
        identities = [(t, c) for t, c in await target.identity_columns() if t in columns]
        async with target.transaction() as conn:
            if tables:  # nobody else writes, and the emptiness check below holds until commit
                await conn.execute(f"LOCK TABLE {', '.join(map(quote, tables))} IN ACCESS EXCLUSIVE MODE")
            await refuse_rows(conn, tables)
            copied = [
                TableCopy(table, await _copy_table(source, conn, table, columns[table], chunk_rows)) for table in tables
            ]
            await _move_sequences(conn, identities)
            await _check_counts(source, conn, copied)
    return copied


@asynccontextmanager
async def _snapshot(source: SqliteDatabase) -> AsyncIterator[None]:
    """One read transaction, so every table and count comes from the same moment."""
    await source.conn.execute("BEGIN")
    try:
        yield
    finally:
        await source.conn.rollback()


async def _check_schema(target: PostgresDatabase, columns: dict[str, list[str]]) -> None:
    """Both sides are migrated to one version; say so plainly if they still differ."""
    for table, wanted in columns.items():
        rows = await target.fetchall(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
            " AND table_name = ?",
            (table,),
        )
        missing = sorted(set(wanted) - {row[0] for row in rows})
        if missing:
            where = f"the table {table}" if rows else f"a table {table}"
            raise DatabaseError(
                f"the target database lacks {where} (columns {', '.join(missing)}) that the source has, "
                f"{NOTHING_COPIED}: is the SQLite file from a newer or modified Lightstick?"
            )


async def _copy_table(
    source: SqliteDatabase, conn: Transaction, table: str, columns: list[str], chunk_rows: int
) -> int:
    """Stream one table through COPY; any failure becomes one line naming the table."""
    if not isinstance(conn, _PostgresTransaction):
        raise TypeError("copying needs a PostgreSQL transaction")
    select = f"SELECT {', '.join(map(quote, columns))} FROM {quote(table)}"
    copied = 0
    try:
        async with source.conn.execute(select) as cursor:
            while records := [tuple(row) for row in await cursor.fetchmany(chunk_rows)]:
                await conn.copy_records(table, columns, records)
                copied += len(records)
    except DatabaseError:
        raise
    except Exception as exc:
        raise DatabaseError(
            f"copying {table} failed after {plural(copied, 'row')} ({Database.describe_error(exc)}), {NOTHING_COPIED}"
        ) from exc
    log.info("copied %s: %s", table, plural(copied, "row"))
    return copied


async def _move_sequences(conn: Transaction, identities: Sequence[tuple[str, str]]) -> None:
    """Identity sequences next hand out max + 1 (1 for an empty table), never a copied id."""
    for table, column in identities:
        await conn.fetchval(
            f"SELECT setval(pg_get_serial_sequence(?, ?), COALESCE(MAX({quote(column)}), 0) + 1, false)"
            f" FROM {quote(table)}",
            (quote(table), column),
        )


async def _check_counts(source: SqliteDatabase, conn: Transaction, copied: Sequence[TableCopy]) -> None:
    """Before commit, each table must hold exactly as many rows as the source's."""
    for table in copied:
        expected = int(await source.fetchval(f"SELECT COUNT(*) FROM {quote(table.table)}"))
        actual = int(await conn.fetchval(f"SELECT COUNT(*) FROM {quote(table.table)}"))
        if actual != expected or table.rows != expected:
            raise DatabaseError(
                f"{table.table} has {plural(expected, 'row')} in the source but {actual} arrived, {NOTHING_COPIED}"
            )
