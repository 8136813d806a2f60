"""`/mv export` and `/mv import file:`: a server's own entries as a pack file, and packs in.

Both are for curators (Manage Server, or the curator role set with `/mv curation`, see
:meth:`~bot.catalog.server.CurationSettings.may_curate`), checked in code on every use.

- **Export** answers privately with the server's entries as TOML in the ``data/mvs.toml``
  format (every field; importing it elsewhere gives the same entries) or as CSV in the public
  list's layout, where cells a spreadsheet would run as formulas are neutralised.
- **Import** is two steps. The dry run refuses a file that is too big (by the attachment's
  size, before downloading it) or not a pack, reads it off the event loop
  (:func:`~bot.catalog.packs.read_pack` against the server's catalog) and shows what would be
  added, which rows are duplicates and which are invalid and why, with Confirm and Cancel.
  Confirm — only the importer, once — writes every new entry and its history in one
  transaction through :meth:`~bot.catalog.server.ServerCatalogStore.import_entries`: all
  of them or, if anything fails, none.
"""

from __future__ import annotations

import asyncio
import io
import logging
import re
import secrets
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import discord
from discord import app_commands

from bot.catalog import MV
from bot.catalog.packs import MAX_PACK_BYTES, PackError, PackReport, export_csv, export_pack, read_pack
from bot.catalog.problems import Problem
from bot.catalog.server import MAX_ENTRIES, CurationSettings
from bot.catalog.server.store import import_problems
from bot.errors import UserError
from bot.i18n import Msg, Number, Text, _, _n, current_locale, speaking, use_locale
from bot.ui import DESCRIPTION_LIMIT, NO_MENTIONS, reply, truncate
from cogs.mv.group import MV_GROUP
from cogs.mv.views import OwnedView

if TYPE_CHECKING:
    from discord.ext.commands import Cog as _Mixin

    from bot.client import LightstickBot
else:
    _Mixin = object  # MVCog is the Cog; typed as one so @MV_GROUP.command binds to it

log = logging.getLogger(__name__)

#: Discord lets a bot edit its reply for 15 minutes; the dry run's buttons expire before that.
IMPORT_TIMEOUT = 10 * 60.0
#: Discord takes at most 10 files on one message.
MAX_EXPORT_FILES = 10
PACK_SUFFIXES = frozenset({"toml", "csv", "tsv", "txt"})
SPREADSHEET_SUFFIXES = frozenset({"xlsx", "xlsm", "xls", "ods", "numbers"})
SUMMARY_ROWS = 10

NOT_CURATOR = _(
    "Only curators can export or import this server's catalog: members with Manage Server, "
    "or with the curator role an admin chose in `/mv curation`."
)
NOT_YOUR_IMPORT = _("Only the curator who started this import can confirm or cancel it; run `/mv import` for your own.")

ExportFormat = Literal["toml", "csv"]


# --------------------------------------------------------------------------- pure helpers


def file_stem(guild_name: str | None, guild_id: int) -> str:
    """``k-pop-central`` for "K-Pop Central"; ``server-<id>`` when nothing Latin is left."""
    slug = re.sub(r"[^a-z0-9]+", "-", (guild_name or "").casefold()).strip("-")[:50].strip("-")
    return slug or f"server-{guild_id}"


def split_for_import(entries: Sequence[MV], render: Any, limit: int = MAX_PACK_BYTES) -> list[str]:
    """The entries rendered as one file, or as several in their order when one would be
    bigger than an import takes (``limit`` bytes): each part imports on its own."""
    text = render(entries)
    if len(text.encode("utf-8")) <= limit or len(entries) <= 1:
        return [text]
    half = len(entries) // 2
    return split_for_import(entries[:half], render, limit) + split_for_import(entries[half:], render, limit)


def refusal_for_upload(filename: str, size: int) -> Msg | None:
    """Why an attachment can't be a pack, judged before downloading it; None if it may be."""
    suffix = filename.rsplit(".", 1)[-1].casefold() if "." in filename else ""
    if size > MAX_PACK_BYTES:
        return _(
            "{file} is {size} MB; a pack can be at most 2 MB ({most} bytes). "
            "Split it into smaller files and import them one by one.",
            file=filename,
            size=Number(round(size / 1_048_576, 1)),
            most=Number(MAX_PACK_BYTES),
        )
    if size == 0:
        return _("{file} is empty.", file=filename)
    if suffix in SPREADSHEET_SUFFIXES:
        return _(
            "{file} is a spreadsheet workbook, not a pack. In your spreadsheet choose Save As › CSV UTF-8 "
            "(Comma delimited) and attach that file.",
            file=filename,
        )
    if suffix and suffix not in PACK_SUFFIXES:
        return _(
            "{file} is not a pack: attach a .toml file (the data/mvs.toml format, like `/mv export` writes) "
            "or a .csv file with the header {header}.",
            file=filename,
            header="Date,Artist,Song Name,Korean Name,Director,Video,Type,Release",
        )
    return None


