"""Scale-out benchmarks: PostgreSQL beside SQLite, and 5,000 guilds over 2 processes.

Run: ``python benchmarks/bench_scale.py``. Needs the PostgreSQL server binaries (initdb,
pg_ctl); without them it says so and exits 0. The server is started by ``tests.pg`` with
durable settings (fsync and synchronous_commit on), so every commit waits for the disk.

1. Vote ingest through the real handler path (``PollVoting`` → ``VoteWriter`` →
   ``PollStore.write_batch``), the workload of bench_polls.py, on a SQLite file and on
   PostgreSQL, where the store writes through COPY; beside it, the naive ``executemany``
   path measured in the same run.
2. Due-guild selection among 100,000 storyline schedules (bench_storyline.py's seeding and
   timing) on SQLite and on PostgreSQL.
3. ``python -m tests.fakediscord.runner --processes 2`` (the real supervisor and bot) against
   a fake Discord holding 5,000 guilds on 4 shards: time until every shard is ready, and
   each child's idle RSS.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_polls import BENCH_DIR, INGEST_EVENTS, NOW, feed, make_events, new_poll
from bench_storyline import DUE_LIMIT, GOAL_WAKE_MS, SCHEDULES, WAKE_UPS, _measure_wake_ups, percentile

from bot.clock import FakeClock
from bot.db import Database, SqliteDatabase
from bot.db.postgres import PostgresDatabase
from bot.paths import PROJECT_DIR
from bot.polls.store import EventRow, PollStore, VoteKey, VoteRow
from bot.polls.voting import PollVoting
from tests.conftest import bot_process_env
from tests.fakediscord import FakeDiscord
from tests.pg import MISSING, PostgresServer, find_bin_dir, start_server

GOAL_INGEST = 20_000
GUILDS = 5_000
PROCESSES = 2
SHARDS = 4
GOAL_RSS_MB = 120
READY_TIMEOUT = 120.0
IDLE_SETTLE = 5.0
#: Discord's pace: one IDENTIFY per bucket every 5 s (tests.fakediscord.runner defaults to 0.2 s).
IDENTIFY_INTERVAL = 5.0

# -- 1. vote ingest -------------------------------------------------------------------


class ExecutemanyStore(PollStore):
    """The naive write path for comparison: one statement per row through ``executemany``."""

    async def write_batch(
        self, adds: Sequence[VoteRow], removes: Sequence[VoteKey], events: Sequence[EventRow]
    ) -> None:
        async with self.db.transaction() as conn:
            if removes:
                await conn.executemany(
                    "DELETE FROM poll_votes WHERE guild_id = ? AND poll_id = ? AND user_id = ? AND option = ?",
                    removes,
                )
            if adds:
                await conn.executemany(
                    "INSERT INTO poll_votes (guild_id, poll_id, user_id, option, voted_at, member_joined_at, weight)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    adds,
                )
            if events:
                await conn.executemany(
                    "INSERT INTO poll_vote_events (guild_id, poll_id, user_id, kind, option, from_option, reason,"
                    " source, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    events,
                )


async def ingest(db: Database, store_type: type[PollStore] = PollStore) -> tuple[float, int, float, int]:
    """bench_polls.py's ingest workload: events/s, transactions, worst lag (s), counted votes."""
    store = store_type(db)
    voting = PollVoting(store, FakeClock(NOW))
    poll = await new_poll(store, voting, message_id=10, choices=3)
    events = make_events(10, INGEST_EVENTS)
    elapsed = await feed(voting, events)
    await voting.aclose()
    counted = await db.fetchval("SELECT COUNT(*) FROM poll_votes WHERE poll_id = ?", (poll.poll_id,))
    return len(events) / elapsed, voting.writer.flushes, voting.writer.max_lag, int(counted)


