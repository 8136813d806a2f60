"""Migrations by PRAGMA user_version, atomic each; the writer lock and rollback."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.db import Database, DatabaseError, load_migrations, split_statements


def write_migrations(directory: Path, *scripts: str) -> Path:
    directory.mkdir(exist_ok=True)
    for number, script in enumerate(scripts, start=1):
        (directory / f"{number:04d}_step{number}.sql").write_text(script)
    return directory


async def open_db(path: Path, migrations: Path | None = None) -> Database:
    database = Database(path, **({"migrations_dir": migrations} if migrations else {}))
    await database.connect()
    return database


async def table_names(database: Database) -> set[str]:
    rows = await database.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {row[0] for row in rows}


async def test_fresh_database_reaches_latest(tmp_path: Path) -> None:
    database = await open_db(tmp_path / "a.db")
    version = await database.migrate()
    assert version == len(load_migrations()) >= 1
    assert await database.user_version() == version
    assert "meta" in await table_names(database)
    assert await database.fetchval("PRAGMA journal_mode") == "wal"
    assert await database.fetchval("PRAGMA foreign_keys") == 1
    await database.close()


async def test_migrating_twice_changes_nothing(tmp_path: Path) -> None:
    database = await open_db(tmp_path / "a.db")
    first = await database.migrate()
    schema = await database.fetchall("SELECT type, name, sql FROM sqlite_master ORDER BY name")
    second = await database.migrate()
    assert first == second
    assert await database.fetchall("SELECT type, name, sql FROM sqlite_master ORDER BY name") == schema
    await database.close()


async def test_failing_migration_leaves_previous_version(tmp_path: Path) -> None:
    migrations = write_migrations(
        tmp_path / "m",
        "CREATE TABLE a (x INTEGER);",
        "CREATE TABLE b (y INTEGER);\nINSERT INTO a VALUES (1);\nINSERT INTO missing VALUES (1);",
    )
    database = await open_db(tmp_path / "a.db", migrations)
    with pytest.raises(DatabaseError, match="migration 0002_step2 failed: no such table: missing"):
        await database.migrate()
    assert await database.user_version() == 1
    assert "b" not in await table_names(database)
    assert await database.fetchval("SELECT COUNT(*) FROM a") == 0
    await database.close()


async def test_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA user_version = 99")
    database = await open_db(path)
    with pytest.raises(DatabaseError, match="schema version 99, newer than this Lightstick knows"):
        await database.migrate()
    await database.close()


def test_split_statements_keeps_triggers_whole() -> None:
    script = (
        "-- comment\nCREATE TABLE t (x);\n"
        "CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n  UPDATE t SET x = 1;\n  UPDATE t SET x = 2;\nEND;\n"
    )
    statements = split_statements(script)
    assert len(statements) == 2
    assert statements[1].startswith("CREATE TRIGGER") and statements[1].endswith("END;")


def test_migration_names_must_be_numbered(tmp_path: Path) -> None:
    write_migrations(tmp_path, "SELECT 1;")
    (tmp_path / "0003_gap.sql").write_text("SELECT 1;")
    with pytest.raises(DatabaseError, match="should be numbered 0002"):
        load_migrations(tmp_path)


async def test_transaction_rolls_back_on_error(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO meta(key, value) VALUES ('a', '1')")
            raise RuntimeError("boom")
    assert await db.fetchval("SELECT COUNT(*) FROM meta WHERE key = 'a'") == 0


async def test_transactions_do_not_interleave(db: Database) -> None:
    """Two writers: each reads then writes; with the lock neither loses the other's update."""
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO meta(key, value) VALUES ('n', '0')")

    async def increment() -> None:
        async with db.transaction() as conn:
            value = int(await db.fetchval("SELECT value FROM meta WHERE key = 'n'"))
            await asyncio.sleep(0)
            await conn.execute("UPDATE meta SET value = ? WHERE key = 'n'", (str(value + 1),))

    await asyncio.gather(*(increment() for _ in range(20)))
    assert await db.fetchval("SELECT value FROM meta WHERE key = 'n'") == "20"