def dry_run_embed(report: PackReport, *, blocked: Text | None = None) -> discord.Embed:
    """The dry run as a curator reads it, in their language: counts, the first duplicates and
    invalid rows with their rows and reasons, and what Confirm will do (or why there is nothing
    to confirm). Column names in it stay as the file has them."""
    summary = str(report.summary(limit=SUMMARY_ROWS))
    embed = discord.Embed(
        title=truncate(str(_("Import dry run: {file}", file=report.filename)), 256),
        description=truncate(discord.utils.escape_markdown(summary), DESCRIPTION_LIMIT),
        colour=discord.Colour.orange() if blocked else discord.Colour.blurple(),
    )
    if blocked is not None:
        embed.add_field(name=str(_("Nothing to confirm")), value=truncate(str(blocked), 1024), inline=False)
    else:
        adds = _n(
            "adds {count} new entry to this server's catalog in one go: all of them or, if anything goes wrong, "
            "none. Duplicates and invalid rows are skipped.",
            "adds {count} new entries to this server's catalog in one go: all of them or, if anything goes wrong, "
            "none. Duplicates and invalid rows are skipped.",
            len(report.new),
        )
        # TRANSLATORS: a heading: what the Confirm button does (the button's own label is "Confirm: add {count}")
        embed.add_field(name=str(_("Confirm")), value=str(adds), inline=False)
        footer = _("Nothing is written until you press Confirm. The buttons expire in 10 minutes.")
        embed.set_footer(text=str(footer))
    return embed


def blocked_reason(report: PackReport, stored: int, problems: Sequence[Problem]) -> str | None:
    """Why this dry run can't be confirmed as it is, or None (in the current language)."""
    if not report.new:
        return str(
            _("The file has no new entries: every row is a duplicate or invalid. Fix the invalid rows and try again.")
        )
    if stored + len(report.new) > MAX_ENTRIES:
        room = max(MAX_ENTRIES - stored, 0)
        return str(
            _n(
                "This server has {count} entry of its own and can hold {most}: there is room for {room}, not {new}. "
                "Import a smaller file, or remove entries first.",
                "This server has {count} entries of its own and can hold {most}: there is room for {room}, not {new}. "
                "Import a smaller file, or remove entries first.",
                stored,
                most=Number(MAX_ENTRIES),
                room=Number(room),
                new=Number(len(report.new)),
            )
        )
    if problems:
        lines = [str(_("Some entries clash with each other or with this server's catalog; fix them and import again:"))]
        lines += [f"- {problem.text()}" for problem in problems[:5]]
        if len(problems) > 5:
            lines.append(str(_("… and {count} more", count=Number(len(problems) - 5))))
        return "\n".join(lines)
    return None


def is_curator(interaction: discord.Interaction, settings: CurationSettings) -> bool:
    """The server's own rule (:meth:`CurationSettings.may_curate`) for the member who acted."""
    roles = {role.id for role in getattr(interaction.user, "roles", ())}
    return settings.may_curate(roles, manage_guild=interaction.permissions.manage_guild)


# --------------------------------------------------------------------------- the commands


