"""A person's own journeys: /start and registration, the profile, settings, privacy, transfers
between branches."""

from __future__ import annotations

from typing import Any

from telegram.ext import BaseHandler

from handlers.membership import privacy, profile, registration, settings, transfer


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    """Registration first: its wizard takes the text of a person registering, and the profile's
    ✏️ opens the same wizard on the person's record."""
    return [
        *registration.build_handlers(more_entry_points=[profile.edit_entry_point()]),
        *profile.build_handlers(),
        *settings.build_handlers(),
        *transfer.build_handlers(),
        *privacy.build_handlers(),
    ]
