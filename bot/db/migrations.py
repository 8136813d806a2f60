"""Numbered SQL migrations, one history for both engines.

``NNNN_name.sql`` is shared SQL. Where the engines truly differ (types for snowflakes,
``STRICT`` tables, identity columns), ``NNNN_name.postgresql.sql`` or ``NNNN_name.sqlite.sql``
replaces it for that engine; both variants keep the number and the name.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from bot.db.errors import DatabaseError
from bot.paths import MIGRATIONS_DIR

ENGINES = ("sqlite", "postgresql")
_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)(?:\.(sqlite|postgresql))?\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]


def split_statements(script: str) -> list[str]:
    """Split a SQL script into complete statements (triggers with inner ``;`` stay whole)."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statement = buffer.strip()
            if statement.strip(";").strip():
                statements.append(statement)
            buffer = ""
    if buffer.strip() and not _is_only_comments(buffer):
        raise DatabaseError(f"incomplete SQL statement at the end of a migration: {buffer.strip()[:80]!r}")
    return statements


def _is_only_comments(text: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in text.splitlines())


def load_migrations(directory: Path = MIGRATIONS_DIR, engine: str = "sqlite") -> list[Migration]:
    """Read the migrations for `engine` in order; versions must run 1, 2, 3… without gaps."""
    chosen: dict[int, tuple[str, Path, bool]] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if not match:
            raise DatabaseError(f"migration file {path.name} is not named NNNN_name.sql or NNNN_name.<engine>.sql")
        version, name, variant = int(match.group(1)), match.group(2), match.group(3)
        if variant is not None and variant != engine:
            continue
        stem = f"{match.group(1)}_{name}"
        known = chosen.get(version)
        if known is not None and known[0] != stem:
            raise DatabaseError(f"migrations {known[0]} and {stem} share the number {version:04d}")
        if known is None or variant is not None:
            chosen[version] = (stem, path, variant is not None)
    migrations = [
        Migration(version, stem, tuple(split_statements(path.read_text("utf-8"))))
        for version, (stem, path, _) in sorted(chosen.items())
    ]
    for expected, migration in enumerate(migrations, start=1):
        if migration.version != expected:
            raise DatabaseError(f"migration {migration.name} should be numbered {expected:04d}")
    return migrations