def ingest_line(label: str, result: tuple[float, int, float, int]) -> str:
    rate, flushes, lag, counted = result
    verdict = "ok" if rate >= GOAL_INGEST else "BELOW GOAL"
    return (
        f"  {label}: {rate:,.0f} events/s (goal >= {GOAL_INGEST:,}) {verdict}; "
        f"{flushes} transactions, worst lag {lag * 1000:,.0f} ms, {counted:,} votes counted"
    )


async def bench_ingest(server: PostgresServer, directory: Path) -> None:
    print(f"vote ingest, PollVoting → VoteWriter → PollStore.write_batch, {INGEST_EVENTS:,} events:")
    sqlite = SqliteDatabase(directory / "ingest.db")
    async with sqlite:
        await sqlite.migrate()
        print(ingest_line("SQLite on disk (WAL, synchronous=NORMAL), executemany", await ingest(sqlite)))
    variants: list[tuple[str, type[PollStore]]] = [
        ("COPY through Transaction.insert_rows/delete_rows (the store)", PollStore),
        ("executemany, one statement per row (naive)", ExecutemanyStore),
    ]
    counts = set()
    for label, store_type in variants:
        async with PostgresDatabase(await server.new_database()) as pg:
            result = await ingest(pg, store_type)
        counts.add(result[3])
        print(ingest_line(f"PostgreSQL (fsync, synchronous_commit on), {label}", result))
    if len(counts) != 1:
        print(f"  WARNING: the PostgreSQL variants counted different votes: {sorted(counts)}")


# -- 2. due-guild selection -----------------------------------------------------------


async def bench_due(server: PostgresServer, directory: Path) -> None:
    print(f"due-guild selection among {SCHEDULES:,} storyline schedules, {WAKE_UPS:,} wake-ups (limit {DUE_LIMIT}):")
    engines: list[tuple[str, Database]] = [
        ("SQLite on disk", SqliteDatabase(directory / "schedules.db")),
        ("PostgreSQL", PostgresDatabase(await server.new_database())),
    ]
    for label, db in engines:
        async with db:
            await db.migrate()
            samples, picked = await _measure_wake_ups(db)
        p50, p99 = percentile(samples, 0.50), percentile(samples, 0.99)
        verdict = "ok" if p99 <= GOAL_WAKE_MS else "OVER GOAL"
        print(
            f"  {label}: earliest_due + due_guilds p99 {p99:.2f} ms (goal <= {GOAL_WAKE_MS:.0f} ms) {verdict}; "
            f"p50 {p50:.2f} ms, max {max(samples):.2f} ms, {sum(picked):,} guilds picked"
        )


# -- 3. 5,000 guilds over 2 processes -------------------------------------------------

_SHARD_READY = re.compile(r"shard (\d+): ready with (\d+) guilds")


