"""`python -m bot --processes N`: a small parent that runs the shards in N bot processes.

The shard count comes from ``SHARD_COUNT`` or from Discord (GET /gateway/bot). The shards
(or the ``SHARD_IDS`` this machine was given) are split into N contiguous ranges; child
``i`` is the ordinary bot with ``SHARD_COUNT``, its own ``SHARD_IDS``,
``LIGHTSTICK_PROCESS_INDEX=i`` and, when ``METRICS_PORT`` is set, ``METRICS_PORT + i``.
Children inherit stdout/stderr; their log lines carry ``[p<i>]``.

* A child that dies is restarted after 1 s, 2 s, 4 s … (at most 60 s; back to 1 s once a
  child stayed up 60 s). A clean exit 0 the supervisor did not ask for is restarted too:
  a Discord bot is meant to stay up, and only a stop should end it.
* Exit code 2 is a settings problem a restart cannot fix: every child is stopped and the
  supervisor exits 2.
* SIGTERM/SIGINT are passed on to every child; a child still running after
  ``STOP_TIMEOUT`` is killed. Then the supervisor exits 0.

Several processes need one database they all reach, so SQLite is refused.

``LIGHTSTICK_CHILD_MODULE`` (for tests only) names the module the children run instead of
the one the supervisor was started as.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import signal
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import aiohttp

from bot.config import EXIT_CONFIG, ConfigError, Settings
from bot.metrics import PROCESS_INDEX_ENV
from bot.sharding import format_shard_ids, split_shards

log = logging.getLogger(__name__)

CHILD_MODULE_ENV = "LIGHTSTICK_CHILD_MODULE"
EXIT_UNREACHABLE = 1
#: How long a stopping child may take to flush its work before it is killed.
STOP_TIMEOUT = 20.0
FIRST_DELAY = 1.0
MAX_DELAY = 60.0
#: A child that ran this long before dying is restarted after FIRST_DELAY again.
STABLE_AFTER = 60.0
#: prctl option: the signal a child gets when its parent dies.
PR_SET_PDEATHSIG = 1


# -- planning (pure) -----------------------------------------------------------------


def die_with_parent() -> None:
    """In a child, before exec: SIGTERM it if the supervisor itself dies (even by SIGKILL),
    so no bot is left running shards that a new supervisor would start again (Linux only)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass(frozen=True, slots=True)
