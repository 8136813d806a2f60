"""The database layer on both engines: migrations, versions, transactions, bad targets."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from bot.db import Database, DatabaseError, SqliteDatabase, load_migrations, split_statements
from bot.db.postgres import PostgresDatabase, to_postgres
from tests.pg import PostgresServer, free_port
from tests.support.databases import INTEGRITY_ERRORS, table_names

NewDatabase = Callable[..., Awaitable[Database]]


@pytest.fixture
async def new_database(engine: str, request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[NewDatabase]:
    """Opens an empty database (nothing migrated) on the engine under test."""
    opened: list[Database] = []

    async def open_empty(migrations: Path | None = None) -> Database:
        options = {"migrations_dir": migrations} if migrations else {}
        database: Database
        if engine == "postgresql":
            server: PostgresServer = request.getfixturevalue("pg_server")
            database = PostgresDatabase(await server.new_database(migrated=False), **options)  # type: ignore[arg-type]
        else:
            database = SqliteDatabase(tmp_path / f"db{len(opened)}.db", **options)  # type: ignore[arg-type]
        await database.connect()
        opened.append(database)
        return database

    yield open_empty
    for database in opened:  # closing twice is harmless; a test that failed may not have
        await database.close()


def write_migrations(directory: Path, *scripts: str) -> Path:
    directory.mkdir(exist_ok=True)
    for number, script in enumerate(scripts, start=1):
        (directory / f"{number:04d}_step{number}.sql").write_text(script)
    return directory


async def schema_snapshot(database: Database) -> list[tuple[object, ...]]:
    if database.engine == "sqlite":
        rows = await database.fetchall("SELECT type, name, sql FROM sqlite_master ORDER BY name")
    else:
        rows = await database.fetchall(
            "SELECT table_name, column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = current_schema() ORDER BY 1, 2"
        )
        rows += await database.fetchall(
            "SELECT indexname, indexdef, '' FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1"
        )
    return [tuple(row) for row in rows]


async def test_fresh_database_reaches_latest(new_database: NewDatabase) -> None:
    database = await new_database()
    try:
        version = await database.migrate()
        assert version == len(database.migrations()) == len(load_migrations()) >= 3
        assert await database.schema_version() == version
        assert {"meta", "polls", "poll_votes", "storyline_guilds"} <= await table_names(database)
        if database.engine == "sqlite":
            assert await database.fetchval("PRAGMA journal_mode") == "wal"
            assert await database.fetchval("PRAGMA foreign_keys") == 1
    finally:
        await database.close()


async def test_migrating_twice_changes_nothing(new_database: NewDatabase) -> None:
    database = await new_database()
    try:
        first = await database.migrate()
        schema = await schema_snapshot(database)
        assert await database.migrate() == first
        assert await schema_snapshot(database) == schema
    finally:
        await database.close()


async def test_failing_migration_leaves_previous_version(new_database: NewDatabase, tmp_path: Path) -> None:
    migrations = write_migrations(
        tmp_path / "m",
        "CREATE TABLE a (x INTEGER);",
        "CREATE TABLE b (y INTEGER);\nINSERT INTO a VALUES (1);\nINSERT INTO missing VALUES (1);",
    )
    database = await new_database(migrations)
    try:
        with pytest.raises(DatabaseError, match=r"migration 0002_step2 failed: .*missing"):
            await database.migrate()
        assert await database.schema_version() == 1
        assert "b" not in await table_names(database)
        assert await database.fetchval("SELECT COUNT(*) FROM a") == 0
    finally:
        await database.close()


async def test_newer_database_is_refused(new_database: NewDatabase) -> None:
    database = await new_database()
    try:
        await database.migrate()
        async with database.transaction() as conn:
            if database.engine == "sqlite":
                await conn.execute("PRAGMA user_version = 99")
            else:
                await conn.execute("UPDATE lightstick_schema SET version = 99")
        with pytest.raises(DatabaseError, match="schema version 99, newer than this Lightstick knows"):
            await database.migrate()
    finally:
        await database.close()


async def test_two_processes_migrating_at_once_apply_each_step_once(new_database: NewDatabase) -> None:
    first = await new_database()
    second = await reconnect_unmigrated(first)
    try:
        versions = await asyncio.gather(first.migrate(), second.migrate())
        assert versions[0] == versions[1] == len(first.migrations())
    finally:
        await first.close()
        await second.close()


async def reconnect_unmigrated(database: Database) -> Database:
    other: Database
    if isinstance(database, PostgresDatabase):
        other = PostgresDatabase(database.url)
    else:
        assert isinstance(database, SqliteDatabase)
        other = SqliteDatabase(database.path)
    await other.connect()
    return other


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


def test_an_engine_variant_replaces_the_shared_file_for_that_engine_only(tmp_path: Path) -> None:
    write_migrations(tmp_path, "CREATE TABLE a (x INTEGER) STRICT;", "CREATE TABLE b (y INTEGER);")
    (tmp_path / "0001_step1.postgresql.sql").write_text("CREATE TABLE a (x BIGINT);")
    sqlite_steps = load_migrations(tmp_path, "sqlite")
    postgres_steps = load_migrations(tmp_path, "postgresql")
    assert [m.statements for m in sqlite_steps] == [
        ("CREATE TABLE a (x INTEGER) STRICT;",),
        ("CREATE TABLE b (y INTEGER);",),
    ]
    assert [m.statements for m in postgres_steps] == [("CREATE TABLE a (x BIGINT);",), ("CREATE TABLE b (y INTEGER);",)]
    assert [m.name for m in postgres_steps] == ["0001_step1", "0002_step2"]


def test_a_variant_must_keep_its_shared_name(tmp_path: Path) -> None:
    write_migrations(tmp_path, "SELECT 1;")
    (tmp_path / "0001_other.postgresql.sql").write_text("SELECT 1;")
    with pytest.raises(DatabaseError, match="share the number 0001"):
        load_migrations(tmp_path, "postgresql")


def test_every_shipped_migration_has_the_same_history_on_both_engines() -> None:
    sqlite_names = [m.name for m in load_migrations(engine="sqlite")]
    assert sqlite_names == [m.name for m in load_migrations(engine="postgresql")]


def test_placeholders_become_numbered_but_not_inside_strings() -> None:
    assert to_postgres("SELECT ? , '?', 'it''s ?' WHERE a = ? AND b IN (?, ?)") == (
        "SELECT $1 , '?', 'it''s ?' WHERE a = $2 AND b IN ($3, $4)"
    )


async def test_transaction_rolls_back_on_error(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO meta(key, value) VALUES ('a', '1')")
            raise RuntimeError("boom")
    assert await db.fetchval("SELECT COUNT(*) FROM meta WHERE key = 'a'") == 0


async def test_execute_counts_the_rows_it_changed(db: Database) -> None:
    async with db.transaction() as conn:
        await conn.executemany("INSERT INTO meta(key, value) VALUES (?, ?)", [("a", "1"), ("b", "1"), ("c", "2")])
        assert await conn.execute("UPDATE meta SET value = '9' WHERE value = ?", ("1",)) == 2
        assert await conn.execute("DELETE FROM meta WHERE key = ?", ("zzz",)) == 0
        assert await conn.execute("INSERT INTO meta(key, value) VALUES ('a', 'x') ON CONFLICT DO NOTHING") == 0


async def test_transactions_do_not_interleave(db: Database) -> None:
    """Twenty writers each read then write; none loses another's update, on either engine."""
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO meta(key, value) VALUES ('n', '0')")

    async def increment() -> None:
        async with db.transaction() as conn:
            value = int(await conn.fetchval(f"SELECT value FROM meta WHERE key = 'n'{conn.row_lock}"))
            await asyncio.sleep(0)
            await conn.execute("UPDATE meta SET value = ? WHERE key = 'n'", (str(value + 1),))

    await asyncio.gather(*(increment() for _ in range(20)))
    assert await db.fetchval("SELECT value FROM meta WHERE key = 'n'") == "20"


