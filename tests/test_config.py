"""Settings.from_env and `python -m bot` with bad settings: one clear line, exit code 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import DEFAULT_DATABASE_PATH, ConfigError, Settings
from bot.paths import PROJECT_DIR

GOOD = {"DISCORD_TOKEN": "MTIz.abc.def", "DATABASE_PATH": "", "DEV_GUILD_ID": "", "LOG_LEVEL": ""}


def test_defaults() -> None:
    settings = Settings.from_env(GOOD)
    assert settings.database_path == PROJECT_DIR / DEFAULT_DATABASE_PATH
    assert settings.dev_guild_id is None
    assert settings.log_level == "INFO"


def test_values_are_parsed(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {**GOOD, "DATABASE_PATH": str(tmp_path / "x.db"), "DEV_GUILD_ID": "123456789012345678", "LOG_LEVEL": "debug"}
    )
    assert settings.database_path == tmp_path / "x.db"
    assert settings.dev_guild_id == 123456789012345678
    assert settings.log_level == "DEBUG"


def test_token_never_in_repr() -> None:
    assert "MTIz.abc.def" not in repr(Settings.from_env(GOOD))


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("DISCORD_TOKEN", "", "DISCORD_TOKEN is not set: copy .env.example to .env"),
        ("DISCORD_TOKEN", "not a token", "DISCORD_TOKEN does not look like a bot token"),
        ("DEV_GUILD_ID", "my-server", "DEV_GUILD_ID must be a server id (17–20 digits), got 'my-server'"),
        ("DEV_GUILD_ID", "123", "DEV_GUILD_ID must be a server id (17–20 digits), got '123'"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got 'LOUD'"),
    ],
)
def test_bad_value_names_key(key: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({**GOOD, key: value})
    assert str(caught.value).startswith(message)


def test_database_path_that_is_a_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="DATABASE_PATH points at a directory"):
        Settings.from_env({**GOOD, "DATABASE_PATH": str(tmp_path)})


def run_bot(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot"], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    ("key", "value", "needle"),
    [
        ("DISCORD_TOKEN", "", "DISCORD_TOKEN is not set"),
        ("DEV_GUILD_ID", "abc", "DEV_GUILD_ID must be a server id"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL must be one of"),
    ],
)
def test_process_exits_2_with_one_line(tmp_path: Path, key: str, value: str, needle: str) -> None:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT_DIR), **GOOD, key: value}
    result = run_bot(env, tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert needle in lines[0]
    assert "Traceback" not in result.stderr


def test_the_token_is_redacted_from_log_lines(caplog: pytest.LogCaptureFixture) -> None:
    import logging

    from bot.logs import RedactSecrets

    logger = logging.getLogger("lightstick.test")
    redact = RedactSecrets(["MTIz.abc.def"])
    logger.addFilter(redact)
    try:
        with caplog.at_level(logging.INFO, logger="lightstick.test"):
            logger.info("connecting with %s", "MTIz.abc.def")
    finally:
        logger.removeFilter(redact)
    assert caplog.records[0].getMessage() == "connecting with [token]"


def test_unreachable_discord_is_one_clear_line(tmp_path: Path) -> None:
    """With nothing listening where Discord should be, the bot says so instead of a traceback."""
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(PROJECT_DIR),
        **GOOD,
        "DATABASE_PATH": str(tmp_path / "x.db"),
        "LIGHTSTICK_FAKE_API": "http://127.0.0.1:9/api/v10",
        "LIGHTSTICK_FAKE_GATEWAY": "ws://127.0.0.1:9/gateway",
    }
    result = subprocess.run(
        [sys.executable, "-m", "tests.fakediscord.runner"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1, result.stderr
    assert "lightstick: could not reach Discord" in result.stderr
    assert "Traceback" not in result.stderr