def children_of(pid: int) -> list[int]:
    """Processes whose parent is `pid`, from /proc/*/stat (no psutil)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            text = stat.read_text()
            fields = text[text.rindex(")") + 2 :].split()
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
    return sorted(found)


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


class LogWatch:
    """Reads the supervisor's stdout (its children's too) and notes when each shard is ready."""

    def __init__(self, process: asyncio.subprocess.Process, started: float) -> None:
        self.process = process
        self.started = started
        self.lines: list[str] = []
        self.shard_ready: dict[int, tuple[float, int]] = {}
        self.logged_in: list[float] = []
        self.changed = asyncio.Event()

    async def read(self) -> None:
        assert self.process.stdout is not None
        while raw := await self.process.stdout.readline():
            line = raw.decode(errors="replace").rstrip()
            self.lines.append(line)
            at = time.monotonic() - self.started
            if match := _SHARD_READY.search(line):
                self.shard_ready.setdefault(int(match.group(1)), (at, int(match.group(2))))
            elif "logged in as" in line:
                self.logged_in.append(at)
            self.changed.set()

    async def all_ready(self) -> None:
        while len(self.shard_ready) < SHARDS or len(self.logged_in) < PROCESSES:
            if self.process.returncode is not None:
                raise RuntimeError("the supervisor exited before every shard was ready")
            self.changed.clear()
            await self.changed.wait()


async def bench_processes(server: PostgresServer, directory: Path) -> None:
    fake = FakeDiscord()
    await fake.start()
    for n in range(GUILDS):
        fake.add_guild(f"guild {n}", shard=(n % SHARDS, SHARDS))
    fake.recommended_shards = SHARDS
    url = await server.new_database()
    env = bot_process_env(
        fake, directory / "unused.db", DATABASE_URL=url, SHARD_COUNT=str(SHARDS),
        LIGHTSTICK_FAKE_IDENTIFY_INTERVAL=str(IDENTIFY_INTERVAL),
    )  # fmt: skip
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.fakediscord.runner", "--processes", str(PROCESSES),
        cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    watch = LogWatch(process, started)
    reader = asyncio.create_task(watch.read())
    try:
        try:
            await asyncio.wait_for(watch.all_ready(), READY_TIMEOUT)
        except (TimeoutError, RuntimeError) as exc:
            print(f"  FAILED: not every shard was ready ({exc}); the last log lines:")
            for line in watch.lines[-30:]:
                print(f"    {line}")
            return
        ready_at = time.monotonic() - started
        await asyncio.sleep(IDLE_SETTLE)
        children = children_of(process.pid)
        rss = [(pid, rss_mb(pid), rss_mb(pid, "VmHWM")) for pid in children]
        supervisor_rss = rss_mb(process.pid)
    finally:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), 30)
        except TimeoutError:
            process.kill()
            await process.wait()
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader
        await fake.stop()
    identifies = [at - started for at in fake.identify_times]
    readies = sorted(watch.shard_ready.items())
    print(
        f"{GUILDS:,} guilds, {SHARDS} shards over {PROCESSES} processes (python -m tests.fakediscord.runner "
        f"--processes {PROCESSES}, PostgreSQL):"
    )
    goal = f"(goal: ≤ {GOAL_RSS_MB} MB per process at {GUILDS // PROCESSES:,} guilds)"
    print(f"  start until every shard ready: {ready_at:.1f} s (every process logged in)")
    print(
        "  shards ready at: "
        + ", ".join(f"shard {shard} {at:.1f} s ({count:,} guilds)" for shard, (at, count) in readies)
    )
    print(
        f"  IDENTIFYs at: {', '.join(f'{at:.1f} s' for at in identifies)} "
        f"(first one {identifies[0] if identifies else float('nan'):.1f} s after start: imports, "
        "database, catalog, cogs, command sync)"
    )
    gaps = [b - a for a, b in itertools.pairwise(identifies)]
    if gaps:
        print(
            f"  login pacing: {sum(gaps):.1f} s of {ready_at:.1f} s between the first and the last IDENTIFY "
            f"(gaps {', '.join(f'{gap:.1f}' for gap in gaps)} s, Discord's {IDENTIFY_INTERVAL:g} s per "
            f"IDENTIFY across processes); last IDENTIFY → all ready "
            f"{ready_at - identifies[-1]:.1f} s"
        )
    for index, (pid, now_mb, peak_mb) in enumerate(rss):
        verdict = "ok" if now_mb <= GOAL_RSS_MB else "OVER GOAL"
        print(f"  child {index} (pid {pid}) idle RSS {now_mb:.0f} MB {goal} {verdict}; peak {peak_mb:.0f} MB")
    if len(rss) != PROCESSES:
        print(f"  WARNING: found {len(rss)} child processes, expected {PROCESSES}")
    print(f"  supervisor RSS {supervisor_rss:.0f} MB")


async def main() -> None:
    if find_bin_dir() is None:
        print(f"bench_scale: skipped: {MISSING}")
        return
    server = start_server(durable=True)
    try:
        with tempfile.TemporaryDirectory(dir=BENCH_DIR) as tmp:
            directory = Path(tmp)
            await bench_ingest(server, directory)
            await bench_due(server, directory)
            await bench_processes(server, directory)
    finally:
        server.stop()


if __name__ == "__main__":
    asyncio.run(main())
