"""`/mv …`: look up music videos in the curated catalog and show their cards.

Each handler checks its input, asks the server's catalog — the built-in catalog plus that
server's own entries (``await bot.catalogs.get(guild_id)``; outside a server the built-in
one alone) — and answers with an embed from :mod:`cogs.mv.render`. Cards and lists are public unless
the member asks for ``private``; errors and "nothing found" are always ephemeral.
"""

from __future__ import annotations

import logging
import random
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.catalog import MV, THEMES, normalize, theme_label
from bot.catalog.server import GuildCatalog
from bot.errors import UserError
from bot.i18n import _, _n
from bot.ui import choice, reply, truncate
from cogs.mv.curation import CurationCommands
from cogs.mv.group import MV_GROUP
from cogs.mv.packs import PackCommands
from cogs.mv.render import (
    PAGE_SIZE,
    build_artist_embed,
    build_mv_embed,
    build_themes_embed,
    defuse,
    filtered_no_result_message,
    no_result_message,
    search_heading,
)
from cogs.mv.views import SearchView, card_link_view

if TYPE_CHECKING:
    from bot.client import LightstickBot

log = logging.getLogger(__name__)

CHOICE_LIMIT = 25
SEARCH_LIMIT = 100
#: Discord lets a bot edit its reply for 15 minutes; controls are disabled before that.
VIEW_TIMEOUT = 10 * 60.0
YEAR_RANGE = (1990, 2100)

Year = app_commands.Range[int, YEAR_RANGE[0], YEAR_RANGE[1]]
Query = app_commands.Range[str, 1, 100]

PRIVATE_HELP = "Only you see the answer (default: everyone in the channel)"


def is_age_restricted(channel: object) -> bool:
    """True in a channel marked age-restricted (NSFW); threads follow their parent."""
    is_nsfw = getattr(channel, "is_nsfw", None)
    return bool(is_nsfw()) if callable(is_nsfw) else False


