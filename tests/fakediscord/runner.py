"""`python -m tests.fakediscord.runner`: the real `python -m bot`, pointed at a fake Discord.

The fake's addresses come from LIGHTSTICK_FAKE_API and LIGHTSTICK_FAKE_GATEWAY. Used by
tests that need a real process (kill -9 in the middle of work) and by the start-up benchmark.
"""

from __future__ import annotations

import os
import sys

import discord
import yarl

import bot.client
from bot.__main__ import main


def point_at_fake() -> None:
    discord.http.Route.BASE = os.environ["LIGHTSTICK_FAKE_API"]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["LIGHTSTICK_FAKE_GATEWAY"])
    original_init = bot.client.LightstickBot.__init__

    def init(self: bot.client.LightstickBot, *args: object, **kwargs: object) -> None:
        original_init(self, *args, **kwargs)  # type: ignore[arg-type]
        self._connection.guild_ready_timeout = 0.05
        self.identify_interval = float(os.environ.get("LIGHTSTICK_FAKE_IDENTIFY_INTERVAL", "0.2"))

    bot.client.LightstickBot.__init__ = init  # type: ignore[method-assign]


if __name__ == "__main__":
    point_at_fake()
    sys.exit(main(sys.argv[1:]))
