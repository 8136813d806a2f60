"""Server catalog benchmark: a guild's own entries on top of the 10,000-entry built-in catalog.

Run: ``python benchmarks/bench_server_catalog.py [--builtin N] [--own N] [--guilds N]
[--per-guild N] [--queries N] [--seed N]``.
The built-in catalog is bench_catalog's generated one; server entries are generated the same
way with another seed, validated by the server rules, and written to a SQLite database
(one guild with ``--own`` entries, ``--guilds`` guilds with ``--per-guild`` entries each).
Goals: autocomplete p99 <= 5 ms in the guild with 5,000 own entries over the 10,000
built-in ones; starting with 100 guilds x 1,000 entries adds <= 2 s (views load lazily,
so it should add about nothing); memory per 1,000 server entries is reported (no goal).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_catalog import (
    AUTOCOMPLETE_GOAL_MS,
    generate_catalog,
    hangul_queries,
    prefix_queries,
    story_queries,
    typo_queries,
)
from bot.catalog import Catalog, parse_catalog, validation
from bot.catalog.server import EntryKeys, GuildCatalogs, ServerCatalogStore, entry_fields, validate_server_entry
from bot.catalog.server.entries import to_json
from bot.db import SqliteDatabase

START_GOAL_S = 2.0
BIG_GUILD = 1
NOW = 1_772_000_000


def server_rows(count: int, seed: int) -> list[tuple[str, str, str]]:
    """(entry JSON, title key, artist key) of ``count`` valid server entries, distinct keys."""
    document = validation.toml_parser.loads(generate_catalog(count, seed))
    rows: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str]] = set()
    for raw in document["mv"]:
        raw.pop("id")
        raw.pop("universe", None), raw.pop("universe_order", None)  # keep clear of built-in orders
        mv = validate_server_entry(raw)
        keys = EntryKeys.of(mv)
        if (keys.title, keys.artist) not in seen:
            seen.add((keys.title, keys.artist))
            rows.append((to_json(entry_fields(mv)), keys.title, keys.artist))
    return rows


async def fill(db: SqliteDatabase, guild_id: int, rows: list[tuple[str, str, str]]) -> None:
    async with db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO server_entries (guild_id, entry, title_key, artist_key, suggested_by, approved_by,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, 1, 2, ?, ?)",
            [(guild_id, entry, title, artist, NOW, NOW) for entry, title, artist in rows],
        )
        await conn.execute(
            "INSERT INTO server_catalog_settings (guild_id, entries_version, updated_at) VALUES (?, 1, ?)",
            (guild_id, NOW),
        )


async def time_queries(run: Callable[[str], Awaitable[object]], queries: list[str]) -> tuple[float, float, float]:
    for query in queries[:50]:  # warm caches
        await run(query)
    timings = []
    for query in queries:
        started = time.perf_counter_ns()
        await run(query)
        timings.append((time.perf_counter_ns() - started) / 1e6)
    timings.sort()
    p50 = timings[len(timings) // 2]
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
    return p50, p99, timings[-1]


def verdict(ok: bool) -> str:
    return "ok" if ok else "OVER GOAL"


async def run(args: argparse.Namespace, directory: Path) -> int:
    started = time.perf_counter()
    builtin = parse_catalog(generate_catalog(args.builtin, args.seed))
    builtin.prepare_about_search()
    print(f"built-in catalog: {len(builtin)} entries ({time.perf_counter() - started:.1f} s to generate and load)")

    own_rows = server_rows(args.own, args.seed + 7)
    guild_rows = server_rows(args.per_guild, args.seed + 8)
    db = SqliteDatabase(directory / "bench.db")
    await db.connect()
    await db.migrate()
    await fill(db, BIG_GUILD, own_rows)
    for guild in range(args.guilds):
        await fill(db, 1000 + guild, guild_rows)
    print(
        f"database: guild {BIG_GUILD} with {len(own_rows)} own entries, "
        f"{args.guilds} guilds x {len(guild_rows)} entries"
    )
    failed = False

    # -- start: nothing is read until a guild asks -----------------------------------------------
    started = time.perf_counter()
    store = ServerCatalogStore(db, builtin)
    catalogs = GuildCatalogs(builtin, store)
    start_s = time.perf_counter() - started
    failed |= start_s > START_GOAL_S
    print(
        f"start with {args.guilds} guilds x {len(guild_rows)} entries: {start_s * 1000:.2f} ms, "
        f"{catalogs.loads} guilds read (goal <= {START_GOAL_S:.0f} s) {verdict(start_s <= START_GOAL_S)}"
    )

    # -- first use of each guild, then memory ----------------------------------------------------
    firsts = []
    for guild in range(args.guilds):
        started = time.perf_counter()
        await catalogs.get(1000 + guild)
        firsts.append((time.perf_counter() - started) * 1000)
    print(
        f"first use of a guild with {len(guild_rows)} entries (read + decode + index): "
        f"p50 {statistics.median(firsts):.0f} ms, max {max(firsts):.0f} ms; "
        f"all {args.guilds} if read eagerly: {sum(firsts) / 1000:.1f} s (no goal; they are read lazily)"
    )
    sample = range(min(args.guilds, 10))
    for guild in sample:
        catalogs.invalidate(1000 + guild)
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    for guild in sample:
        await catalogs.get(1000 + guild)
    used = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    per_thousand = used / len(sample) / (len(guild_rows) / 1000)
    print(
        f"memory per 1,000 server entries (tracemalloc over {len(sample)} guild views: MVs, index, "
        f"facets): {per_thousand / 1e6:.2f} MB (no goal)"
    )

    # -- autocomplete in the big guild --------------------------------------------------------------
    started = time.perf_counter()
    view = await catalogs.get(BIG_GUILD)
    view.prepare_about_search()
    print(
        f"first use of guild {BIG_GUILD} ({len(view.own)} own entries): {(time.perf_counter() - started) * 1000:.0f} ms"
    )

    rng = random.Random(args.seed + 1)
    merged = Catalog(view.entries)  # only to draw queries from both kinds of entries
    kinds = {
        "prefix": prefix_queries(merged, rng, args.queries),
        "typo": [query for query, _ in typo_queries(merged, rng, args.queries)],
        "hangul": hangul_queries(merged, rng, args.queries),
        "story": story_queries(merged, rng, args.queries),
    }

    async def autocomplete(query: str) -> object:
        return (await catalogs.get(BIG_GUILD)).autocomplete(query, 25)

    for kind, queries in kinds.items():
        p50, p99, worst = await time_queries(autocomplete, queries)
        failed |= p99 > AUTOCOMPLETE_GOAL_MS
        print(
            f"autocomplete {kind:<6} ({len(queries)} queries, {len(view)} entries): p50 {p50:.2f} ms, "
            f"p99 {p99:.2f} ms (goal <= {AUTOCOMPLETE_GOAL_MS:.0f} ms), max {worst:.2f} ms "
            f"{verdict(p99 <= AUTOCOMPLETE_GOAL_MS)}"
        )
    own_hits = sum(any(mv.from_server for mv in view.autocomplete(query)) for query in kinds["prefix"])
    print(f"prefix queries with a server entry among the choices: {own_hits / len(kinds['prefix']):.0%} (no goal)")
    await db.close()
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--builtin", type=int, default=10_000)
    parser.add_argument("--own", type=int, default=5_000, help="entries of the guild autocomplete is timed in")
    parser.add_argument("--guilds", type=int, default=100)
    parser.add_argument("--per-guild", type=int, default=1_000)
    parser.add_argument("--queries", type=int, default=2_000, help="per kind of query")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        return asyncio.run(run(args, Path(directory)))


if __name__ == "__main__":
    sys.exit(main())