class MVCog(PackCommands, CurationCommands, commands.Cog, name="MV"):
    """Music-video lookups: cards, search, random picks, artists and themes."""

    mv = MV_GROUP

    def __init__(self, bot: LightstickBot) -> None:
        self.bot = bot
        self.rng = random.Random()
        self.view_timeout = VIEW_TIMEOUT
        self.page_size = PAGE_SIZE

    async def catalog_for(self, interaction: discord.Interaction) -> GuildCatalog:
        """The catalog as this server sees it: built-in entries and its own (cached per guild,
        so autocomplete pays for a read only on a guild's first use)."""
        return await self.bot.catalogs.get(interaction.guild_id)

    # -- shared steps -------------------------------------------------------------------

    @staticmethod
    def find_mv(catalog: GuildCatalog, text: str) -> MV | None:
        """An id (what autocomplete sends), a full "Title — Artist (year)", or the best match."""
        return catalog.find(text)

    @staticmethod
    def resolve_artist(catalog: GuildCatalog, name: str) -> str:
        """The catalog's spelling of an act or group, or a UserError naming close ones."""
        known = catalog.artist_named(name)
        if known is not None:
            return known
        close = dict.fromkeys(act for mv in catalog.suggestions(name, limit=5) for act in (mv.artist, mv.group) if act)
        shown = truncate(name, 100)
        if close:
            raise UserError(
                _(
                    "No artist called “{name}” in the catalog. Did you mean {acts}?",
                    name=shown,
                    acts=defuse(", ".join(list(close)[:5])),
                )
            )
        raise UserError(_("No artist called “{name}” in the catalog.", name=shown))

    @staticmethod
    def resolve_universe(catalog: GuildCatalog, name: str) -> str:
        """The catalog's spelling of a story universe (a part of its name will do)."""
        key = normalize(name)
        universes = [universe for universe, _members in catalog.universes()]
        exact = [universe for universe in universes if normalize(universe) == key]
        partial = [universe for universe in universes if key and key in normalize(universe)]
        if exact or len(partial) == 1:
            return (exact or partial)[0]
        shown = truncate(name, 100)
        if not universes:
            raise UserError(_("No story universe called “{name}” in the catalog. Universes: none yet.", name=shown))
        known = truncate(defuse(", ".join(universes)), 1500)
        raise UserError(
            _("No story universe called “{name}” in the catalog. Universes: {known}.", name=shown, known=known)
        )

    @staticmethod
    def resolve_theme(theme: str) -> str:
        """A theme's key from the key itself or its name in the member's language."""
        wanted = theme.strip().casefold()
        if wanted in THEMES:
            return wanted
        for key in THEMES:
            if str(theme_label(key)).casefold() == wanted:
                return key
        shown = truncate(theme, 100)
        raise UserError(_("“{theme}” is not a theme; pick one from the list (see `/mv themes`).", theme=shown))

    async def send_card(self, interaction: discord.Interaction, mv: MV, *, private: bool = False) -> None:
        age_restricted = is_age_restricted(interaction.channel)
        catalog = await self.catalog_for(interaction)  # the universe's neighbours, as of now
        embed = build_mv_embed(mv, catalog, age_restricted_channel=age_restricted)
        await reply(interaction, embed=embed, view=card_link_view(mv), ephemeral=private)

    # -- autocomplete -------------------------------------------------------------------

    async def mv_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        catalog = await self.catalog_for(interaction)
        return [choice(mv.display_name, mv.id) for mv in catalog.autocomplete(current, CHOICE_LIMIT)]

    async def artist_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        catalog = await self.catalog_for(interaction)
        return [choice(name, name) for name in catalog.artists_matching(current, CHOICE_LIMIT)]

    async def theme_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        counts = dict((await self.catalog_for(interaction)).themes_with_counts())
        ordered = sorted(THEMES, key=lambda theme: (-counts.get(theme, 0), theme))
        names = {theme: str(theme_label(theme)) for theme in THEMES}  # in the member's language
        key = current.strip().casefold()
        starts = [t for t in ordered if t.startswith(key) or names[t].casefold().startswith(key)]
        contains = [t for t in ordered if t not in starts and (key in t or key in names[t].casefold())]
        return [
            choice(str(_n("{theme} — {count} MV", "{theme} — {count} MVs", counts.get(t, 0), theme=names[t])), t)
            for t in (starts + contains)[:CHOICE_LIMIT]
        ]

    async def universe_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        key = normalize(current)
        catalog = await self.catalog_for(interaction)
        return [
            choice(str(_n("{universe} — {count} MV", "{universe} — {count} MVs", len(members), universe=name)), name)
            for name, members in catalog.universes()
            if key in normalize(name)
        ][:CHOICE_LIMIT]

    # -- commands -----------------------------------------------------------------------

    @mv.command(name="show", description="Show an MV's card: story, twist (spoilered), warnings, links.")
    @app_commands.describe(
        mv="The MV: type a title, artist, Hangul title or nickname and pick one",
        private=PRIVATE_HELP,
    )
    async def show(self, interaction: discord.Interaction, mv: Query, private: bool = False) -> None:
        catalog = await self.catalog_for(interaction)
        found = self.find_mv(catalog, mv)
        if found is None:
            await reply(interaction, no_result_message(mv, catalog.suggestions(mv)))
            return
        await self.send_card(interaction, found, private=private)

    @mv.command(
        name="search",
        description="Search MVs by title, artist, cast or story words, with filters.",
    )
    @app_commands.describe(
        query="Title, artist, Hangul, nickname, actor, or what happens in it (cyborg, heist)",
        artist="Only this act (a group includes its members' solo MVs)",
        theme="Only MVs with this theme",
        year="Only MVs released in this year",
        universe="Only MVs of this shared story (EXO superpower story…); no query lists them all",
        private=PRIVATE_HELP,
    )
    async def search(
        self,
        interaction: discord.Interaction,
        query: Query | None = None,
        artist: str | None = None,
        theme: str | None = None,
        year: Year | None = None,
        universe: str | None = None,
        private: bool = False,
    ) -> None:
        query = query or ""
        if not query.strip() and not (artist or theme or year or universe):
            raise UserError(_("Type something to search for, or pick a filter (artist, theme…)."))
        catalog = await self.catalog_for(interaction)
        artist = self.resolve_artist(catalog, artist) if artist else None
        theme = self.resolve_theme(theme) if theme else None
        universe = self.resolve_universe(catalog, universe) if universe else None
        results = catalog.search(query, artist=artist, theme=theme, year=year, universe=universe, limit=SEARCH_LIMIT)
        heading = search_heading(query, artist=artist, theme=theme, year=year, universe=universe)
        if not results and (artist or theme or year or universe):
            unfiltered = catalog.search(query, limit=3) if query.strip() else []
            raise UserError(filtered_no_result_message(heading, unfiltered))
        if not results:
            await reply(interaction, no_result_message(query, catalog.suggestions(query)))
            return
        view = SearchView(
            results,
            heading=heading,
            owner_id=interaction.user.id,
            open_card=lambda pick, mv: self.send_card(pick, mv, private=private),
            timeout=self.view_timeout,
            per_page=self.page_size,
        )
        embed = view.embed()
        await interaction.response.send_message(embed=embed, view=view, ephemeral=private)
        view.origin = interaction

    @mv.command(name="random", description="Show a random MV card, optionally by theme, artist or year.")
    @app_commands.describe(
        theme="Pick among MVs with this theme",
        artist="Pick among this act's MVs (a group includes its members' solo MVs)",
        year="Pick among MVs released in this year",
        private=PRIVATE_HELP,
    )
    async def random_mv(
        self,
        interaction: discord.Interaction,
        theme: str | None = None,
        artist: str | None = None,
        year: Year | None = None,
        private: bool = False,
    ) -> None:
        catalog = await self.catalog_for(interaction)
        artist = self.resolve_artist(catalog, artist) if artist else None
        theme = self.resolve_theme(theme) if theme else None
        pool = catalog.filter(artist=artist, theme=theme, year=year)
        if not pool:
            asked = search_heading("", artist=artist, theme=theme, year=year)
            raise UserError(_("No MV in the catalog matches {asked}. Try fewer filters.", asked=asked))
        await self.send_card(interaction, self.rng.choice(pool), private=private)

    @mv.command(name="artist", description="List an artist's MVs in release order, grouped by universe.")
    @app_commands.describe(
        name="The act or group (a group includes its members' solo MVs)",
        private=PRIVATE_HELP,
    )
    async def artist(self, interaction: discord.Interaction, name: Query, private: bool = False) -> None:
        catalog = await self.catalog_for(interaction)
        act = self.resolve_artist(catalog, name)
        embed = build_artist_embed(act, catalog.by_artist(act))
        await reply(interaction, embed=embed, ephemeral=private)

    @mv.command(name="themes", description="List the MV themes with how many MVs carry each.")
    @app_commands.describe(private=PRIVATE_HELP)
    async def themes(self, interaction: discord.Interaction, private: bool = False) -> None:
        embed = build_themes_embed((await self.catalog_for(interaction)).themes_with_counts())
        await reply(interaction, embed=embed, ephemeral=private)

    # Autocomplete wiring (after the commands exist).
    show.autocomplete("mv")(mv_autocomplete)
    search.autocomplete("artist")(artist_autocomplete)
    search.autocomplete("theme")(theme_autocomplete)
    search.autocomplete("universe")(universe_autocomplete)
    random_mv.autocomplete("artist")(artist_autocomplete)
    random_mv.autocomplete("theme")(theme_autocomplete)
    artist.autocomplete("name")(artist_autocomplete)
