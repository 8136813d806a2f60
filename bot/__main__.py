"""`python -m bot`: load `.env`, check the settings, set up logging, run until stopped."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys

import aiohttp
import discord
from dotenv import load_dotenv

from bot.catalog import CatalogError
from bot.config import EXIT_CONFIG, ConfigError, Settings
from bot.db import DatabaseError
from bot.logs import setup_logging
from bot.paths import PROJECT_DIR

log = logging.getLogger("bot")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Run the Lightstick Discord bot.")
    parser.add_argument("--sync", action="store_true", help="sync slash commands even if they did not change")
    parser.add_argument(
        "--processes", type=int, default=1, metavar="N",
        help="run the shards in N processes under a supervisor (needs PostgreSQL; default 1: no supervisor)",
    )  # fmt: skip
    return parser.parse_args(argv)


EXIT_UNREACHABLE = 1


#: Gateway close codes Discord never lets a session resume after, and what to change.
GATEWAY_REFUSALS = {
    4004: "Discord rejected DISCORD_TOKEN: reset the token in the Developer Portal and update .env.",
    4010: (
        "Discord refused the shard Lightstick asked for (4010 invalid shard): SHARD_IDS must be below "
        "SHARD_COUNT; fix them in .env, or leave SHARD_IDS empty and SHARD_COUNT=auto."
    ),
    4011: (
        "Discord requires sharding for this many servers (4011): set SHARD_COUNT=auto (the default) "
        "or a larger SHARD_COUNT in .env."
    ),
    4014: (
        "Discord refused Lightstick's gateway intents (4014 disallowed intents): Lightstick needs no "
        "privileged intents, so run it unmodified, or turn the intent on in the Developer Portal under "
        "Bot → Privileged Gateway Intents."
    ),
}


def fail(message: str, code: int = EXIT_CONFIG) -> int:
    print(f"lightstick: {message}", file=sys.stderr)
    return code


async def run(settings: Settings, *, force_sync: bool) -> None:
    from bot.client import LightstickBot

    bot = LightstickBot(settings, force_sync=force_sync)
    await bot.open_database()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, _request_stop, bot, sig)
    async with bot:
        await bot.start(settings.token)


def _request_stop(bot: discord.Client, sig: signal.Signals) -> None:
    log.info("received %s; shutting down", sig.name)
    asyncio.get_running_loop().create_task(bot.close())


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.processes < 1:
        return fail(f"--processes must be at least 1 (how many bot processes share the shards), got {args.processes}.")
    load_dotenv(os.environ.get("LIGHTSTICK_ENV_FILE") or PROJECT_DIR / ".env", override=False)
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        return fail(str(exc))
    setup_logging(settings.log_level_number, secrets=[settings.token])
    if args.processes > 1:
        from bot.supervisor import supervise

        return supervise(settings, args.processes, sys.argv[1:] if argv is None else argv)
    try:
        asyncio.run(run(settings, force_sync=args.sync))
    except discord.LoginFailure:
        return fail("Discord rejected DISCORD_TOKEN: reset the token in the Developer Portal and update .env.")
    except discord.PrivilegedIntentsRequired:
        return fail(GATEWAY_REFUSALS[4014])
    except discord.ConnectionClosed as exc:
        if exc.code not in GATEWAY_REFUSALS:
            raise
        return fail(GATEWAY_REFUSALS[exc.code])
    except (CatalogError, ConfigError, DatabaseError) as exc:
        return fail(str(exc))
    except (aiohttp.ClientConnectionError, TimeoutError) as exc:
        return fail(f"could not reach Discord ({exc}); check the network and try again.", EXIT_UNREACHABLE)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
