"""The community catalog: members suggest MVs, curators review them, every change is kept.

- ``/mv suggest`` — two modals (Discord allows 5 text inputs in one): the essentials, checked
  at once (date, YouTube link, duplicates of built-in, server and pending entries, every
  limit) before anything is saved, then "Submit as is" or "Add the story" (a modal can't open
  a modal; a button can). The draft lives in the ephemeral message's view, for its timeout.
- ``/mv curation channel: [role:]`` (Manage Server) — the review channel and curator role,
  with the optional role members need to suggest and the cooldown.
- Each suggestion is posted in the review channel with Approve, Edit and Reject buttons.
  They are :class:`ReviewButton` dynamic items (``lightstick:sug:<id>:<action>``), registered
  when the cog loads, so they work on messages a previous process posted. ``/mv review`` is
  the same queue, paged and ephemeral, for curators, with or without a review channel.
- The member learns the outcome by DM; with DMs closed, by a note in the review channel that
  mentions nobody.
- Languages: replies and modals speak the member's language; the review channel's posts and
  edits, and the notes left there, the server's (``speaking(public_locale(...))``); the DM the
  member who suggested, in their own language when they are the one clicking, else the server's.
- ``/mv edit``, ``/mv remove`` (after a confirmation) and ``/mv history`` for this server's
  own entries; every change is recorded by the store with who, when and what.

Curators are members with Manage Server or the curator role; both are checked in code on
every use (Discord ignores default permissions on subcommands). Member text reaches Discord
only through :mod:`cogs.mv.curation_render` and the card renderer, and every message is sent
with no allowed mentions.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

import discord
from discord import app_commands

from bot.catalog import MV
from bot.catalog.server import (
    CurationSettings,
    GuildCatalog,
    ServerCatalogStore,
    ServerEntry,
    Suggestion,
    SuggestionStatus,
    entry_fields,
    server_entry_id,
    server_mv_id,
    validate_server_entry,
)
from bot.catalog.server.entries import problem_message
from bot.errors import UserError
from bot.i18n import Msg, Text, _, current_locale, speaking, use_locale
from bot.i18n.interactions import public_locale
from bot.ui import NO_MENTIONS, choice, missing_permissions, permission_list, reply, truncate
from cogs.errors import report_error
from cogs.mv import curation_render as r
from cogs.mv.group import MV_GROUP
from cogs.mv.views import OwnedView

if TYPE_CHECKING:
    from discord.ext.commands import Cog as _Mixin

    from bot.client import LightstickBot
else:
    _Mixin = object  # MVCog is the Cog; typed as one so @MV_GROUP.command binds to it

log = logging.getLogger(__name__)

#: Discord lets a bot edit an ephemeral reply for 15 minutes; drafts and pages expire before.
DRAFT_TIMEOUT = 10 * 60.0
MODAL_TIMEOUT = 30 * 60.0
CHOICE_LIMIT = 25
MAX_COOLDOWN_MINUTES = 7 * 24 * 60
#: What the bot needs in the review channel to post suggestions there.
REVIEW_PERMISSIONS = ("view_channel", "send_messages", "embed_links")

REVIEW_TEMPLATE = r"lightstick:sug:(?P<id>[0-9]{1,20}):(?P<action>approve|edit|reject)"
APPROVE, EDIT, REJECT = "approve", "edit", "reject"

NOT_CURATOR = _(
    "Only curators can do that: members with Manage Server, or with the curator role an admin chose in `/mv curation`."
)
NOT_YOURS = _("These buttons belong to the member who opened them.")
RESTARTING = _("Lightstick is starting up; try again in a moment.")

EntryText = app_commands.Range[str, 1, 100]
Minutes = app_commands.Range[int, 0, MAX_COOLDOWN_MINUTES]
ValuesCallback = Callable[[discord.Interaction, dict[str, str]], Awaitable[None]]


# --------------------------------------------------------------------------- small helpers


def guild_id_of(interaction: discord.Interaction) -> int:
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()
    return interaction.guild_id


def role_ids_of(interaction: discord.Interaction) -> list[int]:
    user = interaction.user
    return [role.id for role in user.roles] if isinstance(user, discord.Member) else []


def is_age_restricted(channel: object) -> bool:
    """True in a channel marked age-restricted (NSFW); threads follow their parent."""
    is_nsfw = getattr(channel, "is_nsfw", None)
    return bool(is_nsfw()) if callable(is_nsfw) else False


def review_custom_id(suggestion_id: int, action: str) -> str:
    return f"lightstick:sug:{suggestion_id}:{action}"


def curation_cog(interaction: discord.Interaction) -> CurationCommands | None:
    """The loaded cog of the bot that got the interaction (extensions are per bot)."""
    client = interaction.client
    get_cog = getattr(client, "get_cog", None)
    cog = get_cog("MV") if callable(get_cog) else None
    return cog if hasattr(cog, "on_review_button") else None


# --------------------------------------------------------------------------- components


class ReviewButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=REVIEW_TEMPLATE):
    """Approve, Edit or Reject under a suggestion in the review channel. The suggestion id and
    the action are in the custom_id, so the button works after a restart."""

    LOOKS: ClassVar[dict[str, tuple[Msg, discord.ButtonStyle, str]]] = {
        # TRANSLATORS: a button under a suggestion (a verb)
        APPROVE: (_("Approve"), discord.ButtonStyle.success, "✅"),
        # TRANSLATORS: a button under a suggestion (a verb)
        EDIT: (_("Edit"), discord.ButtonStyle.primary, "✏️"),
        # TRANSLATORS: a button under a suggestion (a verb)
        REJECT: (_("Reject"), discord.ButtonStyle.danger, "✖️"),
    }

    def __init__(
        self, suggestion_id: int, action: str, *, disabled: bool = False, style: discord.ButtonStyle | None = None
    ) -> None:
        label, default_style, emoji = self.LOOKS[action]
        super().__init__(
            discord.ui.Button(
                label=str(label),  # in the current language: the review channel's, where it is posted
                emoji=emoji,
                style=style or default_style,
                custom_id=review_custom_id(suggestion_id, action),
                disabled=disabled,
            )
        )
        self.suggestion_id = suggestion_id
        self.action = action

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any, /
    ) -> ReviewButton:
        return cls(int(match["id"]), match["action"])

    async def callback(self, interaction: discord.Interaction) -> None:
        use_locale(interaction.locale)  # the curator who clicked; the review post keeps the server's
        cog = curation_cog(interaction)
        if cog is None:
            await reply(interaction, RESTARTING)
            return
        try:
            await cog.on_review_button(interaction, self.suggestion_id, self.action)
        except Exception as error:
            await report_error(interaction, error, f"review button {self.custom_id}")


def review_buttons(suggestion_id: int, status: SuggestionStatus = SuggestionStatus.PENDING) -> discord.ui.View:
    """The review message's buttons: live while pending, then greyed with the outcome lit."""
    view = discord.ui.View(timeout=None)
    decided = status is not SuggestionStatus.PENDING
    chosen = {SuggestionStatus.APPROVED: APPROVE, SuggestionStatus.REJECTED: REJECT}.get(status)
    for action in (APPROVE, EDIT, REJECT):
        style = None if not decided or action == chosen else discord.ButtonStyle.secondary
        view.add_item(ReviewButton(suggestion_id, action, disabled=decided, style=style))
    return view


