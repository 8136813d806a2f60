"""Settings from the environment (and `.env`), checked before anything starts.

A missing or malformed value stops the program with one clear line naming the key and
what to do, and exit code 2 — no traceback. The token is kept out of ``repr`` so it can
never end up in a log line.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.paths import resolve_project_path

EXIT_CONFIG = 2
DEFAULT_DATABASE_PATH = "data/lightstick.db"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigError(Exception):
    """A setting is missing or malformed; the message says which and what to do."""


@dataclass(frozen=True, slots=True)
class Settings:
    token: str = field(repr=False)
    database_path: Path
    dev_guild_id: int | None
    log_level: str

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        return cls(
            token=_token(env.get("DISCORD_TOKEN", "")),
            database_path=_database_path(env.get("DATABASE_PATH", "")),
            dev_guild_id=_dev_guild_id(env.get("DEV_GUILD_ID", "")),
            log_level=_log_level(env.get("LOG_LEVEL", "")),
        )

    @property
    def log_level_number(self) -> int:
        return int(logging.getLevelName(self.log_level))


def _token(value: str) -> str:
    value = value.strip()
    if not value:
        raise ConfigError(
            "DISCORD_TOKEN is not set: copy .env.example to .env and paste your bot token "
            "(Discord Developer Portal → your application → Bot → Reset Token)."
        )
    if any(ch.isspace() for ch in value) or value.count(".") != 2:
        raise ConfigError(
            "DISCORD_TOKEN does not look like a bot token (three parts separated by dots): "
            "copy it again from the Developer Portal → Bot → Reset Token."
        )
    return value


def _database_path(value: str) -> Path:
    value = value.strip() or DEFAULT_DATABASE_PATH
    path = resolve_project_path(value)
    if path.exists() and path.is_dir():
        raise ConfigError(
            f"DATABASE_PATH points at a directory ({path}): give a file path such as {DEFAULT_DATABASE_PATH}."
        )
    return path


def _dev_guild_id(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdigit() or not 17 <= len(value) <= 20:
        raise ConfigError(
            f"DEV_GUILD_ID must be a server id (17–20 digits), got {value!r}: enable Developer Mode, "
            "right-click the server → Copy Server ID, or leave it empty."
        )
    return int(value)


def _log_level(value: str) -> str:
    value = value.strip().upper() or "INFO"
    if value not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {value!r}.")
    return value
