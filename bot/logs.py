"""Logging set-up: one line per record, and secrets never printed."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable


class RedactSecrets(logging.Filter):
    """Replaces any secret (the token) that would appear in a formatted record."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(secret in message for secret in self._secrets):
            for secret in self._secrets:
                message = message.replace(secret, "[token]")
            record.msg, record.args = message, None
        return True


def setup_logging(level: int, *, secrets: Iterable[str] = ()) -> None:
    handler = logging.StreamHandler()
    process = os.environ.get("LIGHTSTICK_PROCESS_INDEX", "").strip()
    prefix = f"[p{process}] " if process else ""  # under the supervisor: which process said it
    handler.setFormatter(logging.Formatter(prefix + "%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("discord").setLevel(max(level, logging.INFO))
