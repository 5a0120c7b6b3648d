"""The typed context every handler receives: services, settings, the user's account and language."""

from __future__ import annotations

import html
import time
from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.config import Settings
from bot.domain.models import Account, Language
from bot.i18n import Translator
from bot.infra.delivery import DeliveryEngine
from bot.infra.scheduler import Scheduler
from bot.services import Services


class ReportGate:
    """Lets one error report through per interval, so an outage does not flood admins' chats."""

    def __init__(self) -> None:
        self._last = float("-inf")

    def allow(self, interval: float) -> bool:
        now = time.monotonic()
        if now - self._last < interval:
            return False
        self._last = now
        return True


class BotData:
    """Everything shared by handlers, attached once when the application is assembled."""

    def __init__(self) -> None:
        self._services: Services | None = None
        self._settings: Settings | None = None
        self._delivery: DeliveryEngine | None = None
        self._scheduler: Scheduler | None = None
        self.translator = Translator()
        self.error_reports = ReportGate()

    def attach(
        self,
        *,
        services: Services,
        settings: Settings,
        translator: Translator,
        delivery: DeliveryEngine,
        scheduler: Scheduler,
    ) -> None:
        self._services = services
        self._settings = settings
        self.translator = translator
        self._delivery = delivery
        self._scheduler = scheduler

    @property
    def delivery(self) -> DeliveryEngine:
        if self._delivery is None:
            raise RuntimeError("the delivery engine is attached in bot.app.build_application")
        return self._delivery

    @property
    def scheduler(self) -> Scheduler:
        if self._scheduler is None:
            raise RuntimeError("the scheduler is attached in bot.app.build_application")
        return self._scheduler

    @property
    def services(self) -> Services:
        if self._services is None:
            raise RuntimeError("services are attached in bot.app.build_application")
        return self._services

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            raise RuntimeError("settings are attached in bot.app.build_application")
        return self._settings


class LeagueContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """PTB builds one of these per update, so the account looked up first serves every handler."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self.account: Account | None = None

    @property
    def services(self) -> Services:
        return self.bot_data.services

    @property
    def settings(self) -> Settings:
        return self.bot_data.settings

    @property
    def language(self) -> Language:
        if self.account is not None:
            return self.account.language
        return self.bot_data.translator.default

    def t(self, key: str, /, **params: object) -> str:
        """The text `key` in this user's language, parameters HTML-escaped."""
        return self.bot_data.translator.t(self.language, key, **params)

    def t_in(self, language: Language, key: str, /, **params: object) -> str:
        return self.bot_data.translator.t(language, key, **params)

    def label(self, key: str, /, **params: object) -> str:
        """The text `key` for a button: Telegram shows labels as plain text, so a name like
        "A&B" must not arrive escaped."""
        return html.unescape(self.t(key, **params))
