"""Errors shared by the domain and the Discord layer (no Discord imports here)."""

from __future__ import annotations


class UserError(Exception):
    """Something the user can fix; its message is shown to them as an ephemeral reply."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