class EntryModal(discord.ui.Modal):
    """A modal of text inputs (from :mod:`cogs.mv.curation_render`) that hands their values on."""

    def __init__(
        self,
        title: Text,
        specs: Sequence[r.InputSpec],
        values: Mapping[str, str],
        on_values: ValuesCallback,
        *,
        timeout: float = MODAL_TIMEOUT,
    ) -> None:
        super().__init__(
            title=r.modal_title(title), timeout=timeout, custom_id=f"lightstick:modal:{secrets.token_hex(8)}"
        )
        self.on_values = on_values
        self.inputs = [r.text_input(spec, values.get(spec.key)) for spec in specs]
        for text_input in self.inputs:
            self.add_item(text_input)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        use_locale(interaction.locale)  # a modal's submit runs in its own task
        return True

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await self.on_values(interaction, {text_input.custom_id: text_input.value for text_input in self.inputs})

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:  # type: ignore[override]
        await report_error(interaction, error, f"modal {self.title!r}")


class CurationView(OwnedView):
    """Buttons on an ephemeral message, for the member who opened it; errors as replies."""

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        use_locale(interaction.locale)  # a view's callbacks run in their own task
        if interaction.user.id == self.owner_id:
            return True
        await reply(interaction, NOT_YOURS)
        return False

    async def on_error(self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]) -> None:
        await report_error(interaction, error, f"button {getattr(item, 'custom_id', item)!r}")

    def button(
        self,
        label: Text,
        custom_id: str,
        style: discord.ButtonStyle,
        callback: Callable[[discord.Interaction], Coroutine[Any, Any, None]],
    ) -> discord.ui.Button[Any]:
        made: discord.ui.Button[Any] = discord.ui.Button(label=str(label), custom_id=custom_id, style=style)
        made.callback = callback  # type: ignore[method-assign, assignment]
        self.add_item(made)
        return made

    def finish(self) -> None:
        self.disable_controls()
        self.stop()


class DraftKind(StrEnum):
    SUGGEST = "suggest"  # a member's new suggestion
    EDIT = "edit"  # a curator's edit of one of the server's entries
    REVIEW = "review"  # a curator's edit of a pending suggestion, then approval


@dataclass
class Draft:
    """An entry being typed across the two modals; kept only in its ephemeral view."""

    kind: DraftKind
    guild_id: int
    user_id: int
    fields: dict[str, Any]
    #: What is stored now (an edit's entry or the suggestion), to tell what changed.
    base: dict[str, Any] = field(default_factory=dict)
    target_id: int | None = None
    #: What titles call it: an entry's id (``s-12``) or ``suggestion #3``.
    label: Text = ""

    def essentials_title(self) -> Msg:
        if self.kind is DraftKind.SUGGEST:
            return _("Suggest an MV: the essentials")
        return _("Edit {entry}: the essentials", entry=self.label)

    def story_title(self) -> Msg:
        return _("Add the story") if self.kind is DraftKind.SUGGEST else _("Edit {entry}: the story", entry=self.label)


