"""Settings.from_env and `python -m bot` with bad settings: one clear line, exit code 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import DEFAULT_DATABASE_PATH, ConfigError, Settings
from bot.paths import PROJECT_DIR
from tests.pg import PostgresServer

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


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("DATABASE_URL", "mysql://x@y/z", "DATABASE_URL must start with sqlite:/// or postgresql://"),
        ("DATABASE_URL", "sqlite://relative.db", "DATABASE_URL must look like sqlite:///data/lightstick.db"),
        ("DATABASE_URL", "postgresql://user@host:port/db", "DATABASE_URL is not a valid PostgreSQL URL"),
        ("DATABASE_URL", "postgresql://user@host:5432", "DATABASE_URL needs a host and a database name"),
        ("SHARD_COUNT", "0", "SHARD_COUNT must be auto or a whole number of at least 1"),
        ("SHARD_COUNT", "many", "SHARD_COUNT must be auto or a whole number of at least 1"),
        ("SHARD_IDS", "0-x", "SHARD_IDS must be shard numbers such as 0-3 or 0,2,5"),
        ("SHARD_IDS", "3-1", "SHARD_IDS must be shard numbers such as 0-3 or 0,2,5 (the range '3-1' runs backwards)"),
        ("METRICS_PORT", "70000", "METRICS_PORT must be a port number (1–65535)"),
    ],
)
def test_bad_scale_settings_name_their_key(key: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({**GOOD, key: value})
    assert str(caught.value).startswith(message)


def test_shard_ids_outside_the_shard_count() -> None:
    with pytest.raises(ConfigError, match=r"SHARD_IDS 2-4 reaches shard 4, but SHARD_COUNT is 4 shard\(s\)"):
        Settings.from_env({**GOOD, "SHARD_COUNT": "4", "SHARD_IDS": "2-4"})


def test_scale_settings_are_parsed(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            **GOOD,
            "DATABASE_URL": "postgresql://bot:secret@db.example:5433/lightstick",
            "SHARD_COUNT": "8",
            "SHARD_IDS": "0-2,5",
            "METRICS_PORT": "9100",
        }
    )
    assert settings.engine == "postgresql"
    assert settings.database_label == "postgresql://db.example:5433/lightstick"
    assert "secret" not in repr(settings)
    assert (settings.shard_count, settings.shard_ids, settings.metrics_port) == (8, (0, 1, 2, 5), 9100)
    assert settings.ownership(8).owns(5 << 22) and not settings.ownership(8).owns(4 << 22)
    sqlite = Settings.from_env({**GOOD, "DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"})
    assert sqlite.engine == "sqlite" and sqlite.database_path == tmp_path / "a.db"


def run_against_absent_discord(tmp_path: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot` with Discord unreachable: a setting checked before login fails first."""
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(PROJECT_DIR),
        **GOOD,
        "DATABASE_PATH": str(tmp_path / "x.db"),
        "LIGHTSTICK_FAKE_API": "http://127.0.0.1:9/api/v10",
        "LIGHTSTICK_FAKE_GATEWAY": "ws://127.0.0.1:9/gateway",
        **settings,
    }
    return subprocess.run(
        [sys.executable, "-m", "tests.fakediscord.runner"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def assert_one_line(result: subprocess.CompletedProcess[str], needle: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert needle in lines[0]
    assert "Traceback" not in result.stderr


def test_a_file_that_is_not_a_database_stops_the_start_untouched(tmp_path: Path) -> None:
    path = tmp_path / "playlist.db"
    path.write_text("Supernova\nWHIPLASH\nSpell\n")
    result = run_against_absent_discord(tmp_path, DATABASE_PATH=str(path))
    assert_one_line(result, f"DATABASE_PATH points at {path}, which is not a SQLite database")
    assert path.read_text() == "Supernova\nWHIPLASH\nSpell\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["playlist.db"]


def test_a_folder_that_cannot_be_created_stops_the_start(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file where a folder should be")
    result = run_against_absent_discord(tmp_path, DATABASE_PATH=str(tmp_path / "taken" / "db" / "x.db"))
    assert_one_line(result, "DATABASE_PATH: cannot create the folder")


def test_an_unreachable_postgresql_stops_the_start_before_login(tmp_path: Path) -> None:
    from tests.pg import free_port

    result = run_against_absent_discord(
        tmp_path, DATABASE_URL=f"postgresql://bot:pw@127.0.0.1:{free_port()}/lightstick"
    )
    assert_one_line(result, "DATABASE_URL: cannot reach PostgreSQL at postgresql://bot@127.0.0.1")
    assert "pw" not in result.stderr


def test_a_wrong_postgresql_password_stops_the_start_before_login(tmp_path: Path, pg_server: PostgresServer) -> None:
    result = run_against_absent_discord(tmp_path, DATABASE_URL=pg_server.url("postgres", password="not-it"))
    assert_one_line(result, "refused the user name or password")


def test_processes_zero_is_refused(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT_DIR), **GOOD}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--processes", "0"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert_one_line(result, "--processes must be at least 1")
