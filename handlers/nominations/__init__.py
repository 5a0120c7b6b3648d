"""推优 and honours: campaigns, the application form, nominations, review, the branch meeting
and the public notice."""

from __future__ import annotations

from typing import Any

from telegram.ext import BaseHandler

from handlers.nominations import application, campaign_wizard, campaigns, meeting, nominee, review


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        *campaign_wizard.build_handlers(),
        *application.build_handlers(),
        *campaigns.build_handlers(),
        *review.build_handlers(),
        *meeting.build_handlers(),
        *nominee.build_handlers(),
    ]
