"""What keeps the token and people's data from other users of the machine and from the logs:
a private umask for every file the bot creates, a warning when the config file that holds the
token can be read by others, and log lines with every secret replaced before they are written
(PTB and httpx name the Bot API URL, which carries the token, at DEBUG and in errors)."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger(__name__)

# Files the bot creates (the database, its -wal and -shm, backups, export files) are its own.
PRIVATE_UMASK = 0o077
HIDDEN = "<hidden>"


def private_files() -> None:
    """From now on, files and folders this process creates are readable by its user only."""
    os.umask(PRIVATE_UMASK)


def warn_if_shared(config: Path) -> bool:
    """Logs a warning when others on the machine may read the config (it holds the token);
    True when it did."""
    try:
        mode = config.stat().st_mode
    except OSError:
        return False
    if not mode & (stat.S_IRWXG | stat.S_IRWXO):
        return False
    log.warning(
        "the config file %s holds the bot's token and can be read by other users (mode %o); "
        "run: chmod 600 %s",
        config,
        stat.S_IMODE(mode),
        config,
    )
    return True


class Redacting(logging.Formatter):
    """A formatter that writes every secret as <hidden>, in the message and the traceback."""

    def __init__(self, fmt: str, secrets: Iterable[str]) -> None:
        super().__init__(fmt)
        # Longest first, so that a secret containing another is hidden whole.
        self._secrets = sorted({s for s in secrets if len(s) >= 8}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self._secrets:
            text = text.replace(secret, HIDDEN)
        return text


def hide_in_logs(secrets: Iterable[str]) -> None:
    """Every handler of the root logger hides these secrets from now on."""
    kept = list(secrets)
    for handler in logging.getLogger().handlers:
        fmt = handler.formatter._fmt if handler.formatter else None
        handler.setFormatter(Redacting(fmt or logging.BASIC_FORMAT, kept))
