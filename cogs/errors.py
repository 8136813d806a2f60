"""The app-command error handler: every failure becomes a clear, ephemeral reply.

A :class:`~bot.errors.UserError` raised anywhere shows its message; failed checks name
the missing permission; anything unexpected is logged with a short error id that the
user also sees, so a report can be matched to the log line.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import UserError
from bot.i18n import Number, _
from bot.ui import permission_list, reply

log = logging.getLogger(__name__)

Responder = Callable[[Exception], str]


def _user_error(error: Exception) -> str:
    assert isinstance(error, UserError)
    return str(error.message)


def _missing_permissions(error: Exception) -> str:
    assert isinstance(error, app_commands.MissingPermissions)
    return str(
        _(
            "You need the {permissions} permission to use this command.",
            permissions=permission_list(error.missing_permissions),
        )
    )


def _bot_missing_permissions(error: Exception) -> str:
    assert isinstance(error, app_commands.BotMissingPermissions)
    return str(
        _(
            "I need the {permissions} permission here to do that.",
            permissions=permission_list(error.missing_permissions),
        )
    )


def _no_private_message(error: Exception) -> str:
    return str(_("This command only works inside a server."))


def _cooldown(error: Exception) -> str:
    assert isinstance(error, app_commands.CommandOnCooldown)
    return str(_("Slow down — try again in {seconds} s.", seconds=Number(round(error.retry_after))))


def _forbidden(error: Exception) -> str:
    return str(
        _(
            "Discord refused that because I'm missing a permission in that channel "
            "(View Channel, Send Messages, Embed Links…). Ask a server admin to check my role."
        )
    )


def _transformer(error: Exception) -> str:
    assert isinstance(error, app_commands.TransformerError)
    return str(
        _(
            "`{value}` is not a valid {kind}.",
            value=error.value,
            kind=_TRANSFORMER_KINDS.get(error.type.name, error.type.name),
        )
    )


_TRANSFORMER_KINDS = {
    "string": _("text"),
    "integer": _("whole number"),
    "number": _("number"),
    "boolean": _("yes or no"),
    "user": _("member"),
    "channel": _("channel"),
    "role": _("role"),
    "mentionable": _("member or role"),
    "attachment": _("file"),
}


def _check_failure(error: Exception) -> str:
    return str(error) or str(_("You can't use this command here."))


#: Checked in order; the first matching type answers. Subclasses come before their bases.
ERROR_RESPONSES: tuple[tuple[type[Exception], Responder], ...] = (
    (UserError, _user_error),
    (app_commands.MissingPermissions, _missing_permissions),
    (app_commands.BotMissingPermissions, _bot_missing_permissions),
    (app_commands.NoPrivateMessage, _no_private_message),
    (app_commands.CommandOnCooldown, _cooldown),
    (app_commands.TransformerError, _transformer),
    (app_commands.CheckFailure, _check_failure),
    (discord.Forbidden, _forbidden),
)


def unwrap(error: Exception) -> Exception:
    """The exception the command actually raised, without discord.py's wrapper."""
    if isinstance(error, app_commands.CommandInvokeError | commands.CommandInvokeError):
        original = error.original
        return original if isinstance(original, Exception) else error
    return error


def response_for(error: Exception) -> str | None:
    for kind, responder in ERROR_RESPONSES:
        if isinstance(error, kind):
            return responder(error)
    return None


def new_error_id() -> str:
    return secrets.token_hex(4)


class Errors(commands.Cog):
    """Turns app-command errors into replies."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self._previous_handler = bot.tree.on_error

    async def cog_load(self) -> None:
        self.bot.tree.on_error = self.on_app_command_error  # type: ignore[method-assign]

    async def cog_unload(self) -> None:
        self.bot.tree.on_error = self._previous_handler  # type: ignore[method-assign]

    async def on_app_command_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        command = interaction.command.qualified_name if interaction.command else "?"
        await report_error(interaction, error, f"/{command}")


async def report_error(interaction: discord.Interaction, error: Exception, where: str) -> None:
    """A clear, ephemeral message for commands, buttons and modals alike; anything unexpected
    is logged with an id the member sees."""
    cause = unwrap(error)
    message = response_for(cause)
    if message is None:
        error_id = new_error_id()
        log.error("error id %s in %s", error_id, where, exc_info=cause)
        message = str(
            _(
                "Something went wrong on my side (error id `{error_id}`). "
                "It has been logged; please mention the id if you report it.",
                error_id=error_id,
            )
        )
    try:
        await reply(interaction, message)
    except discord.HTTPException:
        log.warning("could not deliver an error reply for interaction %s", interaction.id)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Errors(bot))