# -- targets that cannot be used ------------------------------------------------------------


async def test_a_file_that_is_not_a_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"my K-pop notes, not a database\n" * 10)
    before = path.read_bytes()
    with pytest.raises(DatabaseError, match="not a SQLite database"):
        await SqliteDatabase(path).connect()
    assert path.read_bytes() == before
    assert not (tmp_path / "notes.db-wal").exists()


async def test_a_corrupt_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.db"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE t (x)")
    data = bytearray(path.read_bytes())
    data[16:100] = b"\xff" * 84  # header fields after the magic string
    path.write_bytes(bytes(data))
    with pytest.raises(DatabaseError, match=str(path)):
        database = SqliteDatabase(path)
        await database.connect()
        await database.migrate()


async def test_a_folder_that_cannot_be_created_is_named(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(DatabaseError, match="DATABASE_PATH: cannot create the folder"):
        await SqliteDatabase(blocker / "sub" / "lightstick.db").connect()


async def test_a_wrong_password_names_database_url(pg_server: PostgresServer) -> None:
    url = pg_server.url("postgres", password="wrong")
    with pytest.raises(DatabaseError, match=r"DATABASE_URL: PostgreSQL at .* refused the user name or password"):
        await PostgresDatabase(url).connect()


async def test_an_unreachable_server_names_database_url() -> None:
    url = f"postgresql://someone:pw@127.0.0.1:{free_port()}/lightstick"
    with pytest.raises(
        DatabaseError, match=r"DATABASE_URL: cannot reach PostgreSQL at postgresql://someone@127\.0\.0\.1"
    ):
        await PostgresDatabase(url).connect()


async def test_a_missing_database_names_database_url(pg_server: PostgresServer) -> None:
    with pytest.raises(DatabaseError, match="does not exist"):
        await PostgresDatabase(pg_server.url("no_such_database")).connect()


async def test_bulk_rows_insert_skip_existing_and_delete(db: Database) -> None:
    rows = [(f"k{n}", str(n)) for n in range(300)]
    for _ in range(2):  # the second pass finds every key present; a pooled connection is reused
        async with db.transaction() as conn:
            await conn.insert_rows("meta", ("key", "value"), rows, skip_existing=True)
    assert await db.fetchval("SELECT COUNT(*) FROM meta") == 300
    async with db.transaction() as conn:
        await conn.delete_rows("meta", ("key",), [(f"k{n}",) for n in range(0, 300, 2)])
        await conn.insert_rows("meta", ("key", "value"), [("new", "x")])
    assert await db.fetchval("SELECT COUNT(*) FROM meta") == 151
    with pytest.raises(INTEGRITY_ERRORS):
        async with db.transaction() as conn:
            await conn.insert_rows("meta", ("key", "value"), [("new", "again")])
    assert await db.fetchval("SELECT value FROM meta WHERE key = 'new'") == "x"

