"""Bracket benchmarks: the 64-entry picture, and a whole simulated 64-entry bracket.

Run: `python benchmarks/bench_brackets.py`. Each figure is printed with its goal beside it.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.brackets import Bracket, draw_bracket, new_bracket, parse_entries, round_summary, seed

PICTURE_GOAL_MS = 300.0
RUNS = 20
#: Long, mixed names: Hangul, Latin, an emoji that is left out, cut with an ellipsis.
NAMES = " | ".join(f"{n:02d} 하루하루 Supernova 뮤직비디오 {'🚀' * (n % 3)} Chk Chk Boom" for n in range(64))


def play(bracket: Bracket, rng: random.Random) -> Bracket:
    return bracket.record_round({m.index: (rng.randint(0, 40), rng.randint(0, 40)) for m in bracket.open_matches()})


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def time_picture(bracket: Bracket) -> list[float]:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        draw_bracket(bracket)
        times.append(time.perf_counter() - started)
    return times


def bench_picture(rng: random.Random) -> None:
    title = "2024 최고의 뮤직비디오 — MV World Cup"
    bracket = new_bracket(title, seed(parse_entries(NAMES), seeding="random", rng=rng))
    started = time.perf_counter()
    png = draw_bracket(bracket)
    print(f"64-entry picture, first (fonts load): {ms(time.perf_counter() - started)}  ({len(png) / 1024:.0f} KiB)")
    done = bracket
    while not done.is_finished:
        done = play(done, rng)
    for label, state in (("new", bracket), ("finished", done)):
        times = time_picture(state)
        verdict = "ok" if max(times) <= PICTURE_GOAL_MS / 1000 else "OVER"
        print(
            f"64-entry picture ({label:>8}, {RUNS} runs): median {ms(statistics.median(times))}, "
            f"max {ms(max(times))}  goal ≤ {PICTURE_GOAL_MS:.0f} ms  [{verdict}]"
        )


def bench_full_bracket(rng: random.Random) -> None:
    """What the bot does for a 64-entry bracket: every round recorded, summarised, drawn, stored."""
    started = time.perf_counter()
    bracket = new_bracket("MV World Cup", seed(parse_entries(NAMES), seeding="random", rng=rng))
    pictures: list[float] = []
    stored_bytes = 0
    while not bracket.is_finished:
        number = bracket.current_round
        assert number is not None
        matches = len(bracket.open_matches())
        round_started = time.perf_counter()
        bracket = play(bracket, rng)
        lines = round_summary(bracket, number)
        record = time.perf_counter() - round_started
        picture_started = time.perf_counter()
        png = draw_bracket(bracket)
        pictures.append(time.perf_counter() - picture_started)
        stored = json.dumps(bracket.to_dict())
        stored_bytes = len(stored)
        assert Bracket.from_dict(json.loads(stored)) == bracket
        print(
            f"  {bracket.round_name(number):<15} {matches:2d} matches: record + summary {ms(record)} "
            f"({len(lines)} lines), picture {ms(pictures[-1])} ({len(png) / 1024:.0f} KiB)"
        )
    total = time.perf_counter() - started
    print(
        f"full 64-entry bracket, {bracket.round_count} rounds: {ms(total)} in all "
        f"(pictures {ms(sum(pictures))}); stored JSON {stored_bytes / 1024:.1f} KiB; champion seed {bracket.champion}"
    )


def main() -> None:
    rng = random.Random(2024)
    bench_picture(rng)
    bench_full_bracket(rng)


if __name__ == "__main__":
    main()