PRIMARY_LABELS = {
    DraftKind.SUGGEST: _("Submit as is"),
    DraftKind.EDIT: _("Save"),
    DraftKind.REVIEW: _("Approve with changes"),
}


class DraftView(CurationView):
    """Under the preview of a draft: finish it now, or open the story modal first."""

    def __init__(self, cog: CurationCommands, draft: Draft, *, timeout: float = DRAFT_TIMEOUT) -> None:
        super().__init__(draft.user_id, timeout=timeout)
        self.cog = cog
        self.draft = draft
        self.button(PRIMARY_LABELS[draft.kind], "lightstick:draft:finish", discord.ButtonStyle.success, self.on_finish)
        story = _("Add the story") if draft.kind is DraftKind.SUGGEST else _("Edit the story")
        self.button(story, "lightstick:draft:story", discord.ButtonStyle.primary, self.on_story)

    async def on_finish(self, interaction: discord.Interaction) -> None:
        await self.cog.finish_draft(interaction, self)

    async def on_story(self, interaction: discord.Interaction) -> None:
        async def story_typed(submitted: discord.Interaction, values: dict[str, str]) -> None:
            self.draft.fields = r.merged(self.draft.fields, r.parse_story(values))
            await self.cog.finish_draft(submitted, self)

        values = r.story_values(self.draft.fields)
        await interaction.response.send_modal(EntryModal(self.draft.story_title(), r.STORY, values, story_typed))


class QueueView(CurationView):
    """`/mv review`: one pending suggestion a page, with the review actions."""

    def __init__(self, cog: CurationCommands, guild_id: int, owner_id: int, *, timeout: float = DRAFT_TIMEOUT) -> None:
        super().__init__(owner_id, timeout=timeout)
        self.cog = cog
        self.guild_id = guild_id
        self.page = 0
        self.total = 0
        self.current: Suggestion | None = None
        grey, green, blue, red = (
            discord.ButtonStyle.secondary, discord.ButtonStyle.success,
            discord.ButtonStyle.primary, discord.ButtonStyle.danger,
        )  # fmt: skip
        self.previous = self.button(_("◀ Previous"), "lightstick:queue:previous", grey, self.on_previous)
        self.next = self.button(_("Next ▶"), "lightstick:queue:next", grey, self.on_next)
        self.approve = self.button(ReviewButton.LOOKS[APPROVE][0], "lightstick:queue:approve", green, self.on_approve)
        self.edit = self.button(ReviewButton.LOOKS[EDIT][0], "lightstick:queue:edit", blue, self.on_edit)
        self.reject = self.button(ReviewButton.LOOKS[REJECT][0], "lightstick:queue:reject", red, self.on_reject)

    async def render(self, channel: object, note: Text | None = None) -> tuple[str, discord.Embed | None]:
        store = self.cog.curation_store
        found = await store.pending(self.guild_id, page=self.page, per_page=1)
        if not found.items and found.total:
            self.page = found.total - 1
            found = await store.pending(self.guild_id, page=self.page, per_page=1)
        self.total = found.total
        self.current = found.items[0] if found.items else None
        self.previous.disabled = self.page <= 0
        self.next.disabled = self.page >= self.total - 1
        for action in (self.approve, self.edit, self.reject):
            action.disabled = self.current is None
        if self.current is None:
            settings = await store.settings(self.guild_id)
            return r.empty_queue_text(settings, note), None
        catalog = await self.cog.bot.catalogs.get(self.guild_id)
        embed = r.queue_embed(self.current.mv, catalog, self.current, age_restricted=is_age_restricted(channel))
        return r.queue_text(self.page, self.total, self.current, note), embed

    async def show(self, interaction: discord.Interaction, note: Text | None = None) -> None:
        """Answer `interaction` by redrawing the queue message (after a page turn or a decision)."""
        content, embed = await self.render(interaction.channel, note)
        await interaction.response.edit_message(content=content, embeds=[embed] if embed else [], view=self)

    def chosen(self) -> Suggestion:
        if self.current is None:
            raise UserError(_("No suggestion is shown here; run `/mv review` again."))
        return self.current

    async def on_previous(self, interaction: discord.Interaction) -> None:
        self.page = max(0, self.page - 1)
        await self.show(interaction)

    async def on_next(self, interaction: discord.Interaction) -> None:
        self.page += 1
        await self.show(interaction)

    async def on_approve(self, interaction: discord.Interaction) -> None:
        await self.cog.approve_from(interaction, self.chosen().suggestion_id, queue=self)

    async def on_edit(self, interaction: discord.Interaction) -> None:
        await self.cog.open_review_edit(interaction, self.chosen().suggestion_id)

    async def on_reject(self, interaction: discord.Interaction) -> None:
        await self.cog.open_reject(interaction, self.chosen().suggestion_id, queue=self)


