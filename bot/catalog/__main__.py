"""``python -m bot.catalog check [FILE]``: validate a catalog file and print a summary.

Exit 0 with the summary on stdout, or 1 with every problem on stderr; the bot's own
loader runs the same validation, so a file that passes here loads at start.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.catalog.lookup import Catalog, load_catalog
from bot.catalog.model import THEMES, CatalogError
from bot.catalog.text import matching_key
from bot.paths import CATALOG_PATH


def summarize(catalog: Catalog) -> str:
    """Counts a reviewer can compare with the diff of the catalog."""
    entries = catalog.entries
    artists = {matching_key(mv.artist) for mv in entries}
    themes = catalog.themes_with_counts()
    universes = catalog.universes()
    lines = [
        f"{len(entries)} entries, {len(artists)} artists, "
        f"{len(themes)} of {len(THEMES)} themes used, {len(universes)} universes",
        f"with storyline: {sum(1 for mv in entries if mv.storyline)}, "
        f"with twist: {sum(1 for mv in entries if mv.twist)}, "
        f"mature: {sum(1 for mv in entries if mv.mature)}",
    ]
    lines += [f"universe {name!r}: {len(members)} entries" for name, members in universes]
    lines.append("themes: " + ", ".join(f"{theme} {count}" for theme, count in themes))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.catalog", description="Tools for Lightstick's MV catalog."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="validate a catalog file and print a summary")
    check.add_argument(
        "file", nargs="?", type=Path, default=CATALOG_PATH, help=f"default: {CATALOG_PATH}"
    )
    args = parser.parse_args(argv)
    try:
        catalog = load_catalog(args.file)
    except CatalogError as error:
        print(f"catalog check failed: {error}", file=sys.stderr)
        return 1
    print(f"{args.file}: OK")
    print(summarize(catalog))
    return 0


if __name__ == "__main__":
    sys.exit(main())
