"""Settings from the environment (and `.env`), checked before anything starts.

A missing or malformed value stops the program with one clear line naming the key and
what to do, and exit code 2 — no traceback. The token is kept out of ``repr`` so it can
never end up in a log line.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from bot.paths import resolve_project_path
from bot.sharding import GuildOwnership, format_shard_ids, parse_shard_ids

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
    #: A PostgreSQL URL, or None for SQLite at ``database_path``.
    database_url: str | None = field(default=None, repr=False)
    #: None: as many shards as Discord recommends.
    shard_count: int | None = None
    #: None: every shard.
    shard_ids: tuple[int, ...] | None = None
    #: None: no health or metrics endpoint.
    metrics_port: int | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        database_url = _database_url(env.get("DATABASE_URL", ""))
        sqlite_path = database_url.removeprefix("sqlite:///") if database_url.startswith("sqlite:///") else ""
        shard_count = _shard_count(env.get("SHARD_COUNT", ""))
        return cls(
            token=_token(env.get("DISCORD_TOKEN", "")),
            database_path=_database_path(
                sqlite_path or env.get("DATABASE_PATH", ""), key="DATABASE_URL" if sqlite_path else "DATABASE_PATH"
            ),
            dev_guild_id=_dev_guild_id(env.get("DEV_GUILD_ID", "")),
            log_level=_log_level(env.get("LOG_LEVEL", "")),
            database_url=database_url if database_url.startswith("postgres") else None,
            shard_count=shard_count,
            shard_ids=_shard_ids(env.get("SHARD_IDS", ""), shard_count),
            metrics_port=_metrics_port(env.get("METRICS_PORT", "")),
        )

    @property
    def engine(self) -> str:
        return "postgresql" if self.database_url else "sqlite"

    @property
    def database_label(self) -> str:
        """Where the data lives, for logs: the SQLite path, or the PostgreSQL host and database."""
        if self.database_url is None:
            return str(self.database_path)
        parsed = urlsplit(self.database_url)
        return (
            f"postgresql://{parsed.hostname or 'localhost'}{':' + str(parsed.port) if parsed.port else ''}{parsed.path}"
        )

    def ownership(self, shard_count: int) -> GuildOwnership:
        return GuildOwnership(shard_count, self.shard_ids)

    def with_shards(self, shard_count: int) -> Settings:
        """These settings once the shard count is known (SHARD_IDS checked against it)."""
        _check_shard_ids(self.shard_ids, shard_count, "Discord recommends")
        return replace(self, shard_count=shard_count)

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


def _database_path(value: str, *, key: str = "DATABASE_PATH") -> Path:
    value = value.strip() or DEFAULT_DATABASE_PATH
    path = resolve_project_path(value)
    if path.exists() and path.is_dir():
        raise ConfigError(f"{key} points at a directory ({path}): give a file path such as {DEFAULT_DATABASE_PATH}.")
    return path


def _database_url(value: str) -> str:
    """Empty, ``sqlite:///path`` or ``postgresql://user:password@host:port/database``."""
    value = value.strip()
    if not value:
        return ""
    scheme = value.partition("://")[0].lower()
    if scheme == "sqlite":
        if not value.startswith("sqlite:///") or len(value) == len("sqlite:///"):
            raise ConfigError(
                "DATABASE_URL must look like sqlite:///data/lightstick.db (three slashes, then the file), "
                "or be left empty for SQLite at DATABASE_PATH."
            )
        return value
    if scheme in ("postgresql", "postgres"):
        problem = postgres_url_problem(value, "DATABASE_URL")
        if problem:
            raise ConfigError(problem)
        return value
    raise ConfigError(
        f"DATABASE_URL must start with sqlite:/// or postgresql://, got {scheme or value[:20]!r}: "
        f"leave it empty for SQLite, or give {_MODEL_URL}"
    )


_MODEL_URL = "postgresql://user:password@host:5432/lightstick"


def postgres_url_problem(url: str, name: str) -> str | None:
    """What is wrong with a PostgreSQL URL given as `name` (a setting or an option), if anything."""
    if url.partition("://")[0].lower() not in ("postgresql", "postgres"):
        return f"{name} must be a PostgreSQL URL such as {_MODEL_URL}"
    try:
        parsed = urlsplit(url)
        parsed.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        return f"{name} is not a valid PostgreSQL URL ({exc}): {_MODEL_URL}"
    if not (parsed.hostname or "host=" in parsed.query) or parsed.path in ("", "/"):
        return f"{name} needs a host and a database name: {_MODEL_URL}"
    return None


def _shard_count(value: str) -> int | None:
    value = value.strip().lower()
    if value in ("", "auto"):
        return None
    if not value.isdigit() or int(value) < 1:
        raise ConfigError(f"SHARD_COUNT must be auto or a whole number of at least 1, got {value!r}.")
    return int(value)


def _shard_ids(value: str, shard_count: int | None) -> tuple[int, ...] | None:
    value = value.strip()
    if not value or value.lower() == "all":
        return None
    try:
        ids = parse_shard_ids(value)
    except ValueError as exc:
        raise ConfigError(
            f"SHARD_IDS must be shard numbers such as 0-3 or 0,2,5 ({exc}); leave it empty for all shards."
        ) from exc
    if shard_count is not None:
        _check_shard_ids(ids, shard_count, "SHARD_COUNT is")
    return ids


def _check_shard_ids(ids: tuple[int, ...] | None, shard_count: int, source: str) -> None:
    outside = [shard for shard in ids or () if shard >= shard_count]
    if outside:
        raise ConfigError(
            f"SHARD_IDS {format_shard_ids(ids or ())} reaches shard {max(outside)}, but {source} {shard_count} "
            f"shard(s), numbered 0 to {shard_count - 1}: fix SHARD_IDS or SHARD_COUNT."
        )


def _metrics_port(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise ConfigError(
            f"METRICS_PORT must be a port number (1–65535), got {value!r}; leave it empty to turn metrics off."
        )
    return int(value)


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
