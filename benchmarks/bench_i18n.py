"""Localisation benchmarks: what translating a reply costs, and the size of the command sync.

Run: `python benchmarks/bench_i18n.py`. Each figure is printed with its goal beside it.

- Lookup: rendering a message in a member's language (catalog lookup, placeholders, Babel
  formatting of its values) against rendering the English source, per reply, p50/p99.
- Sync: the application-command payload with every localisation, per command, against
  Discord's 8,000 characters, and the whole payload's bytes.
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.i18n import TRANSLATED, Duration, Number, Percent, _, _n, render
from bot.i18n.catalogs import translations
from bot.i18n.tooling import app_commands_of_extensions, extract

ROUNDS = 20_000
GOAL_MS = 0.05


def _messages() -> list[object]:
    """A reply's worth of typical messages: plain, with placeholders, plural, formatted values."""
    ids = [m.id for m in extract() if m.id and isinstance(m.id, str) and "{" not in m.id][:400]
    plain = [_(msgid) for msgid in ids]
    return [
        *plain,
        _("You need the {permissions} permission to use this command.", permissions="**Manage Server**"),
        _n("{count} vote", "{count} votes", 1234),
        _("{a} · {b} · {c}", a=Number(12345), b=Percent(0.425), c=Duration(timedelta(hours=36))),
    ]


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.99) - 1]


def bench_lookup() -> None:
    messages = _messages()
    for locale in TRANSLATED:
        translations(locale)  # loaded once at start, as in the bot
    rng = random.Random(7)
    picks = [(rng.choice(messages), rng.choice(TRANSLATED)) for _ in range(ROUNDS)]
    translated, english = [], []
    for message, locale in picks:
        start = time.perf_counter()
        render(message, locale)  # type: ignore[arg-type]
        translated.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        render(message, "en-US")  # type: ignore[arg-type]
        english.append((time.perf_counter() - start) * 1000)
    (t50, t99), (e50, e99) = _percentiles(translated), _percentiles(english)
    print(f"render in the member's language: p50 {t50:.4f} ms, p99 {t99:.4f} ms ({len(messages)} messages, 8 locales)")
    print(f"render the English source:       p50 {e50:.4f} ms, p99 {e99:.4f} ms")
    added = max(t99 - e99, 0.0)
    print(f"translation adds at p99: {added:.4f} ms   goal <= {GOAL_MS} ms   {'ok' if added <= GOAL_MS else 'MISSED'}")


async def _payload() -> list[dict[str, object]]:
    import discord
    from discord import app_commands

    from bot.i18n.interactions import GettextTranslator

    tree = app_commands.CommandTree(discord.Client(intents=discord.Intents.none()))
    translator = GettextTranslator()
    return [await command.get_translated_payload(tree, translator) for command in app_commands_of_extensions()]


def bench_sync_payload() -> None:
    from tests.fakediscord.commands import MAX_COMMAND_SIZE, command_problems, command_size

    payload = asyncio.run(_payload())
    for command in payload:
        problems = command_problems(command)
        size = command_size(command)
        print(
            f"/{command['name']:<10} {size:>5} characters counted (goal <= {MAX_COMMAND_SIZE}), "
            f"{len(command.get('name_localizations') or {})} name localisations, "
            f"{'ok' if not problems else problems[:2]}"
        )
    blob = json.dumps(payload, ensure_ascii=False).encode()
    print(f"whole sync payload: {len(payload)} commands, {len(blob):,} bytes")


if __name__ == "__main__":
    bench_lookup()
    bench_sync_payload()
