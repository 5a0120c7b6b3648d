"""Assembles the PTB application from settings, storage and handlers, and runs it."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.context import BotData, LeagueContext
from bot.domain.quiet_hours import QuietHours
from bot.infra.delivery import DeliveryEngine
from bot.infra.draft_persistence import DraftPersistence
from bot.infra.idle_process import stop_idle_process
from bot.infra.scheduler import Scheduler
from bot.infra.telegram_http import TransportRequest, proxy_for
from bot.infra.update_processing import PerChatUpdateProcessor, RetryAfterLimiter
from bot.services import Services
from bot.services.admin.digest import KIND as DIGEST_KIND
from bot.services.broadcasts.service import REMINDER_KIND as BROADCAST_KIND
from bot.services.membership.privacy import RETENTION_KIND
from bot.services.nominations.campaigns import KIND_CLOSING as CAMPAIGN_CLOSING
from bot.services.nominations.campaigns import KIND_OPEN as CAMPAIGN_OPEN
from bot.services.nominations.review import KIND_NOTICE_END, KIND_REVIEW_CHECK
from bot.services.trainings.service import KIND_CLOSE, KIND_OFFER_EXPIRY, KIND_REMINDER
from handlers import admin, broadcasts, membership, nominations, trainings
from handlers.admin import digest
from handlers.broadcasts import broadcast
from handlers.kit import errors, fallbacks
from handlers.kit.menus import publish_chat_menu, publish_default_menus
from handlers.nominations import campaigns, nomination_views
from handlers.trainings import trainings_views
from storage.accounts import AccountRepository
from storage.database import Database
from storage.drafts import DraftRepository
from storage.outbox import OutboxRepository
from storage.reminders import ReminderRepository

_LOGGER = logging.getLogger(__name__)

# Connections to the Bot API server for everything but getUpdates: the replies of the updates
# being handled and the delivery engine's messages share them.
HTTP_CONNECTIONS = 16
# getUpdates has its one connection to itself; PTB's default wait for it.
GET_UPDATES_POOL_TIMEOUT_S = 1.0

LeagueApp = Application[Any, LeagueContext, Any, Any, BotData, Any]


def build_application(settings_: Settings, *, db: Database, clock: Clock) -> LeagueApp:
    """The PTB application over a connected, migrated database; nothing is started yet."""
    services = Services.create(db=db, clock=clock, settings=settings_)
    proxy = proxy_for(settings_.telegram.api_base, settings_.telegram.proxy)
    app: LeagueApp = (
        ApplicationBuilder()
        .token(settings_.telegram.token)
        .base_url(settings_.telegram.api_base)
        .base_file_url(settings_.telegram.file_base)
        # httpcore checks every connection in its pool on each request; a small pool keeps
        # that cheap, and a request waits for a free connection instead of failing.
        .request(
            TransportRequest(
                connections=HTTP_CONNECTIONS,
                read_timeout=settings_.telegram.read_timeout,
                pool_timeout=None,
                proxy=proxy,
            )
        )
        .get_updates_request(
            TransportRequest(
                connections=1,
                read_timeout=settings_.telegram.read_timeout,
                pool_timeout=GET_UPDATES_POOL_TIMEOUT_S,
                proxy=proxy,
            )
        )
        .context_types(ContextTypes(context=LeagueContext, bot_data=BotData))
        .persistence(DraftPersistence(DraftRepository(db)))
        .concurrent_updates(PerChatUpdateProcessor())
        .rate_limiter(RetryAfterLimiter())
        .build()
    )
    app.bot_data.attach(services=services, settings=settings_)
    app.add_handler(fallbacks.account_handler(), group=fallbacks.ACCOUNT_GROUP)
    # One group for the journeys: the first handler that matches takes the update. Each
    # package's wizards come before its plain commands, and membership's registration before
    # the other wizards (one wizard per person is the norm; where two are open, the text goes
    # to the first). Admin goes last among the journeys because its roster import takes any
    # document, which an open application form or campaign wizard must see first. The kit's
    # fallbacks close the group: /help, /cancel outside a wizard, stale buttons, the rest.
    journeys = [
        *fallbacks.first_handlers(),
        *membership.build_handlers(),
        *trainings.build_handlers(),
        *broadcasts.build_handlers(),
        *nominations.build_handlers(),
        *admin.build_handlers(),
        *fallbacks.last_handlers(),
    ]
    app.add_handlers(journeys, group=0)
    app.add_error_handler(errors.on_error)
    return app


async def publish_cadre_menus(app: LeagueApp) -> None:
    """Gives every cadre who has opened the bot the menu of their roles (they may have been
    appointed or removed while the bot was down)."""
    services = app.bot_data.services
    for user_id in sorted(await services.access.cadre_ids()):
        account = await services.accounts.get(telegram_user_id=user_id)
        if account is None:
            continue
        actor = await services.access.actor(user_id)
        try:
            await publish_chat_menu(
                app.bot,
                app.bot_data.translator,
                chat_id=account.chat_id,
                language=account.language,
                roles=actor.roles(),
            )
        except TelegramError as exc:
            _LOGGER.warning("could not set the menu of cadre %s: %s", user_id, exc)


def _engines(
    app: LeagueApp, settings_: Settings, *, db: Database, clock: Clock
) -> tuple[DeliveryEngine, Scheduler]:
    """The delivery engine and the scheduler of a running bot, wired to the services."""
    delivery = DeliveryEngine(
        bot=app.bot,
        outbox=OutboxRepository(db),
        accounts=AccountRepository(db),
        clock=clock,
        settings=settings_.delivery,
        quiet_hours=QuietHours(
            start=settings_.delivery.quiet_start,
            end=settings_.delivery.quiet_end,
            timezone=settings_.bot.timezone,
        ),
    )
    scheduler = Scheduler(
        db=db, reminders=ReminderRepository(db), clock=clock, job_queue=app.job_queue
    )
    services = app.bot_data.services
    services.outbox.attach(delivery.wake)
    scheduler.after_each_round(delivery.wake)
    services.digest.attach(digest.renderer(app.bot_data.translator))
    if settings_.digest.enabled:
        scheduler.register(DIGEST_KIND, services.digest.handle)
    services.broadcasts.attach(
        report=broadcast.report_renderer(app.bot_data.translator), wake_scheduler=scheduler.wake
    )
    scheduler.register(BROADCAST_KIND, services.broadcasts.on_due)
    delivery.on_outcome(services.broadcasts.on_outcome)
    services.trainings.attach(trainings_views.renderer(app.bot_data.translator, settings_.bot.tz))
    scheduler.register(KIND_REMINDER, services.trainings.remind)
    scheduler.register(KIND_OFFER_EXPIRY, services.trainings.expire_offer)
    scheduler.register(KIND_CLOSE, services.trainings.close)
    scheduler.register(RETENTION_KIND, services.privacy.retention)
    services.review.attach(
        nomination_views.NominationWording(app.bot_data.translator, settings_.bot.tz)
    )
    scheduler.register(KIND_NOTICE_END, services.review.on_notice_end)
    scheduler.register(KIND_REVIEW_CHECK, services.review.on_review_check)
    services.campaigns.attach(
        render=campaigns.renderer(app.bot_data.translator, settings_.bot.tz),
        wake_scheduler=scheduler.wake,
    )
    scheduler.register(CAMPAIGN_OPEN, services.campaigns.on_open)
    scheduler.register(CAMPAIGN_CLOSING, services.campaigns.on_closing)
    app.bot_data.attach_engines(delivery=delivery, scheduler=scheduler)
    return delivery, scheduler


@asynccontextmanager
async def running_bot(
    settings_: Settings, *, clock: Clock | None = None, poll_timeout: int | None = None
) -> AsyncIterator[LeagueApp]:
    """Opens the database, starts the application and its polling; stops both on exit."""
    async with Database(
        settings_.storage.path, busy_timeout_ms=settings_.storage.busy_timeout_ms
    ) as db:
        await db.migrate()
        clock = clock or SystemClock()
        app = build_application(settings_, db=db, clock=clock)
        async with app:
            await publish_default_menus(app.bot, app.bot_data.translator)
            await publish_cadre_menus(app)
            await app.start()
            delivery, scheduler = _engines(app, settings_, db=db, clock=clock)
            await delivery.start()
            # A broadcast whose last message went out just before a crash is finished now.
            await app.bot_data.services.broadcasts.finish_idle()
            if settings_.digest.enabled:
                await app.bot_data.services.digest.ensure_scheduled()
            await app.bot_data.services.privacy.ensure_scheduled()
            await app.bot_data.services.review.ensure_scheduled()
            await scheduler.start()
            assert app.updater is not None
            if settings_.telegram.mode == "webhook":
                tg = settings_.telegram
                await app.updater.start_webhook(
                    listen=tg.webhook_listen,
                    port=tg.webhook_port,
                    url_path=tg.webhook_path,
                    webhook_url=tg.webhook_url,
                    secret_token=tg.webhook_secret,
                    allowed_updates=Update.ALL_TYPES,
                )
            else:
                await app.updater.start_polling(
                    timeout=settings_.telegram.poll_timeout
                    if poll_timeout is None
                    else poll_timeout,
                    allowed_updates=Update.ALL_TYPES,
                )
            _LOGGER.info("bot @%s is running", app.bot.username)
            # What start-up built (modules, the application, the catalogues: some 165,000
            # objects) lives as long as the bot. A full collection walks all of it, about 60 ms
            # in which no chat is answered; frozen, those objects are left out of collections.
            gc.freeze()
            try:
                yield app
            finally:
                # A process that runs the bot again (the tests) gets its objects back.
                gc.unfreeze()
                if app.updater.running:
                    await app.updater.stop()
                await scheduler.stop()
                await delivery.stop()
                await app.stop()
                await asyncio.to_thread(stop_idle_process)


async def serve(settings_: Settings) -> None:
    """Runs the bot until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with running_bot(settings_):
        await stop.wait()
    _LOGGER.info("bot stopped")
