"""Errors shared by the domain and the Discord layer (no Discord imports here)."""

from __future__ import annotations

from bot.i18n import Text


class UserError(Exception):
    """Something the user can fix; its message is shown to them as an ephemeral reply, in
    their language (a :class:`~bot.i18n.Msg` renders when the reply is sent)."""

    def __init__(self, message: Text) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)
