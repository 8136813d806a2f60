"""`python -m bot.db copy`: a real SQLite database, filled through the stores, copied into a
real PostgreSQL database; the stores must give the same answers on both sides."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.catalog.server import CurationSettings, ServerCatalogStore
from bot.clock import to_unix
from bot.db import Database, DatabaseError, SqliteDatabase
from bot.db.__main__ import default_source, main
from bot.db.copy import copy_sqlite_to_postgres
from bot.db.postgres import PostgresDatabase, _PostgresTransaction
from bot.paths import PROJECT_DIR
from bot.polls.rules import Poll, build_poll_spec
from bot.polls.store import EventRow, PollStore, VoteKey, VoteRow
from bot.storyline import SendResult, StorylineStore
from tests.pg import PASSWORD, PostgresServer
from tests.polls.factories import CHANNEL, CREATOR, GUILD, NOW, SEED_OPTIONS, user
from tests.storyline.support import config

T = to_unix(NOW)
RUN_DAY1 = datetime(2026, 3, 1, 12, tzinfo=UTC)
DAY1 = date(2026, 3, 1)
TABLES = [
    "meta", "polls", "poll_votes", "poll_vote_events", "storyline_guilds", "storyline_posts",
    "server_catalog_settings", "server_entries", "server_suggestions", "server_entry_history",
    "brackets", "bracket_matches", "guild_language",
]  # fmt: skip


# -- a source database written by the real stores ----------------------------------------------


async def create_poll(store: PollStore, *, guild_id: int = GUILD, question: str = "Best MV?", **rules: Any) -> Poll:
    spec = build_poll_spec(question, " | ".join(SEED_OPTIONS), **rules)
    poll = await store.create(spec, guild_id=guild_id, channel_id=CHANNEL, creator_id=CREATOR, now=NOW)
    return await store.attach_message(poll.poll_id, 900_000 + poll.poll_id)


def added(poll: Poll, n: int, option: int) -> EventRow:
    return EventRow(poll.guild_id, poll.poll_id, user(n), "added", option, None, None, "member", T + n)


async def fill_polls(store: PollStore) -> None:
    first = await create_poll(store, question="하루하루 or 거짓말?", choices=2, role_id=5)
    second = await create_poll(store, hide_results=True, duration="1h", min_member_age_days=3)
    other = await create_poll(store, guild_id=GUILD + 1)
    votes = [(first, n, n % 3) for n in range(40)] + [(first, n, 4) for n in range(5)]
    votes += [(second, n, n % 2) for n in range(12)] + [(other, 1, 0)]
    await store.write_batch(
        [VoteRow(p.guild_id, p.poll_id, user(n), o, T + n, None if n % 2 else T - 86_400) for p, n, o in votes],
        [],
        [added(p, n, o) for p, n, o in votes],
    )
    rejected = EventRow(GUILD, second.poll_id, user(99), "rejected", 1, None, "too new", "member", T + 50)
    withdrawn = EventRow(GUILD, first.poll_id, user(0), "withdrawn", 0, None, None, "offline", T + 60)
    await store.write_batch([], [VoteKey(GUILD, first.poll_id, user(0), 0)], [rejected, withdrawn])
    await store.close(second.poll_id, NOW + timedelta(hours=1))
    await store.set_results_message(second.poll_id, 777)


async def fill_storyline(store: StorylineStore) -> None:
    await store.save_setup(config(1, ping_role_id=7), RUN_DAY1 - timedelta(hours=3))
    await store.claim_scheduled(1, RUN_DAY1, lambda settings: ["a", "b", "c"], owner="me", lease=timedelta(minutes=2))
    assert await store.record_post(1, DAY1, SendResult(555, 556), RUN_DAY1)
    await store.save_setup(config(2, include_mature=True, thread=False), RUN_DAY1)
    await store.pause(2, RUN_DAY1, "channel deleted")


async def fill_server_catalog(store: ServerCatalogStore) -> None:
    await store.save_settings(CurationSettings(GUILD, review_channel_id=CHANNEL, cooldown=timedelta(0)), now=NOW)
    kept = await store.submit(GUILD, user(1), {"title": "달빛", "artist": "Haneul", "year": 2023}, now=NOW)
    entry = await store.approve(GUILD, kept.suggestion_id, CREATOR, now=NOW)
    await store.edit_entry(GUILD, entry.entry_id, CREATOR, {"storyline": "A courier follows a letter."}, now=NOW)
    turned_down = await store.submit(GUILD, user(2), {"title": "Fan Edit", "artist": "Haneul", "year": 2023}, now=NOW)
    await store.reject(GUILD, turned_down.suggestion_id, CREATOR, "not official", now=NOW)
    await store.submit(GUILD, user(3), {"title": "Waiting", "artist": "Haneul", "year": 2024}, now=NOW)


async def build_source(path: Path) -> None:
    source = SqliteDatabase(path)
    await source.connect()
    try:
        await source.migrate()
        await fill_polls(PollStore(source))
        await fill_storyline(StorylineStore(source))
        await fill_server_catalog(ServerCatalogStore(source))
        async with source.transaction() as conn:
            await conn.execute("INSERT INTO meta (key, value) VALUES ('commands_hash', 'abc123')")
    finally:
        await source.close()


async def answers(db: Database) -> dict[str, Any]:
    """Everything the stores tell about the data, to compare engine against engine."""
    polls, storyline = PollStore(db), StorylineStore(db)
    found: dict[str, Any] = {"open": await polls.open_polls(), "unannounced": await polls.unannounced()}
    for row in await db.fetchall("SELECT poll_id FROM polls ORDER BY poll_id"):
        poll = await polls.get(row[0])
        assert poll is not None
        found[f"poll {poll.poll_id}"] = (
            poll,
            await polls.tally(poll),
            await polls.voter_rows(poll),
            await polls.my_votes(poll, user(0)),
            await polls.audit(poll),
        )
    for guild_id in (1, 2):
        found[f"storyline {guild_id}"] = (await storyline.settings(guild_id), await storyline.history(guild_id))
    catalog = ServerCatalogStore(db)
    entries = await catalog.entries(GUILD)
    found["server catalog"] = (
        await catalog.settings(GUILD),
        entries,
        [await catalog.history(GUILD, entry.entry_id) for entry in entries],
        await catalog.pending(GUILD),
        await catalog.version(GUILD),
    )
    found["meta"] = [tuple(row) for row in await db.fetchall("SELECT key, value FROM meta ORDER BY key")]
    return found


async def opened(database: Database) -> Database:
    await database.connect()
    return database


def sqlite_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        return {table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in TABLES}


async def pg_counts(url: str) -> dict[str, int]:
    target = await opened(PostgresDatabase(url))
    try:
        return {table: int(await target.fetchval(f"SELECT COUNT(*) FROM {table}")) for table in await target.tables()}
    finally:
        await target.close()


@pytest.fixture
async def source_path(tmp_path: Path) -> Path:
    path = tmp_path / "lightstick.db"
    await build_source(path)
    return path


@pytest.fixture
async def source(source_path: Path) -> AsyncIterator[Database]:
    database = await opened(SqliteDatabase(source_path))
    yield database
    await database.close()


# -- the copy ------------------------------------------------------------------------------------


@pytest.mark.parametrize("migrated", [False, True], ids=["empty", "migrated"])
async def test_copy_gives_the_same_answers(
    pg_server: PostgresServer, source_path: Path, source: Database, migrated: bool
) -> None:
    url = await pg_server.new_database(migrated=migrated)
    report = await copy_sqlite_to_postgres(source_path, url, chunk_rows=7)  # several chunks per table
    expected = sqlite_counts(source_path)
    assert [(t.table, t.rows) for t in report.tables] == list(expected.items())
    assert report.rows == sum(expected.values()) and PASSWORD not in report.target
    target = await opened(PostgresDatabase(url))
    try:
        assert await answers(target) == await answers(source)
        assert await target.schema_version() == await source.schema_version()
        # The identity sequences moved past the copied ids: new rows get fresh ones.
        polls = PollStore(target)
        last_poll = int(await source.fetchval("SELECT MAX(poll_id) FROM polls"))
        last_event = int(await source.fetchval("SELECT MAX(event_id) FROM poll_vote_events"))
        fresh = await create_poll(polls, question="After the move?")
        assert fresh.poll_id == last_poll + 1
        await polls.write_batch([], [], [added(fresh, 1, 0)])
        assert await target.fetchval("SELECT MAX(event_id) FROM poll_vote_events") == last_event + 1
    finally:
        await target.close()


async def test_a_target_with_rows_is_refused_and_left_alone(pg_server: PostgresServer, source_path: Path) -> None:
    url = await pg_server.new_database()
    target = await opened(PostgresDatabase(url))
    try:
        async with target.transaction() as conn:
            await conn.execute("INSERT INTO meta (key, value) VALUES ('mine', 'keep')")
        with pytest.raises(DatabaseError, match=r"already has rows in meta, nothing was copied"):
            await copy_sqlite_to_postgres(source_path, url)
        assert [tuple(row) for row in await target.fetchall("SELECT key, value FROM meta")] == [("mine", "keep")]
    finally:
        await target.close()
    assert await pg_counts(url) == {table: 1 if table == "meta" else 0 for table in TABLES}


async def test_an_older_used_target_is_not_even_migrated(pg_server: PostgresServer, source_path: Path) -> None:
    url = await pg_server.new_database(migrated=False)
    target = await opened(PostgresDatabase(url))
    try:
        await target.migrate(target.migrations()[:1])
        async with target.transaction() as conn:
            await conn.execute("INSERT INTO meta (key, value) VALUES ('mine', 'keep')")
        with pytest.raises(DatabaseError, match="rows in meta"):
            await copy_sqlite_to_postgres(source_path, url)
        assert await target.schema_version() == 1
        assert await target.tables() == ["meta"]
    finally:
        await target.close()


async def test_a_wrong_password_is_one_clear_error(pg_server: PostgresServer, source_path: Path) -> None:
    url = (await pg_server.new_database()).replace(f":{PASSWORD}@", ":wrong@")
    with pytest.raises(DatabaseError, match=r"^--to: .*refused the user name or password") as caught:
        await copy_sqlite_to_postgres(source_path, url)
    assert "wrong" not in str(caught.value)


async def test_a_missing_or_foreign_source_is_refused_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "lightstick.db"
    with pytest.raises(DatabaseError, match=r"no SQLite database at .*nothing was copied"):
        await copy_sqlite_to_postgres(missing, "postgresql://user:pw@127.0.0.1:5432/lightstick")
    assert not missing.parent.exists()
    (tmp_path / "notes.txt").write_text("not a database")
    for path in (tmp_path, tmp_path / "notes.txt"):
        with pytest.raises(DatabaseError, match=r"^--from: .* is not a SQLite database, nothing was copied"):
            await copy_sqlite_to_postgres(path, "postgresql://user:pw@127.0.0.1:5432/lightstick")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("sqlite:///data/lightstick.db", "must be a PostgreSQL URL"),
        ("localhost/lightstick", "must be a PostgreSQL URL"),
        ("postgresql://user:pw@host:port/lightstick", "is not a valid PostgreSQL URL"),
        ("postgresql://user:pw@host:5432", "needs a host and a database name"),
    ],
)
async def test_a_target_url_that_is_not_postgres_is_refused(source_path: Path, url: str, message: str) -> None:
    with pytest.raises(DatabaseError, match=f"^--to {message}"):
        await copy_sqlite_to_postgres(source_path, url)


def fail_on(table: str, monkeypatch: pytest.MonkeyPatch, *, drop_last: bool = False) -> None:
    """Make COPY into `table` fail outright, or silently lose that table's last row."""
    original = _PostgresTransaction.copy_records

    async def copy_records(self: _PostgresTransaction, name: str, columns: Sequence[str], records: Any) -> None:
        if name == table and not drop_last:
            raise RuntimeError("disk full")
        await original(self, name, columns, records[:-1] if name == table else records)

    monkeypatch.setattr(_PostgresTransaction, "copy_records", copy_records)


