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
    return parser.parse_args(argv)


EXIT_UNREACHABLE = 1


def fail(message: str, code: int = EXIT_CONFIG) -> int:
    print(f"lightstick: {message}", file=sys.stderr)
    return code


async def run(settings: Settings, *, force_sync: bool) -> None:
    from bot.client import LightstickBot

    bot = LightstickBot(settings, force_sync=force_sync)
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
    load_dotenv(os.environ.get("LIGHTSTICK_ENV_FILE") or PROJECT_DIR / ".env", override=False)
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        return fail(str(exc))
    setup_logging(settings.log_level_number, secrets=[settings.token])
    try:
        asyncio.run(run(settings, force_sync=args.sync))
    except discord.LoginFailure:
        return fail("Discord rejected DISCORD_TOKEN: reset the token in the Developer Portal and update .env.")
    except discord.PrivilegedIntentsRequired:
        return fail("Discord refused an intent; Lightstick needs no privileged intents.")
    except (CatalogError, DatabaseError) as exc:
        return fail(str(exc))
    except (aiohttp.ClientConnectionError, TimeoutError) as exc:
        return fail(f"could not reach Discord ({exc}); check the network and try again.", EXIT_UNREACHABLE)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