class PackCommands(_Mixin):
    """`/mv export` and `/mv import`, mixed into :class:`cogs.mv.cog.MVCog`."""

    bot: LightstickBot
    #: Seconds until a dry run's buttons expire (tests shorten it).
    import_timeout: float = IMPORT_TIMEOUT

    async def require_curator(self, interaction: discord.Interaction) -> int:
        """The guild id, or a UserError for a member who isn't a curator there."""
        if interaction.guild_id is None:
            raise UserError(_("This command only works inside a server."))
        settings = await self.bot.catalogs.store.settings(interaction.guild_id)
        if not is_curator(interaction, settings):
            raise UserError(NOT_CURATOR)
        return interaction.guild_id

    @MV_GROUP.command(name="export", description="Curators: this server's own MVs as a file to keep or import.")
    @app_commands.describe(format="TOML keeps every field (default); CSV opens in a spreadsheet")
    @app_commands.choices(
        format=[
            app_commands.Choice(name="TOML: every field, imports as the same entries", value="toml"),
            app_commands.Choice(name="CSV: the public MV list's columns, for spreadsheets", value="csv"),
        ]
    )
    @app_commands.guild_only()
    async def export_entries(self, interaction: discord.Interaction, format: str = "toml") -> None:
        guild_id = await self.require_curator(interaction)
        entries = [entry.mv for entry in await self.bot.catalogs.store.entries(guild_id)]
        if not entries:
            await reply(
                interaction,
                _(
                    "This server has no entries of its own yet, so there is nothing to export. Entries come from "
                    "approved suggestions or from `/mv import`."
                ),
            )
            return
        chosen: ExportFormat = "csv" if format == "csv" else "toml"
        render = export_csv if chosen == "csv" else export_pack
        texts = await asyncio.to_thread(split_for_import, entries, render)
        if len(texts) > MAX_EXPORT_FILES:
            raise UserError(_("This server's catalog is too big to export in one message; ask an admin for a copy."))
        stem = file_stem(interaction.guild.name if interaction.guild else None, guild_id)
        numbered = len(texts) > 1
        files = [
            discord.File(
                io.BytesIO(text.encode("utf-8")), filename=f"{stem}-catalog{f'-{part}' if numbered else ''}.{chosen}"
            )
            for part, text in enumerate(texts, start=1)
        ]
        if chosen == "toml":
            text = _n(
                "This server's {count} entry, in the data/mvs.toml format, every field: `/mv import` it into any "
                "server for the same entries.",
                "This server's {count} entries, in the data/mvs.toml format, every field: `/mv import` it into any "
                "server for the same entries.",
                len(entries),
            )
        else:
            text = _n(
                "This server's {count} entry, in the public K-pop MV list's CSV layout (date, artist, titles, "
                "video; TOML keeps every field). Cells a spreadsheet would run as a formula start with an apostrophe.",
                "This server's {count} entries, in the public K-pop MV list's CSV layout (date, artist, titles, "
                "video; TOML keeps every field). Cells a spreadsheet would run as a formula start with an apostrophe.",
                len(entries),
            )
        content = str(text)
        if len(files) > 1:
            split = _("Split into {count} files of at most 2 MB, so each one imports.", count=Number(len(files)))
            content += f" {split}"
        await reply(interaction, content, files=files)
        log.info("guild %s: %d entries exported as %s by %s", guild_id, len(entries), chosen, interaction.user.id)

    @MV_GROUP.command(name="import", description="Curators: add MVs from a TOML pack or the public MV list's CSV.")
    @app_commands.describe(file="A .toml pack (like /mv export writes) or a .csv of the public list, at most 2 MB")
    @app_commands.guild_only()
    async def import_file(self, interaction: discord.Interaction, file: discord.Attachment) -> None:
        guild_id = await self.require_curator(interaction)
        refusal = refusal_for_upload(file.filename, file.size)
        if refusal is not None:
            raise UserError(refusal)
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            data = await file.read()
        except discord.HTTPException as error:
            log.warning("guild %s: could not download %s: %s", guild_id, file.filename, error)
            raise UserError(
                _("I couldn't download {file} from Discord; attach it again.", file=file.filename)
            ) from None
        view = await self.bot.catalogs.get(guild_id)
        try:
            report = await asyncio.to_thread(read_pack, data, file.filename, existing=view.entries)
        except PackError as error:
            raise UserError(_("{problem} Nothing was imported.", problem=error.message)) from None
        problems = await asyncio.to_thread(import_problems, report.new, view) if report.new else []
        blocked = blocked_reason(report, len(view.own), problems)
        embed = dry_run_embed(report, blocked=blocked)
        if blocked is not None:
            await interaction.edit_original_response(embed=embed, allowed_mentions=NO_MENTIONS)
            return
        confirm = ImportView(
            self.bot, report, guild_id=guild_id, owner_id=interaction.user.id, timeout=self.import_timeout
        )
        await interaction.edit_original_response(embed=embed, view=confirm, allowed_mentions=NO_MENTIONS)
        confirm.origin = interaction


# --------------------------------------------------------------------------- Confirm / Cancel