async def test_a_failure_in_the_middle_leaves_the_target_empty(
    pg_server: PostgresServer, source_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = await pg_server.new_database()
    fail_on("poll_vote_events", monkeypatch)
    with pytest.raises(DatabaseError, match=r"copying poll_vote_events failed .*disk full.*nothing was copied"):
        await copy_sqlite_to_postgres(source_path, url, chunk_rows=10)
    assert await pg_counts(url) == dict.fromkeys(TABLES, 0)
    monkeypatch.undo()
    report = await copy_sqlite_to_postgres(source_path, url)  # and a second try succeeds
    assert await pg_counts(url) == {t.table: t.rows for t in report.tables}


async def test_a_count_that_does_not_match_rolls_everything_back(
    pg_server: PostgresServer, source_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = await pg_server.new_database()
    fail_on("poll_votes", monkeypatch, drop_last=True)
    votes = sqlite_counts(source_path)["poll_votes"]
    with pytest.raises(DatabaseError, match=f"poll_votes has {votes} rows in the source but {votes - 1} arrived"):
        await copy_sqlite_to_postgres(source_path, url, chunk_rows=1000)
    assert await pg_counts(url) == dict.fromkeys(TABLES, 0)


# -- the command -----------------------------------------------------------------------------------


def test_the_default_source_follows_the_settings() -> None:
    assert default_source({}) == (PROJECT_DIR / "data" / "lightstick.db", "DATABASE_PATH")
    assert default_source({"DATABASE_URL": "sqlite:///other/x.db"}) == (PROJECT_DIR / "other/x.db", "DATABASE_URL")
    postgres = {"DATABASE_URL": "postgresql://u:p@h/db", "DATABASE_PATH": "/srv/old.db"}
    assert default_source(postgres) == (Path("/srv/old.db"), "DATABASE_PATH")
    with pytest.raises(DatabaseError, match="sqlite:///"):
        default_source({"DATABASE_URL": "sqlite://x.db"})


def test_help_describes_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--help"], ["copy", "--help"]):
        with pytest.raises(SystemExit) as exited:
            main(argv)
        assert exited.value.code == 0
    out = capsys.readouterr().out
    assert "copy" in out and "--to URL" in out and "--from PATH" in out and "empty PostgreSQL" in out


def command_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    """The environment without DISCORD_TOKEN or database settings, and an .env of our own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_", "DEV_GUILD"))}
    env_file = tmp_path / "test.env"
    env_file.write_text("".join(f"{key}={value}\n" for key, value in settings.items()))
    env["LIGHTSTICK_ENV_FILE"] = str(env_file)
    return env


async def run_command(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "bot.db", "copy", *args]
    return await asyncio.to_thread(
        subprocess.run, command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=120
    )


async def test_the_command_copies_and_prints_one_line_per_table(
    pg_server: PostgresServer, source_path: Path, tmp_path: Path
) -> None:
    url = await pg_server.new_database(migrated=False)
    result = await run_command(command_env(tmp_path), "--to", url, "--from", str(source_path))
    assert (result.returncode, result.stderr) == (0, "")
    counts = sqlite_counts(source_path)
    lines = result.stdout.splitlines()
    assert lines[:-1] == [f"{table}: {rows} row{'' if rows == 1 else 's'}" for table, rows in counts.items()]
    assert lines[0] == "meta: 1 row" and counts["poll_votes"] > 1
    total = sum(counts.values())
    assert lines[-1].startswith(f"copied {total} rows in {len(TABLES)} tables from {source_path} to postgresql://")
    assert PASSWORD not in result.stdout
    assert await pg_counts(url) == counts


async def test_the_command_refuses_a_used_target_in_one_line(
    pg_server: PostgresServer, source_path: Path, tmp_path: Path
) -> None:
    url = await pg_server.new_database()
    target = await opened(PostgresDatabase(url))
    try:
        async with target.transaction() as conn:
            await conn.execute("INSERT INTO storyline_guilds SELECT 1, 2, '21:00', 'UTC', NULL, 1, 0, 6, 0, NULL, 0,"
                               " 0, '2026-01-01', 0, NULL, NULL, NULL, 0, 0")  # fmt: skip
    finally:
        await target.close()
    # No --from: the source is the DATABASE_PATH the .env names.
    result = await run_command(command_env(tmp_path, DATABASE_PATH=str(source_path)), "--to", url)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("lightstick: the target database already has rows in storyline_guilds")
    assert "nothing was copied" in result.stderr
    assert await pg_counts(url) == {table: 1 if table == "storyline_guilds" else 0 for table in TABLES}
