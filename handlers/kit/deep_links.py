"""Deep links (t.me/<bot>?start=<payload>) arrive as `/start <payload>`. Journeys other than
registration claim payloads by prefix; registration's /start takes every other /start, so a
link opened in the middle of a wizard still reaches its journey."""

from __future__ import annotations

import re

from telegram.ext import filters

from bot.domain.trainings import CHECKIN_PREFIX, LINK_PREFIX
from bot.services.admin.cadres import INVITE_PREFIX

CLAIMED_PREFIXES = (INVITE_PREFIX, CHECKIN_PREFIX, LINK_PREFIX)


def deep_link(prefix: str) -> filters.BaseFilter:
    """A private /start whose payload starts with `prefix`."""
    return filters.ChatType.PRIVATE & filters.Regex(rf"^/start {re.escape(prefix)}")


# /start with no payload, or with one no journey claims.
UNCLAIMED_START = ~filters.Regex(
    r"^/start (?:" + "|".join(re.escape(prefix) for prefix in CLAIMED_PREFIXES) + ")"
)