class ImportView(OwnedView):
    """Confirm / Cancel under a dry run: only the importer, and the write happens once."""

    def __init__(self, bot: LightstickBot, report: PackReport, *, guild_id: int, owner_id: int, timeout: float) -> None:
        super().__init__(owner_id, timeout=timeout)
        self.bot = bot
        self.report = report
        self.guild_id = guild_id
        #: ready → writing → done | failed; or ready → cancelled.
        self.state = "ready"
        self.added = 0
        #: The importer's language, for the note when the dry run expires (no interaction then).
        self.locale = current_locale()
        nonce = secrets.token_hex(6)
        self.confirm_button: discord.ui.Button[ImportView] = discord.ui.Button(
            label=str(_("Confirm: add {count}", count=Number(len(report.new)))),
            style=discord.ButtonStyle.success,
            custom_id=f"mv-import:{nonce}:confirm",
        )
        self.cancel_button: discord.ui.Button[ImportView] = discord.ui.Button(
            # TRANSLATORS: a button (a verb): stop the import without writing anything
            label=str(_("Cancel")),
            style=discord.ButtonStyle.secondary,
            custom_id=f"mv-import:{nonce}:cancel",
        )
        self.confirm_button.callback = self.on_confirm  # type: ignore[method-assign]
        self.cancel_button.callback = self.on_cancel  # type: ignore[method-assign]
        self.add_item(self.confirm_button)
        self.add_item(self.cancel_button)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        use_locale(interaction.locale)  # a view's callbacks run in their own task
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(str(NOT_YOUR_IMPORT), ephemeral=True)
        return False

    def settled_message(self) -> Msg | None:
        """What a click says once the import is no longer waiting for Confirm."""
        return {
            "writing": _("This import is already being written; wait a moment."),
            "done": _n(
                "This import is already done: {count} entry was added. Nothing more to do.",
                "This import is already done: {count} entries were added. Nothing more to do.",
                self.added,
            ),
            "cancelled": _("This import was cancelled; run `/mv import` again to start over."),
            "failed": _("This import did not go through and wrote nothing; run `/mv import` again."),
        }.get(self.state)

    async def on_confirm(self, interaction: discord.Interaction) -> None:
        settled = self.settled_message()
        if settled is not None:
            await reply(interaction, settled)
            return
        self.state = "writing"
        self.disable_controls()
        count = len(self.report.new)
        importing = _n("Importing {count} entry…", "Importing {count} entries…", count)
        await interaction.response.edit_message(content=str(importing), view=self, allowed_mentions=NO_MENTIONS)
        try:
            await self._require_still_curator(interaction)
            against = await self.bot.catalogs.get(self.guild_id)
            ids = await self.bot.catalogs.store.import_entries(
                self.guild_id, self.report.new, self.owner_id, now=self.bot.clock.now(), against=against
            )
        except UserError as error:
            self.state = "failed"
            message = _("Nothing was imported. {problem}", problem=error.message)
        except Exception:
            self.state = "failed"
            error_id = secrets.token_hex(4)
            log.exception(
                "error id %s: import of %s into guild %s failed", error_id, self.report.filename, self.guild_id
            )
            message = _(
                "The import failed and nothing was written (error id `{id}`). "
                "It has been logged; please mention the id if you report it.",
                id=error_id,
            )
        else:
            self.state = "done"
            self.added = len(ids)
            message = _n(
                "Imported {count} entry from {file} into this server's catalog. `/mv search` finds it now.",
                "Imported {count} entries from {file} into this server's catalog. `/mv search` finds them now.",
                self.added,
                file=self.report.filename,
            )
        finally:
            self.bot.catalogs.invalidate(self.guild_id)
        await self._settle(interaction, message)

    async def on_cancel(self, interaction: discord.Interaction) -> None:
        settled = self.settled_message()
        if settled is not None:
            await reply(interaction, settled)
            return
        self.state = "cancelled"
        self.disable_controls()
        await interaction.response.edit_message(
            content=str(_("Import cancelled; nothing was written.")), view=self, allowed_mentions=NO_MENTIONS
        )

    async def on_timeout(self) -> None:
        if self.state != "ready":
            return  # the controls are already disabled on the message
        self.state = "cancelled"
        self.disable_controls()
        if self.origin is None:
            return
        try:
            with speaking(self.locale):
                expired = str(_("This dry run expired and nothing was written; run `/mv import` again."))
            await self.origin.edit_original_response(content=expired, view=self)
        except discord.HTTPException as error:
            log.debug("could not disable an expired import: %s", error)

    async def _require_still_curator(self, interaction: discord.Interaction) -> None:
        settings = await self.bot.catalogs.store.settings(self.guild_id)
        if not is_curator(interaction, settings):
            raise UserError(NOT_CURATOR)

    async def _settle(self, interaction: discord.Interaction, message: Text) -> None:
        try:
            await interaction.edit_original_response(content=str(message), view=self, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException:
            log.warning("could not show the import's outcome; telling the importer in a new message")
            await reply(interaction, message)
