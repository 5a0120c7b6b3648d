"""Broadcasts (群发通知): the wizard that writes one and the author's list to pause, resume or
cancel."""

from __future__ import annotations

from typing import Any

from telegram.ext import BaseHandler

from handlers.broadcasts import broadcast


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return broadcast.build_handlers()
