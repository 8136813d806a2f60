"""`python -m bot.db`: database tools that run without the bot (and without DISCORD_TOKEN).

``copy --to postgresql://…`` moves an existing SQLite database into an empty PostgreSQL one.
Every failure is one ``lightstick: …`` line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NoReturn

from dotenv import load_dotenv

from bot.config import DEFAULT_DATABASE_PATH, EXIT_CONFIG
from bot.db.copy import NOTHING_COPIED, CopyReport, copy_sqlite_to_postgres, plural
from bot.db.errors import DatabaseError
from bot.paths import PROJECT_DIR, resolve_project_path

log = logging.getLogger(__name__)

EXIT_INTERRUPTED = 130


class OneLineParser(argparse.ArgumentParser):
    """Usage mistakes are failures too: one ``lightstick:`` line and exit 2, like the others."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_CONFIG, f"lightstick: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="python -m bot.db",
        description="Lightstick's database tools. They read .env like the bot, but need no DISCORD_TOKEN.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    copy = commands.add_parser(
        "copy",
        help="copy the SQLite database into an empty PostgreSQL database",
        description=(
            "Copy every row of a SQLite database into an empty PostgreSQL database, in one transaction: "
            "both are first migrated to the latest schema, then all rows arrive or none do. "
            "Stop the bot first, then point DATABASE_URL at the new database."
        ),
    )
    copy.add_argument(
        "--to", required=True, metavar="URL",
        help="the empty PostgreSQL database, e.g. postgresql://user:password@host:5432/lightstick",
    )  # fmt: skip
    copy.add_argument(
        "--from", dest="source", type=Path, metavar="PATH",
        help="the SQLite file to copy (default: the one .env names: DATABASE_PATH, or DATABASE_URL=sqlite:///…)",
    )  # fmt: skip
    copy.add_argument("-v", "--verbose", action="store_true", help="log progress (migrations, tables) to stderr")
    return parser


def default_source(env: Mapping[str, str]) -> tuple[Path, str]:
    """The SQLite file the settings name, and which setting named it (Settings.database_path's rule)."""
    url = env.get("DATABASE_URL", "").strip()
    if url.lower().startswith("sqlite:"):
        path = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else ""
        if not path:
            raise DatabaseError(
                "DATABASE_URL must look like sqlite:///data/lightstick.db, or give the file with --from"
            )
        return resolve_project_path(path), "DATABASE_URL"
    return resolve_project_path(env.get("DATABASE_PATH", "").strip() or DEFAULT_DATABASE_PATH), "DATABASE_PATH"


def report_lines(report: CopyReport) -> list[str]:
    lines = [f"{table.table}: {plural(table.rows, 'row')}" for table in report.tables]
    lines.append(
        f"copied {plural(report.rows, 'row')} in {plural(len(report.tables), 'table')} "
        f"from {report.source} to {report.target}"
    )
    return lines


def fail(message: str, code: int = EXIT_CONFIG) -> int:
    print(f"lightstick: {message}", file=sys.stderr)
    return code


def copy_command(args: argparse.Namespace) -> int:
    if args.source is not None:
        source, setting = args.source.expanduser(), "--from"
    else:
        source, setting = default_source(os.environ)
    report = asyncio.run(copy_sqlite_to_postgres(source, args.to, source_setting=setting))
    for line in report_lines(report):
        print(line)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    load_dotenv(os.environ.get("LIGHTSTICK_ENV_FILE") or PROJECT_DIR / ".env", override=False)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        return copy_command(args)
    except DatabaseError as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        return fail(f"interrupted, {NOTHING_COPIED}", EXIT_INTERRUPTED)
    except Exception as exc:
        log.info("copy failed", exc_info=True)  # the traceback, with --verbose
        return fail(f"copy failed ({type(exc).__name__}: {exc}), {NOTHING_COPIED}")


if __name__ == "__main__":
    sys.exit(main())
