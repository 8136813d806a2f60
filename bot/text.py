"""Plain-text helpers shared by the domain and the Discord layer (no Discord imports here)."""

from __future__ import annotations


def truncate(text: str, limit: int) -> str:
    """Cut `text` to `limit` characters with an ellipsis: Discord rejects long text, never cuts it."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + "…"
