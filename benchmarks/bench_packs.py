"""Pack benchmark: the import dry run of a 10,000-row CSV in the public K-pop MV list's layout.

Run: ``python benchmarks/bench_packs.py [--rows N] [--existing N] [--seed N]``.
The CSV is deterministic random data: romanised and Hangul titles, quoted fields with
commas, doubled quotes and line breaks, blank Korean Name and Director cells, every date
form, some duplicates and about 2% broken rows (bad dates, no artist, bad links). It is
checked against ``--existing`` entries (the server's catalog) for duplicates.
Goal: dry run <= 2 s. The TOML export and re-import of the new entries are timed too.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.catalog.packs import CSV_COLUMNS, export_pack, read_pack
from bot.catalog.validation import SERVER_RULES, read_entries

GOAL_S = 2.0
_SYLLABLES = ("ka", "ri", "sun", "mo", "bi", "na", "hae", "jin", "min", "seo", "tae", "lu", "ve")
_TYPES = ("Boy", "Girl", "Boy Solo", "Girl Solo", "Co-ed", "Special")
_RELEASES = ("Major", "Minor", "Japanese", "English", "OST")


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 3))).capitalize()


def _hangul(rng: random.Random, length: int) -> str:
    return "".join(chr(0xAC00 + rng.randrange(11172)) for _ in range(length))


def _date(rng: random.Random) -> str:
    year, month, day = rng.randint(1996, 2024), rng.randint(1, 12), rng.randint(1, 28)
    form = rng.random()
    if form < 0.6:
        return f"{month}/{day}/{year % 100:02d}"
    if form < 0.8:
        return f"{year}-{month:02d}-{day:02d}"
    return f"{year}.{month:02d}.{day:02d}"


def _video(rng: random.Random) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
    return "https://youtu.be/" + "".join(rng.choice(alphabet) for _ in range(11))


def generate_csv(rows: int, seed: int) -> bytes:
    """UTF-8 with a BOM and CRLF line ends, as Excel's "CSV UTF-8" writes it."""
    rng = random.Random(seed)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    acts = [_word(rng) + rng.choice(["", "", " X", "'s", "."]) for _ in range(rows // 8)]
    written: list[list[str]] = []
    for _ in range(rows):
        if written and rng.random() < 0.03:
            writer.writerow(rng.choice(written))  # a duplicate row
            continue
        title = " ".join(_word(rng) for _ in range(rng.randint(1, 4)))
        if rng.random() < 0.1:
            title += ', "Remix"'  # a comma and doubled quotes in one quoted field
        row = [
            _date(rng),
            rng.choice(acts),
            title,
            _hangul(rng, rng.randint(2, 6)) if rng.random() < 0.4 else "",
            "Studio\nLumpens" if rng.random() < 0.05 else "",  # a line break inside a cell
            _video(rng),
            rng.choice(_TYPES),
            rng.choice(_RELEASES),
        ]
        broken = rng.random()
        if broken < 0.007:
            row[0] = "13/45/20"
        elif broken < 0.014:
            row[1] = ""
        elif broken < 0.02:
            row[5] = "see the channel"
        written.append(row)
        writer.writerow(row)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--existing", type=int, default=2_000, help="entries already there")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()

    existing = read_pack(generate_csv(args.existing, args.seed + 1), "existing.csv").new
    data = generate_csv(args.rows, args.seed)
    timings = []
    report = None
    for _ in range(3):
        started = time.perf_counter()
        report = read_pack(data, "kpop_music_videos.csv", existing=existing)
        timings.append(time.perf_counter() - started)
    assert report is not None
    dry_run_s = statistics.median(timings)
    print(
        f"CSV: {args.rows:,} rows, {len(data) / 1e6:.2f} MB; {len(existing):,} existing entries; "
        f"{len(report.new):,} new, {len(report.duplicates):,} duplicates, "
        f"{len(report.invalid):,} invalid"
    )
    verdict = "ok" if dry_run_s <= GOAL_S else "OVER GOAL"
    print(f"dry run (median of 3): {dry_run_s * 1000:.0f} ms (goal <= {GOAL_S * 1000:.0f} ms) {verdict}")

    started = time.perf_counter()
    text = export_pack(report.new)
    export_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    assert read_entries(text, rules=SERVER_RULES) == list(report.new)
    reread_ms = (time.perf_counter() - started) * 1000
    print(f"TOML export of the new entries: {export_ms:.0f} ms, re-read: {reread_ms:.0f} ms (no goal)")
    return 0 if dry_run_s <= GOAL_S else 1


if __name__ == "__main__":
    sys.exit(main())
