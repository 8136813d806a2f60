"""Health and Prometheus metrics over HTTP, served from the bot's own event loop.

Off unless ``METRICS_PORT`` is set; then the bot listens on ``0.0.0.0:METRICS_PORT``:

* ``GET /metrics`` — the default Prometheus registry: votes ingested, storyline posts,
  REST 429s, reconciliation passes per shard, shard latency and how many shards are ready.
* ``GET /health`` — JSON about this process's shards and database; 200 when every shard is
  connected and the database answers within 2 s, 503 otherwise (for load balancers and
  orchestrators).

This module never imports discord, so the Discord-free domain may count through it. The bot
is read duck-typed: an ``AutoShardedClient`` through ``shards``/``shard_ids``, a plain
``Client`` through ``latency``/``shard_id``.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, generate_latest

log = logging.getLogger(__name__)

METRICS_HOST = "0.0.0.0"
#: The database must answer ``SELECT 1`` within this for /health to say ok.
DATABASE_TIMEOUT = 2.0
PROCESS_INDEX_ENV = "LIGHTSTICK_PROCESS_INDEX"
#: A scrape still running when the bot stops gets this long to finish.
SHUTDOWN_TIMEOUT = 2.0

AsyncCleanup = Callable[[], Awaitable[None]]

VOTES_INGESTED = Counter("lightstick_votes_ingested", "Reaction events applied to the poll vote ledger.")
POSTS = Counter("lightstick_posts", "Storyline of the day posts made.")
REST_429 = Counter("lightstick_rest_429", "HTTP 429 (rate limited) answers met by the Discord REST client.")
RECONCILIATIONS = Counter(
    "lightstick_reconciliations", "Passes reconciling open polls against their reactions.", ["shard"]
)
SHARD_LATENCY = Gauge("lightstick_shard_latency_seconds", "Gateway heartbeat latency of each shard.", ["shard"])
SHARDS_READY = Gauge("lightstick_shards_ready", "Shards of this process that are connected.")


def count_reconciliation(shards: Iterable[int]) -> None:
    """One reconciliation pass over the open polls of these shards."""
    for shard in shards:
        RECONCILIATIONS.labels(shard=str(shard)).inc()


def rest_trace() -> aiohttp.TraceConfig:
    """An aiohttp trace for the bot's REST session that counts every 429 Discord answers
    (whether discord.py then retries or gives up, and whatever the log level)."""

    async def on_request_end(
        session: aiohttp.ClientSession, context: Any, params: aiohttp.TraceRequestEndParams
    ) -> None:
        if params.response.status == 429:
            REST_429.inc()

    trace = aiohttp.TraceConfig()
    trace.on_request_end.append(on_request_end)
    return trace


# -- what /health reports --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShardState:
    ready: bool
    #: None until the first heartbeat is acknowledged.
    latency: float | None


@dataclass(frozen=True, slots=True)
class DatabaseState:
    ok: bool
    ms: float
    error: str | None = None


def process_shards(bot: Any) -> list[int]:
    """The shard ids this process runs (a plain Client runs one: ``shard_id`` or 0)."""
    ids = getattr(bot, "shard_ids", None)
    if ids:
        return sorted(ids)
    infos = getattr(bot, "shards", None)
    if isinstance(infos, dict):
        count = getattr(bot, "shard_count", None)
        return list(range(count)) if count else sorted(infos)
    return [getattr(bot, "shard_id", None) or 0]


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def shard_states(bot: Any) -> dict[int, ShardState]:
    """Every shard this process should run, connected or not."""
    ready = bot.is_ready() and not bot.is_closed()
    infos = getattr(bot, "shards", None)
    if isinstance(infos, dict):
        states = {}
        for shard in process_shards(bot):
            info = infos.get(shard)
            connected = info is not None and ready and not info.is_closed()
            states[shard] = ShardState(connected, _finite(info.latency) if info is not None else None)
        return states
    ws = getattr(bot, "ws", None)
    connected = ready and ws is not None and ws.open
    return {process_shards(bot)[0]: ShardState(connected, _finite(bot.latency))}


async def database_state(db: Any) -> DatabaseState:
    started = time.perf_counter()
    try:
        await asyncio.wait_for(db.fetchval("SELECT 1"), DATABASE_TIMEOUT)
    except Exception as exc:
        error = f"no answer within {DATABASE_TIMEOUT:g} s" if isinstance(exc, TimeoutError) else str(exc)
        return DatabaseState(False, _ms_since(started), error or type(exc).__name__)
    return DatabaseState(True, _ms_since(started))


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def process_index() -> int:
    value = os.environ.get(PROCESS_INDEX_ENV, "")
    return int(value) if value.isdigit() else 0


async def health_report(bot: Any) -> tuple[bool, dict[str, Any]]:
    """Whether this process is healthy, and the JSON body that says why."""
    shards = shard_states(bot)
    database = await database_state(bot.db)
    healthy = bool(shards) and all(state.ready for state in shards.values()) and database.ok
    db_body: dict[str, Any] = {"ok": database.ok, "ms": database.ms}
    if database.error:
        db_body["error"] = database.error
    body = {
        "status": "ok" if healthy else "degraded",
        "shards": {
            str(shard): {
                "ready": state.ready,
                "latency_ms": None if state.latency is None else round(state.latency * 1000, 1),
            }
            for shard, state in shards.items()
        },
        "database": db_body,
        "process": process_index(),
    }
    return healthy, body


def refresh_shard_gauges(bot: Any) -> None:
    """Shard gauges are read at scrape time, so they are never stale."""
    states = shard_states(bot)
    SHARDS_READY.set(sum(state.ready for state in states.values()))
    for shard, state in states.items():
        SHARD_LATENCY.labels(shard=str(shard)).set(math.nan if state.latency is None else state.latency)


# -- the server ------------------------------------------------------------------------


def metrics_app(bot: Any) -> web.Application:
    async def metrics(request: web.Request) -> web.Response:
        refresh_shard_gauges(bot)
        response = web.Response(body=generate_latest())
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response

    async def health(request: web.Request) -> web.Response:
        healthy, body = await health_report(bot)
        return web.json_response(body, status=200 if healthy else 503)

    app = web.Application()
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/health", health)
    return app


async def _nothing() -> None:
    return None


async def start_metrics_server(bot: Any, port: int, host: str = METRICS_HOST) -> AsyncCleanup:
    """Serve /health and /metrics in the running loop; returns the coroutine that stops it.

    A port that cannot be bound is logged and the bot runs on without metrics: members are
    better served by a bot without its endpoint than by no bot.
    """
    runner = web.AppRunner(metrics_app(bot), access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as exc:
        await runner.cleanup()
        log.error("metrics: cannot listen on %s:%d (%s); running without /health and /metrics", host, port, exc)
        return _nothing
    log.info("metrics: /health and /metrics on %s:%d", host, port)
    stopped = False

    async def stop() -> None:
        nonlocal stopped
        if not stopped:
            stopped = True
            await runner.cleanup()

    return stop
