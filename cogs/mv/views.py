"""Components for `/mv`: search paging and the card picker, and the card's YouTube link.

Only the member who ran a search may page it or open a card from it (anyone else gets an
ephemeral note), and when the view times out its controls are disabled on the message,
so nothing is left on screen that silently fails when clicked.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import discord

from bot.catalog import MV
from bot.errors import UserError
from bot.i18n import Text, _, use_locale
from bot.ui import reply
from cogs.mv.render import (
    PAGE_SIZE,
    build_search_embed,
    option_description,
    option_label,
    page_count,
    page_items,
)

log = logging.getLogger(__name__)

CardOpener = Callable[[discord.Interaction, MV], Awaitable[None]]

NOT_YOURS = _("Only the member who ran this search can use its controls; run `/mv search` for your own.")
EXPIRED = _("This search has expired; run `/mv search` again.")


def card_link_view(mv: MV) -> discord.ui.View:
    """The link button under a card: the verified video, else a YouTube search for it."""
    view = discord.ui.View(timeout=None)
    label = str(_("Watch on YouTube") if mv.youtube_url else _("Find it on YouTube"))
    link = discord.ui.Button[discord.ui.View](
        style=discord.ButtonStyle.link, url=mv.youtube_link, label=label, emoji="▶️"
    )
    view.add_item(link)
    return view


class OwnedView(discord.ui.View):
    """A view only its owner may use; on timeout its controls are disabled on the message.
    Everything a click answers speaks the clicking member's language."""

    def __init__(self, owner_id: int, *, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self.owner_id = owner_id
        self.origin: discord.Interaction | None = None

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        use_locale(interaction.locale)  # a view's callbacks run in their own task
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(str(NOT_YOURS), ephemeral=True)
        return False

    def disable_controls(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button | discord.ui.Select):
                item.disabled = True

    async def on_timeout(self) -> None:
        self.disable_controls()
        if self.origin is None:
            return
        try:
            await self.origin.edit_original_response(view=self)
        except discord.HTTPException as error:  # deleted message, expired token
            log.debug("could not disable an expired /mv view: %s", error)

    async def on_error(self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]) -> None:
        message: Text
        if isinstance(error, UserError):
            message = error.message
        else:
            log.exception("error in /mv view item %r", item, exc_info=error)
            message = _("Something went wrong with that button; please run the command again.")
        try:
            await reply(interaction, message)
        except discord.HTTPException:
            log.warning("could not deliver an error reply for interaction %s", interaction.id)


class SearchView(OwnedView):
    """◀ ▶ page through search results; the select menu opens the card of one on this page."""

    def __init__(
        self,
        results: Sequence[MV],
        *,
        heading: str,
        owner_id: int,
        open_card: CardOpener,
        timeout: float,
        per_page: int = PAGE_SIZE,
    ) -> None:
        super().__init__(owner_id, timeout=timeout)
        self.results = list(results)
        self.heading = heading
        self.per_page = per_page
        self.page = 0
        self.open_card = open_card
        self.picker: discord.ui.Select[SearchView] = discord.ui.Select(
            placeholder=str(_("Open a card…")), min_values=1, max_values=1, row=0
        )
        self.picker.callback = self.on_pick  # type: ignore[method-assign]
        self.add_item(self.picker)
        if self.pages <= 1:
            self.remove_item(self.previous_page)
            self.remove_item(self.next_page)
        self.refresh()

    @property
    def pages(self) -> int:
        return page_count(len(self.results), self.per_page)

    def embed(self) -> discord.Embed:
        return build_search_embed(self.results, heading=self.heading, page=self.page, per_page=self.per_page)

    def refresh(self) -> None:
        """Point the select menu at this page and grey out the buttons at either end."""
        self.picker.options = [
            discord.SelectOption(label=option_label(mv), value=mv.id, description=option_description(mv))
            for mv in page_items(self.results, self.page, self.per_page)
        ]
        self.previous_page.disabled = self.page == 0
        self.next_page.disabled = self.page >= self.pages - 1

    async def turn_to(self, interaction: discord.Interaction, page: int) -> None:
        self.page = min(max(page, 0), self.pages - 1)
        self.refresh()
        await interaction.response.edit_message(embed=self.embed(), view=self)

    @discord.ui.button(emoji="◀️", style=discord.ButtonStyle.secondary, row=1)
    async def previous_page(self, interaction: discord.Interaction, button: discord.ui.Button[SearchView]) -> None:
        await self.turn_to(interaction, self.page - 1)

    @discord.ui.button(emoji="▶️", style=discord.ButtonStyle.secondary, row=1)
    async def next_page(self, interaction: discord.Interaction, button: discord.ui.Button[SearchView]) -> None:
        await self.turn_to(interaction, self.page + 1)

    async def on_pick(self, interaction: discord.Interaction) -> None:
        chosen = {mv.id: mv for mv in self.results}.get(self.picker.values[0])
        if chosen is None:
            raise UserError(EXPIRED)
        await self.open_card(interaction, chosen)