class ChildPlan:
    """One child process: its shards and the environment variables set for it."""

    index: int
    shard_ids: tuple[int, ...]
    env: Mapping[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"process {self.index} (shards {format_shard_ids(self.shard_ids)})"


def plan_children(
    shard_count: int,
    processes: int,
    *,
    shard_ids: Sequence[int] | None = None,
    metrics_port: int | None = None,
    source: str = "SHARD_COUNT is",
) -> list[ChildPlan]:
    """Split the shards (all, or ``shard_ids``) into ``processes`` contiguous ranges.

    ``source`` says where ``shard_count`` came from, for the message when it is too small.
    """
    ids = list(shard_ids) if shard_ids is not None else list(range(shard_count))
    if processes > len(ids):
        if shard_ids is not None:
            raise ConfigError(
                f"--processes {processes} needs at least {processes} shards, but SHARD_IDS "
                f"{format_shard_ids(ids)} has {len(ids)}: give SHARD_IDS more shards or lower --processes."
            )
        raise ConfigError(
            f"--processes {processes} needs at least {processes} shards, but {source} {shard_count}: "
            f"set SHARD_COUNT to at least {processes} or lower --processes."
        )
    if metrics_port is not None and metrics_port + processes - 1 > 65535:
        raise ConfigError(
            f"METRICS_PORT {metrics_port} leaves no room for {processes} processes (each uses the next port): "
            f"set METRICS_PORT to at most {65536 - processes}."
        )
    plans = []
    for index, chunk in enumerate(split_shards(len(ids), processes)):
        mine = tuple(ids[position] for position in chunk)
        env = {"SHARD_COUNT": str(shard_count), "SHARD_IDS": format_shard_ids(mine), PROCESS_INDEX_ENV: str(index)}
        if metrics_port is not None:
            env["METRICS_PORT"] = str(metrics_port + index)
        plans.append(ChildPlan(index, mine, env))
    return plans


def child_args(argv: Sequence[str]) -> list[str]:
    """The command line for the children: everything but ``--processes`` (in any spelling
    argparse accepts: ``--processes 3``, ``--processes=3``, an unambiguous prefix)."""
    args: list[str] = []
    skip_value = False
    for arg in argv:
        if skip_value:
            skip_value = False
            continue
        name, equals, _ = arg.partition("=")
        if len(name) > 2 and "--processes".startswith(name):
            skip_value = not equals
            continue
        args.append(arg)
    return args


def child_module() -> str:
    """The module the parent runs as (``bot``, or a test runner pointed at a fake Discord)."""
    override = os.environ.get(CHILD_MODULE_ENV, "").strip()
    if override:
        return override
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    name = spec.name if spec is not None else "bot"
    return name.removesuffix(".__main__")


def describe_exit(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    if returncode == 0:
        return "exited cleanly (exit code 0)"
    return f"died with exit code {returncode}"


@dataclass(slots=True)
class Backoff:
    """Exponential restart delays for one child, reset once it stayed up long enough."""

    first: float = FIRST_DELAY
    cap: float = MAX_DELAY
    stable_after: float = STABLE_AFTER
    _next: float = field(default=FIRST_DELAY, init=False)

    def __post_init__(self) -> None:
        self._next = self.first

    def next_delay(self, uptime: float) -> float:
        if uptime >= self.stable_after:
            self._next = self.first
        delay = self._next
        self._next = min(self._next * 2, self.cap)
        return delay


# -- running -------------------------------------------------------------------------


class Supervisor:
    """Keeps one child per plan running until stopped (see the module docstring)."""

    def __init__(self, command: Sequence[str], plans: Sequence[ChildPlan], *, stop_timeout: float = STOP_TIMEOUT):
        self._command = list(command)
        self._plans = list(plans)
        self._stop_timeout = stop_timeout
        self._stopping = asyncio.Event()
        self._signal = signal.SIGTERM
        self.exit_code = 0

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self._on_signal, sig)
        try:
            log.info("starting %d processes: %s", len(self._plans), ", ".join(p.label for p in self._plans))
            await asyncio.gather(*(self._keep_running(plan) for plan in self._plans))
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)
        log.info("every process stopped; exiting with %d", self.exit_code)
        return self.exit_code

    def stop(self, *, code: int = 0, sig: signal.Signals = signal.SIGTERM) -> None:
        if not self._stopping.is_set():
            self._signal = sig
        self.exit_code = max(self.exit_code, code)
        self._stopping.set()

    def _on_signal(self, sig: signal.Signals) -> None:
        log.info("received %s; stopping every process", sig.name)
        self.stop(sig=sig)

    async def _keep_running(self, plan: ChildPlan) -> None:
        try:
            await self._restart_loop(plan)
        except Exception:
            log.exception("%s could not be managed; stopping everything", plan.label)
            self.stop(code=1)

    async def _restart_loop(self, plan: ChildPlan) -> None:
        loop = asyncio.get_running_loop()
        backoff = Backoff()
        while not self._stopping.is_set():
            started = loop.time()
            process = await asyncio.create_subprocess_exec(
                *self._command, env={**os.environ, **plan.env}, process_group=0, preexec_fn=die_with_parent
            )
            log.info("%s started (pid %d)", plan.label, process.pid)
            if await self._stopped_first(process):
                await self._terminate(plan, process)
                return
            returncode = process.returncode
            assert returncode is not None
            if self._stopping.is_set():
                return
            reason = describe_exit(returncode)
            if returncode == EXIT_CONFIG:
                log.error("%s %s (a settings problem); stopping every process", plan.label, reason)
                self.stop(code=EXIT_CONFIG)
                return
            delay = backoff.next_delay(loop.time() - started)
            log.warning("%s %s; restarting in %g s", plan.label, reason, delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), delay)

    async def _stopped_first(self, process: asyncio.subprocess.Process) -> bool:
        """Wait for the child to exit or for a stop; True if the stop came first."""
        exited = asyncio.ensure_future(process.wait())
        stopping = asyncio.ensure_future(self._stopping.wait())
        await asyncio.wait({exited, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if exited.done():
            return False
        exited.cancel()
        return True

    async def _terminate(self, plan: ChildPlan, process: asyncio.subprocess.Process) -> None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(self._signal)
        try:
            await asyncio.wait_for(process.wait(), self._stop_timeout)
        except TimeoutError:
            log.warning("%s still running after %g s; killing it", plan.label, self._stop_timeout)
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
        log.info("%s stopped: %s", plan.label, describe_exit(process.returncode or 0))


# -- entry point ---------------------------------------------------------------------


async def recommended_shard_count(token: str) -> int:
    """Discord's recommended shard count for this bot (GET /gateway/bot)."""
    import discord

    http = discord.http.HTTPClient(asyncio.get_running_loop())
    try:
        await http.static_login(token)
        shards, _, _ = await http.get_bot_gateway()
    finally:
        await http.close()
    return int(shards)


def _refuse(message: str, code: int = EXIT_CONFIG) -> int:
    print(f"lightstick: {message}", file=sys.stderr)
    return code


async def _plan(settings: Settings, processes: int) -> list[ChildPlan]:
    if settings.shard_count is not None:
        return plan_children(
            settings.shard_count, processes, shard_ids=settings.shard_ids, metrics_port=settings.metrics_port
        )
    count = await recommended_shard_count(settings.token)
    settings = settings.with_shards(count)
    log.info("Discord recommends %d shard(s)", count)
    return plan_children(
        count, processes, shard_ids=settings.shard_ids, metrics_port=settings.metrics_port,
        source="Discord recommends",
    )  # fmt: skip


async def _supervise(settings: Settings, processes: int, argv: Sequence[str]) -> int:
    import discord

    try:
        plans = await _plan(settings, processes)
    except ConfigError as exc:
        return _refuse(str(exc))
    except discord.LoginFailure:
        return _refuse("Discord rejected DISCORD_TOKEN: reset the token in the Developer Portal and update .env.")
    except (aiohttp.ClientConnectionError, TimeoutError, discord.HTTPException, discord.GatewayNotFound) as exc:
        return _refuse(f"could not ask Discord for the shard count ({exc}); check the network or set SHARD_COUNT.",
                       EXIT_UNREACHABLE)  # fmt: skip
    command = [sys.executable, "-m", child_module(), *child_args(argv)]
    return await Supervisor(command, plans).run()


def supervise(settings: Settings, processes: int, argv: Sequence[str]) -> int:
    """Run ``processes`` bot processes until stopped; returns the exit code."""
    if settings.engine == "sqlite":
        return _refuse(
            f"--processes {processes} needs one PostgreSQL database that every process shares: set "
            "DATABASE_URL=postgresql://user:password@host:5432/lightstick (SQLite serves a single process)."
        )
    return asyncio.run(_supervise(settings, processes, argv))
