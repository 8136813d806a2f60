"""The one error the database layer raises for things a person must fix."""

from __future__ import annotations


class DatabaseError(Exception):
    """The database cannot be used as it is; the message says why and what to do."""
