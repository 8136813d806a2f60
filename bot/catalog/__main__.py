"""``python -m bot.catalog check [FILE] [--seeds DIR] [--pack]``: validate a catalog file.

Exit 0 with the summary on stdout, or 1 with every problem on stderr; the bot's own
loader runs the same validation, so a file that passes here loads at start. When the seed
articles are at hand (``--seeds``, by default ``../shared/seeds`` beside the project), the
storylines and twists are also checked for phrases copied from them. A pack (a ``.csv``
file, or TOML with ``--pack``) gets the import dry run of :mod:`bot.catalog.packs` instead.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from bot.catalog.lookup import Catalog, load_catalog
from bot.catalog.model import THEMES, WARNINGS, CatalogError
from bot.catalog.originality import PHRASE_WORDS, shared_phrases
from bot.catalog.packs import PackError, read_pack
from bot.catalog.text import matching_key
from bot.paths import CATALOG_PATH, PROJECT_DIR

DEFAULT_SEEDS_DIR = PROJECT_DIR.parent / "shared" / "seeds"


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
    unused = sorted(THEMES - {theme for theme, _ in themes})
    if unused:
        lines.append("themes not used yet: " + ", ".join(unused))
    warnings = Counter(warning for mv in entries for warning in mv.content_warnings)
    lines.append(
        f"content warnings ({len(warnings)} of {len(WARNINGS)} used): "
        + (", ".join(f"{w} {n}" for w, n in warnings.most_common()) or "none")
    )
    web_only = sum(1 for mv in entries if not any("://" not in s for s in mv.sources))
    seed_only = sum(1 for mv in entries if all("://" not in s for s in mv.sources))
    lines.append(
        f"sources: {sum(len(mv.sources) for mv in entries)} in all; "
        f"{seed_only} entries cite only seed files, {web_only} only URLs"
    )
    return "\n".join(lines)


def read_seeds(directory: Path) -> dict[str, str]:
    """The seed articles by file name (the name ``sources`` cites them by)."""
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(directory.glob("*.txt"))}


def check_pack(path: Path) -> int:
    """The import dry run of a pack (CSV, or TOML with ``--pack``), against the built-in
    catalog: 0 when every row is usable (new or a duplicate), 1 when a row or the file isn't."""
    try:
        existing = load_catalog().entries
    except CatalogError:
        existing = ()
        note = f"note: {CATALOG_PATH} doesn't load; duplicates not checked against it"
        print(note, file=sys.stderr)
    try:
        report = read_pack(path.read_bytes(), path.name, existing=existing)
    except OSError as error:
        print(f"pack check failed: {path}: {error.strerror or error}", file=sys.stderr)
        return 1
    except PackError as error:
        print(f"pack check failed: {error}", file=sys.stderr)
        return 1
    print(f"{path}: pack dry run (duplicates checked against {len(existing)} built-in entries)")
    print(report.summary(limit=30))
    return 1 if report.invalid else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.catalog", description="Tools for Lightstick's MV catalog.")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="validate a catalog file and print a summary")
    check.add_argument("file", nargs="?", type=Path, default=CATALOG_PATH, help=f"default: {CATALOG_PATH}")
    check.add_argument(
        "--seeds",
        type=Path,
        default=None,
        help=f"source articles to check for copied phrases (default: {DEFAULT_SEEDS_DIR}, skipped if absent)",
    )
    check.add_argument(
        "--pack",
        action="store_true",
        help="read FILE as a server's pack (ids may be left out); .csv files always are",
    )
    args = parser.parse_args(argv)
    if args.pack or args.file.suffix.lower() in (".csv", ".tsv"):
        return check_pack(args.file)
    try:
        catalog = load_catalog(args.file)
    except CatalogError as error:
        print(f"catalog check failed: {error}", file=sys.stderr)
        return 1
    seeds_dir = args.seeds or DEFAULT_SEEDS_DIR
    if args.seeds is not None and not args.seeds.is_dir():
        print(f"catalog check failed: {args.seeds}: no such directory", file=sys.stderr)
        return 1
    seeds = read_seeds(seeds_dir) if seeds_dir.is_dir() else {}
    copied = shared_phrases(catalog.entries, seeds)
    if copied:
        noun = "phrase" if len(copied) == 1 else "phrases"
        print(f"catalog check failed: {args.file}: {len(copied)} copied {noun}:", file=sys.stderr)
        for phrase in copied:
            print(f"  - {phrase}", file=sys.stderr)
        return 1
    print(f"{args.file}: OK")
    print(summarize(catalog))
    if seeds:
        print(f"own words: no run of {PHRASE_WORDS}+ words shared with the {len(seeds)} seed articles in {seeds_dir}")
    else:
        print(f"own words: not checked (no seed articles at {seeds_dir})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
