"""What cadres run: permissions (/invite, /cadres), member review, imports, the audit log,
figures and exports, the digest."""

from __future__ import annotations

from typing import Any

from telegram.ext import BaseHandler

from handlers.admin import audit, cadres, export, imports, members, stats


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        cadres.invitation_entry(),
        *cadres.build_handlers(),
        *members.build_handlers(),
        *audit.build_handlers(),
        *stats.build_handlers(),
        *export.build_handlers(),
        *imports.build_handlers(),
    ]