class RemoveView(CurationView):
    """`/mv remove`: nothing happens until the curator confirms."""

    def __init__(self, cog: CurationCommands, entry: ServerEntry, owner_id: int, *, timeout: float = DRAFT_TIMEOUT):
        super().__init__(owner_id, timeout=timeout)
        self.cog = cog
        self.entry = entry
        remove = _("Remove {id}", id=entry.mv_id)
        self.button(remove, "lightstick:remove:confirm", discord.ButtonStyle.danger, self.on_confirm)
        self.button(_("Keep it"), "lightstick:remove:cancel", discord.ButtonStyle.secondary, self.on_cancel)

    async def on_confirm(self, interaction: discord.Interaction) -> None:
        await self.cog.curator_settings(interaction)
        store = self.cog.curation_store
        removed = await store.remove_entry(
            self.entry.guild_id, self.entry.entry_id, interaction.user.id, now=self.cog.bot.clock.now()
        )
        self.finish()
        content = _(
            "🗑️ Removed {mv} (`{id}`). Its history stays: `/mv history mv:{id}`.",
            mv=r.name_of(removed.mv),
            id=removed.mv_id,
        )
        await interaction.response.edit_message(content=r.fit(content), embeds=[], view=None)

    async def on_cancel(self, interaction: discord.Interaction) -> None:
        self.finish()
        await interaction.response.edit_message(
            content=r.fit(_("Kept {mv}; nothing was removed.", mv=r.name_of(self.entry.mv))), embeds=[], view=None
        )


# --------------------------------------------------------------------------- the commands


