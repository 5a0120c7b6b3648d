"""Trainings: the member's list, sign-up, waitlist and check-in; the cadre's publish/edit wizard
and roster."""

from __future__ import annotations

from typing import Any

from telegram.ext import BaseHandler

from handlers.trainings import training_wizard, trainings


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    """The wizard before the lists: a cadre typing a training's title is in the wizard."""
    return [
        *trainings.deep_link_entries(),
        *training_wizard.build_handlers(),
        *trainings.build_handlers(),
    ]