class CurationCommands(_Mixin):
    """The community-catalog `/mv` commands, mixed into :class:`cogs.mv.cog.MVCog`."""

    bot: LightstickBot
    #: Seconds until a draft's or a page's buttons expire (tests shorten it).
    curation_timeout: float = DRAFT_TIMEOUT

    async def cog_load(self) -> None:
        await super().cog_load()
        self.bot.add_dynamic_items(ReviewButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(ReviewButton)
        await super().cog_unload()

    @property
    def curation_store(self) -> ServerCatalogStore:
        return self.bot.catalogs.store

    # -- checks -----------------------------------------------------------------------------------

    async def curator_settings(self, interaction: discord.Interaction) -> CurationSettings:
        """The guild's settings, if the member is a curator there; else a UserError."""
        settings = await self.curation_store.settings(guild_id_of(interaction))
        if not settings.may_curate(role_ids_of(interaction), manage_guild=interaction.permissions.manage_guild):
            raise UserError(NOT_CURATOR)
        return settings

    async def check_draft(self, interaction: discord.Interaction, draft: Draft, fields: dict[str, Any]) -> MV | None:
        """The draft's entry if it may go on; None when a duplicate's card was shown instead."""
        catalog = await self.bot.catalogs.get(draft.guild_id)
        mv = validate_server_entry(fields)
        ignore = server_mv_id(draft.target_id) if draft.kind is DraftKind.EDIT and draft.target_id else None
        same = catalog.duplicate_of(mv, ignore=ignore)
        if same is not None:
            await self.show_duplicate(interaction, same, catalog)
            return None
        problems = catalog.conflicts(mv, ignore=ignore)
        if problems:
            raise UserError(problem_message(_("This MV can't be added as it is:"), problems))
        if draft.kind is DraftKind.SUGGEST:
            now = self.bot.clock.now()
            store = self.curation_store
            await store.check_member(draft.guild_id, draft.user_id, now=now, member_role_ids=role_ids_of(interaction))
            await store.check_entry(draft.guild_id, fields, against=catalog)
        return mv

    async def show_duplicate(self, interaction: discord.Interaction, same: MV, catalog: GuildCatalog) -> None:
        if same.from_server:
            text = _("{mv} is already in this server's catalog: here is its card.", mv=r.name_of(same))
        else:
            text = _("{mv} is already in the catalog: here is its card.", mv=r.name_of(same))
        embed = r.card_embed(same, catalog, age_restricted=is_age_restricted(interaction.channel))
        await reply(interaction, r.fit(text), embed=embed)

    # -- drafts: modal → preview → (story modal) → finish ------------------------------------------

    async def open_essentials(self, interaction: discord.Interaction, draft: Draft) -> None:
        async def essentials_typed(submitted: discord.Interaction, values: dict[str, str]) -> None:
            fields = r.merged(draft.fields, r.parse_essentials(values))
            mv = await self.check_draft(submitted, draft, fields)
            if mv is None:
                return
            draft.fields = fields
            catalog = await self.bot.catalogs.get(draft.guild_id)
            age_restricted = is_age_restricted(submitted.channel)
            embed = r.card_embed(mv, catalog, age_restricted=age_restricted, footer=r.preview_footer())
            view = DraftView(self, draft, timeout=self.curation_timeout)
            await submitted.response.send_message(
                r.fit(r.draft_text(draft.kind.value)),
                embed=embed,
                view=view,
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
            )
            view.origin = submitted

        values = r.essentials_values(draft.fields)
        modal = EntryModal(draft.essentials_title(), r.ESSENTIALS, values, essentials_typed)
        await interaction.response.send_modal(modal)

    async def finish_draft(self, interaction: discord.Interaction, view: DraftView) -> None:
        draft = view.draft
        if draft.kind is DraftKind.SUGGEST:
            await self.send_suggestion(interaction, view)
        elif draft.kind is DraftKind.EDIT:
            await self.save_edit(interaction, view)
        else:
            await self.approve_from(interaction, draft.target_id or 0, draft=view)

    async def send_suggestion(self, interaction: discord.Interaction, view: DraftView) -> None:
        draft = view.draft
        suggestion = await self.bot.catalogs.submit(
            draft.guild_id,
            draft.user_id,
            draft.fields,
            now=self.bot.clock.now(),
            member_role_ids=role_ids_of(interaction),
        )
        view.finish()
        posted = await self.post_for_review(interaction.guild, suggestion, interaction.user.display_name)
        catalog = await self.bot.catalogs.get(draft.guild_id)
        embed = r.card_embed(
            suggestion.mv,
            catalog,
            age_restricted=is_age_restricted(interaction.channel),
            footer=r.suggestion_footer(suggestion.suggestion_id),
        )
        await interaction.response.edit_message(
            content=r.fit(r.sent_text(suggestion.suggestion_id, posted=posted)), embed=embed, view=None
        )

    async def save_edit(self, interaction: discord.Interaction, view: DraftView) -> None:
        draft = view.draft
        await self.curator_settings(interaction)
        assert draft.target_id is not None
        current = await self.curation_store.entry(draft.guild_id, draft.target_id)
        if current is None:
            raise UserError(_("This server has no entry `{id}` any more.", id=draft.label))
        before = entry_fields(current.mv)
        if before != draft.base:
            raise UserError(_("Someone changed `{id}` while you were editing; run `/mv edit` again.", id=draft.label))
        changes = r.changes_between(before, entry_fields(validate_server_entry(draft.fields)))
        if not changes:
            raise UserError(_("That changes nothing: the entry already reads so."))
        entry = await self.bot.catalogs.edit_entry(
            draft.guild_id, draft.target_id, interaction.user.id, changes, now=self.bot.clock.now()
        )
        view.finish()
        catalog = await self.bot.catalogs.get(draft.guild_id)
        embed = r.card_embed(entry.mv, catalog, age_restricted=is_age_restricted(interaction.channel))
        changed = ", ".join(f"`{name}`" for name in changes)  # field names as data/mvs.toml has them
        content = _("✏️ Saved `{id}`: changed {fields}. See `/mv history mv:{id}`.", id=entry.mv_id, fields=changed)
        await interaction.response.edit_message(content=r.fit(content), embed=embed, view=None)

    # -- the review channel -------------------------------------------------------------------------

    def review_channel(
        self, guild: discord.Guild | None, settings: CurationSettings
    ) -> discord.TextChannel | discord.Thread | None:
        if guild is None or settings.review_channel_id is None:
            return None
        channel = guild.get_channel_or_thread(settings.review_channel_id)
        return channel if isinstance(channel, discord.TextChannel | discord.Thread) else None

    async def post_for_review(self, guild: discord.Guild | None, suggestion: Suggestion, member_name: str) -> bool:
        """Post the suggestion with its buttons in the review channel; False if it can't be
        (no channel, no permission): curators still find it with `/mv review`. In the server's
        language, like everything in the review channel."""
        settings = await self.curation_store.settings(suggestion.guild_id)
        channel = self.review_channel(guild, settings)
        if channel is None:
            return False
        catalog = await self.bot.catalogs.get(suggestion.guild_id)
        try:
            with speaking(await self.server_locale(suggestion.guild_id)):
                embed = r.card_embed(
                    suggestion.mv,
                    catalog,
                    age_restricted=is_age_restricted(channel),
                    footer=r.suggestion_footer(suggestion.suggestion_id),
                )
                message = await channel.send(
                    r.fit(r.review_pending_text(suggestion, member_name)),
                    embed=embed,
                    view=review_buttons(suggestion.suggestion_id),
                    allowed_mentions=NO_MENTIONS,
                )
        except discord.HTTPException as error:
            log.warning("guild %s: could not post suggestion #%s for review: %s", suggestion.guild_id,
                        suggestion.suggestion_id, error)  # fmt: skip
            return False
        await self.curation_store.set_review_message(suggestion.guild_id, suggestion.suggestion_id, message.id)
        return True

    async def server_locale(self, guild_id: int) -> str:
        """The language of the server's public messages (the review channel's)."""
        return await public_locale(self.bot, guild_id)

    async def pending_suggestion(self, guild_id: int, suggestion_id: int) -> Suggestion:
        suggestion = await self.curation_store.suggestion(guild_id, suggestion_id)
        if suggestion is None:
            raise UserError(_("There is no suggestion #{id} in this server.", id=suggestion_id))
        if suggestion.status is SuggestionStatus.APPROVED:
            raise UserError(_("Suggestion #{id} was already approved by another curator.", id=suggestion_id))
        if suggestion.status is SuggestionStatus.REJECTED:
            raise UserError(_("Suggestion #{id} was already rejected.", id=suggestion_id))
        return suggestion

    async def on_review_button(self, interaction: discord.Interaction, suggestion_id: int, action: str) -> None:
        """Approve, Edit or Reject clicked under a suggestion in the review channel."""
        if action == APPROVE:
            await self.approve_from(interaction, suggestion_id)
        elif action == REJECT:
            await self.open_reject(interaction, suggestion_id)
        else:
            await self.open_review_edit(interaction, suggestion_id)

    async def open_review_edit(self, interaction: discord.Interaction, suggestion_id: int) -> None:
        await self.curator_settings(interaction)
        suggestion = await self.pending_suggestion(guild_id_of(interaction), suggestion_id)
        draft = Draft(
            DraftKind.REVIEW,
            suggestion.guild_id,
            interaction.user.id,
            fields=dict(suggestion.fields),
            base=dict(suggestion.fields),
            target_id=suggestion_id,
            label=_("suggestion #{id}", id=suggestion_id),
        )
        await self.open_essentials(interaction, draft)

    async def approve_from(
        self,
        interaction: discord.Interaction,
        suggestion_id: int,
        *,
        queue: QueueView | None = None,
        draft: DraftView | None = None,
    ) -> None:
        """Approve (with a draft's changes, if any), then show it where the curator clicked,
        on the review message, and to the member."""
        await self.curator_settings(interaction)
        guild_id = guild_id_of(interaction)
        suggestion = await self.pending_suggestion(guild_id, suggestion_id)
        changes: dict[str, Any] = {}
        if draft is not None:
            changes = r.changes_between(suggestion.fields, entry_fields(validate_server_entry(draft.draft.fields)))
        now = self.bot.clock.now()
        curator = interaction.user
        entry = await self.bot.catalogs.approve(guild_id, suggestion_id, curator.id, now=now)
        refused = None
        if changes:
            try:
                entry = await self.bot.catalogs.edit_entry(guild_id, entry.entry_id, curator.id, changes, now=now)
            except UserError as error:
                refused = error.message
        edited = bool(changes) and refused is None
        text: Msg = r.approved_text(suggestion_id, curator.display_name, entry.mv_id, edited=edited)
        if refused:
            text = _("{approved}\nYour changes were not saved: {problem}", approved=text, problem=refused)
        skip = await self.answer_decision(interaction, suggestion_id, SuggestionStatus.APPROVED, text, queue, draft)
        dm = r.approved_dm(entry.mv, self.guild_name(interaction))
        await self.after_decision(interaction, suggestion, text, skip, dm, r.approved_outcome(entry.mv))

    async def open_reject(
        self, interaction: discord.Interaction, suggestion_id: int, *, queue: QueueView | None = None
    ) -> None:
        await self.curator_settings(interaction)
        suggestion = await self.pending_suggestion(guild_id_of(interaction), suggestion_id)

        async def reason_typed(submitted: discord.Interaction, values: dict[str, str]) -> None:
            r.check_lengths([r.REASON], values)
            await self.curator_settings(submitted)
            decided = await self.curation_store.reject(
                suggestion.guild_id, suggestion_id, submitted.user.id, values["reason"], now=self.bot.clock.now()
            )
            reason = decided.reason or ""
            text = r.rejected_text(suggestion_id, submitted.user.display_name, reason)
            skip = await self.answer_decision(submitted, suggestion_id, SuggestionStatus.REJECTED, text, queue, None)
            dm = r.rejected_dm(suggestion.fields, self.guild_name(submitted), reason)
            await self.after_decision(submitted, suggestion, text, skip, dm, r.rejected_outcome(reason))

        title = _("Reject suggestion #{id}", id=suggestion_id)
        await interaction.response.send_modal(EntryModal(title, [r.REASON], {}, reason_typed))

    async def answer_decision(
        self,
        interaction: discord.Interaction,
        suggestion_id: int,
        status: SuggestionStatus,
        text: Msg,
        queue: QueueView | None,
        draft: DraftView | None,
    ) -> int | None:
        """Answer the curator where they acted (the review message itself in the server's
        language); the id of a review message already updated."""
        if queue is not None:
            await queue.show(interaction, note=text)
            return None
        if draft is not None:
            draft.finish()
            await interaction.response.edit_message(content=r.fit(text), view=None)
            return None
        message = interaction.message
        if message is not None and message.id == await self.review_message_id(interaction, suggestion_id):
            with speaking(await self.server_locale(guild_id_of(interaction))):
                await interaction.response.edit_message(content=r.fit(text), view=review_buttons(suggestion_id, status))
            return message.id
        await reply(interaction, r.fit(text))
        return None

    async def review_message_id(self, interaction: discord.Interaction, suggestion_id: int) -> int | None:
        suggestion = await self.curation_store.suggestion(guild_id_of(interaction), suggestion_id)
        if suggestion is None:
            return None
        if suggestion.review_message_id is None and interaction.message is not None:
            return interaction.message.id  # posted, but the id was not saved: the buttons say which
        return suggestion.review_message_id

    async def after_decision(
        self,
        interaction: discord.Interaction,
        suggestion: Suggestion,
        text: Msg,
        updated_message_id: int | None,
        dm: Msg,
        outcome: Msg,
    ) -> None:
        """Show the outcome on the review message (if not done) and tell the member."""
        settings = await self.curation_store.settings(suggestion.guild_id)
        channel = self.review_channel(interaction.guild, settings)
        decided = await self.curation_store.suggestion(suggestion.guild_id, suggestion.suggestion_id)
        status = decided.status if decided is not None else SuggestionStatus.PENDING
        message_id = suggestion.review_message_id
        server = await self.server_locale(suggestion.guild_id)
        if channel is not None and message_id is not None and message_id != updated_message_id:
            try:
                with speaking(server):
                    await channel.get_partial_message(message_id).edit(
                        content=r.fit(text),
                        view=review_buttons(suggestion.suggestion_id, status),
                        allowed_mentions=NO_MENTIONS,
                    )
            except discord.HTTPException as error:
                log.info("could not update the review message of suggestion #%s: %s", suggestion.suggestion_id, error)
        # The member's own language when they are the one deciding (a curator's own suggestion);
        # Discord tells a bot no one else's, so otherwise the server's.
        member = interaction.locale if interaction.user.id == suggestion.member_id else server
        await self.tell_member(channel, suggestion, dm, outcome, member_locale=member, server_locale=server)

    async def tell_member(
        self,
        channel: discord.TextChannel | discord.Thread | None,
        suggestion: Suggestion,
        dm: Text,
        outcome: Text,
        *,
        member_locale: object = None,
        server_locale: object = None,
    ) -> bool:
        """DM the member (in `member_locale`); with DMs closed, a note in the review channel that
        names nobody (in `server_locale`)."""
        try:
            private = await self.bot.create_dm(discord.Object(suggestion.member_id))
            with speaking(member_locale or current_locale()):
                await private.send(r.fit(dm), allowed_mentions=NO_MENTIONS)
            return True
        except discord.HTTPException as error:
            log.info("could not DM the member of suggestion #%s: %s", suggestion.suggestion_id, error)
        if channel is not None:
            try:
                with speaking(server_locale or current_locale()):
                    note = r.fit(r.closed_dms_note(suggestion.suggestion_id, outcome))
                    await channel.send(note, allowed_mentions=NO_MENTIONS)
            except discord.HTTPException as error:
                log.warning("could not leave a note about suggestion #%s: %s", suggestion.suggestion_id, error)
        return False

    @staticmethod
    def guild_name(interaction: discord.Interaction) -> str:
        return interaction.guild.name if interaction.guild is not None else str(_("this server"))

    # -- own entries ----------------------------------------------------------------------------------

    async def own_entry(self, guild_id: int, text: str) -> ServerEntry:
        """One of the guild's own entries by id (what autocomplete sends), name or best match."""
        catalog = await self.bot.catalogs.get(guild_id)
        entry_id = server_entry_id(text)
        if entry_id is None:
            text = text.strip()
            found = (catalog.own.get(text) or catalog.own.named(text)) if catalog.has_own else None
            builtin = catalog.builtin.get(text) or catalog.builtin.named(text)
            if found is None and builtin is not None:  # exactly a built-in MV: never a near own one
                raise UserError(
                    _(
                        "{mv} is a built-in MV: only this server's own entries can be changed here.",
                        mv=r.name_of(builtin),
                    )
                )
            if found is None and catalog.has_own:
                best = catalog.own.search(text, limit=1)
                found = best[0] if best else None
            if found is None:
                raise UserError(
                    _("This server has no MV of its own matching “{text}”.", text=truncate(r.plain(text), 100))
                )
            entry_id = server_entry_id(found.id)
        entry = await self.curation_store.entry(guild_id, entry_id or 0)
        if entry is None:
            raise UserError(_("This server has no entry `{id}`.", id=server_mv_id(entry_id or 0)))
        return entry

    async def own_entry_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        catalog = await self.bot.catalogs.get(interaction.guild_id)
        if not catalog.has_own:
            return []
        if current.strip():
            found = catalog.own.autocomplete(current, CHOICE_LIMIT)
        else:
            found = list(reversed(catalog.own.entries[-CHOICE_LIMIT:]))
        return [choice(mv.display_name, mv.id) for mv in found]

    # -- commands -------------------------------------------------------------------------------------

    @MV_GROUP.command(name="suggest", description="Suggest an MV for this server's own catalog; curators review it.")
    @app_commands.guild_only()
    async def suggest_mv(self, interaction: discord.Interaction) -> None:
        guild_id = guild_id_of(interaction)
        await self.curation_store.check_member(
            guild_id, interaction.user.id, now=self.bot.clock.now(), member_role_ids=role_ids_of(interaction)
        )
        await self.open_essentials(interaction, Draft(DraftKind.SUGGEST, guild_id, interaction.user.id, fields={}))

    @MV_GROUP.command(
        name="curation", description="Admins: where suggestions go for review, and who curates (Manage Server)."
    )
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    @app_commands.describe(
        channel="The channel where suggestions are posted for curators to approve or reject",
        role="Curators: members with this role (members with Manage Server always are)",
        suggest_role="Only members with this role may suggest (default: everyone)",
        cooldown="Minutes a member waits between two suggestions (default 10; 0 for none)",
    )
    async def set_up_curation(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel,
        role: discord.Role | None = None,
        suggest_role: discord.Role | None = None,
        cooldown: Minutes | None = None,
    ) -> None:
        guild_id = guild_id_of(interaction)
        if not interaction.permissions.manage_guild:
            raise app_commands.MissingPermissions(["manage_guild"])
        guild = interaction.guild
        assert guild is not None
        missing = missing_permissions(channel.permissions_for(guild.me), REVIEW_PERMISSIONS)
        if missing:
            raise UserError(
                _(
                    "I can't post suggestions in {channel}: I need {permissions} there.",
                    channel=channel.mention,
                    permissions=permission_list(missing),
                )
            )
        if role is not None and role.is_default():
            raise UserError(_("@everyone can't be the curator role: pick a role only curators have, or leave it out."))
        current = await self.curation_store.settings(guild_id)
        settings = CurationSettings(
            guild_id,
            review_channel_id=channel.id,
            curator_role_id=role.id if role is not None else None,
            suggest_role_id=None if suggest_role is None or suggest_role.is_default() else suggest_role.id,
            cooldown=timedelta(minutes=cooldown) if cooldown is not None else current.cooldown,
        )
        saved = await self.curation_store.save_settings(settings, now=self.bot.clock.now())
        await reply(interaction, r.settings_text(saved))

    @MV_GROUP.command(name="review", description="Curators: the suggestions waiting for review, one a page.")
    @app_commands.guild_only()
    async def review_queue(self, interaction: discord.Interaction) -> None:
        await self.curator_settings(interaction)
        view = QueueView(self, guild_id_of(interaction), interaction.user.id, timeout=self.curation_timeout)
        content, embed = await view.render(interaction.channel)
        if embed is None:
            await reply(interaction, content)
            return
        await interaction.response.send_message(
            content, embed=embed, view=view, ephemeral=True, allowed_mentions=NO_MENTIONS
        )
        view.origin = interaction

    @MV_GROUP.command(name="edit", description="Curators: edit one of this server's own MVs in a form.")
    @app_commands.guild_only()
    @app_commands.describe(mv="One of this server's own MVs: type its title and pick it")
    async def edit_own_entry(self, interaction: discord.Interaction, mv: EntryText) -> None:
        await self.curator_settings(interaction)
        entry = await self.own_entry(guild_id_of(interaction), mv)
        fields = entry_fields(entry.mv)
        draft = Draft(
            DraftKind.EDIT,
            entry.guild_id,
            interaction.user.id,
            fields=dict(fields),
            base=fields,
            target_id=entry.entry_id,
            label=entry.mv_id,
        )
        await self.open_essentials(interaction, draft)

    @MV_GROUP.command(name="remove", description="Curators: remove one of this server's own MVs (asks first).")
    @app_commands.guild_only()
    @app_commands.describe(mv="One of this server's own MVs: type its title and pick it")
    async def remove_own_entry(self, interaction: discord.Interaction, mv: EntryText) -> None:
        await self.curator_settings(interaction)
        entry = await self.own_entry(guild_id_of(interaction), mv)
        catalog = await self.bot.catalogs.get(entry.guild_id)
        embed = r.card_embed(entry.mv, catalog, age_restricted=is_age_restricted(interaction.channel))
        view = RemoveView(self, entry, interaction.user.id, timeout=self.curation_timeout)
        await interaction.response.send_message(
            r.fit(
                _(
                    "Remove {mv} (`{id}`) from this server's catalog? Its history is kept.",
                    mv=r.name_of(entry.mv),
                    id=entry.mv_id,
                )
            ),
            embed=embed,
            view=view,
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )
        view.origin = interaction

    @MV_GROUP.command(name="history", description="Who changed one of this server's own MVs, when, and what.")
    @app_commands.guild_only()
    @app_commands.describe(mv="One of this server's own MVs (a removed one by its id, e.g. s-12)")
    async def entry_history(self, interaction: discord.Interaction, mv: EntryText) -> None:
        guild_id = guild_id_of(interaction)
        entry_id = server_entry_id(mv)
        label = f"`{mv.strip()}`"
        if entry_id is None or await self.curation_store.entry(guild_id, entry_id) is not None:
            entry = await self.own_entry(guild_id, mv)
            entry_id, label = entry.entry_id, f"`{entry.mv_id}` {r.name_of(entry.mv)}"
        records = await self.curation_store.history(guild_id, entry_id)
        if not records:
            raise UserError(_("Nothing is recorded for {entry} in this server.", entry=label))
        await reply(interaction, embed=r.history_embed(label, records))

    edit_own_entry.autocomplete("mv")(own_entry_autocomplete)
    remove_own_entry.autocomplete("mv")(own_entry_autocomplete)
    entry_history.autocomplete("mv")(own_entry_autocomplete)
