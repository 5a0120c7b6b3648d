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
from tornado.httpserver import HTTPServer

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.context import BotData, LeagueContext
from bot.i18n import Translator
from bot.infra.delivery import DeliveryEngine
from bot.infra.draft_persistence import DraftPersistence
from bot.infra.idle_process import abandon_idle_jobs, stop_idle_process
from bot.infra.scheduler import Scheduler
from bot.infra.telegram_http import TransportRequest, proxy_for
from bot.infra.update_journal import JournaledQueue
from bot.infra.update_processing import PerChatUpdateProcessor, RetryAfterLimiter
from bot.services import Renderers, Services
from bot.services.admin.digest import KIND as DIGEST_KIND
from bot.services.broadcasts.scheduled import REMINDER_KIND as BROADCAST_KIND
from bot.services.membership.privacy import RETENTION_KIND
from bot.services.nominations.campaigns import KIND_CLOSING as CAMPAIGN_CLOSING
from bot.services.nominations.campaigns import KIND_OPEN as CAMPAIGN_OPEN
from bot.services.nominations.notice import KIND_NOTICE_END
from bot.services.nominations.review_jobs import KIND_REVIEW_CHECK
from bot.services.shared import asleep
from bot.services.trainings.jobs import KIND_CLOSE, KIND_OFFER_EXPIRY, KIND_REMINDER
from handlers import admin, broadcasts, membership, nominations, trainings
from handlers.admin import digest
from handlers.broadcasts import broadcast_screens
from handlers.kit import errors, fallbacks
from handlers.kit.menus import publish_chat_menu, publish_default_menus
from handlers.nominations import campaign_screens, notice_screens
from handlers.trainings import trainings_screens
from storage.database import Database
from storage.store import Store

_LOGGER = logging.getLogger(__name__)

# Connections to the Bot API server for everything but getUpdates: the replies of the updates
# being handled and the delivery engine's messages share them.
HTTP_CONNECTIONS = 16
# getUpdates has its one connection to itself; PTB's default wait for it.
GET_UPDATES_POOL_TIMEOUT_S = 1.0

LeagueApp = Application[Any, LeagueContext, Any, Any, BotData, Any]


def build_application(settings_: Settings, *, db: Database, clock: Clock) -> LeagueApp:
    """The PTB application over a connected, migrated database, with its delivery engine, its
    scheduler and its services, each built whole; nothing is started yet."""
    store = Store(db)
    app = _application(settings_, store, clock)
    translator = Translator(settings_.bot.default_language)
    delivery, scheduler = _engines(app, settings_, store=store, clock=clock)
    services = Services.create(
        store=store,
        clock=clock,
        settings=settings_,
        renderers=renderers(translator, settings_),
        wake_delivery=delivery.wake,
        wake_scheduler=scheduler.wake,
    )
    _register_reminders(scheduler, services, settings_)
    delivery.on_outcome(services.broadcasts.outcomes.on_outcome)
    app.bot_data.attach(
        services=services,
        settings=settings_,
        translator=translator,
        delivery=delivery,
        scheduler=scheduler,
    )
    _add_handlers(app)
    processor = app.update_processor
    assert isinstance(processor, PerChatUpdateProcessor)
    too_fast = translator.t(settings_.bot.default_language, "errors.too_fast")
    processor.on_flood = lambda chat_id: _tell_once(app, chat_id, too_fast)
    assert isinstance(app.update_queue, JournaledQueue)
    processor.mark_on_first_write = app.update_queue.mark_on_first_write
    processor.on_handled = app.update_queue.handled
    return app


def _tell_once(app: LeagueApp, chat_id: int, text: str) -> None:
    """One message to a chat whose updates are being dropped (it sends too fast)."""

    async def tell() -> None:
        try:
            await app.bot.send_message(chat_id, text)
        except TelegramError as exc:
            _LOGGER.info("could not tell chat %s it sends too fast: %s", chat_id, exc)

    app.create_task(tell(), name=f"too-fast:{chat_id}")


def idle_services(settings_: Settings, *, db: Database, clock: Clock) -> Services:
    """The services with no engine to wake (a command-line import, a benchmark, a test)."""
    translator = Translator(settings_.bot.default_language)
    return Services.create(
        store=Store(db),
        clock=clock,
        settings=settings_,
        renderers=renderers(translator, settings_),
        wake_delivery=asleep,
        wake_scheduler=asleep,
    )


def _application(settings_: Settings, store: Store, clock: Clock) -> LeagueApp:
    """PTB's application: the Bot API server, its connections, the typed context, the
    conversations resumed from the drafts, one ordered processor per chat."""
    proxy = proxy_for(settings_.telegram.api_base, settings_.telegram.proxy)
    return (
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
        .persistence(DraftPersistence(store.drafts))
        .update_queue(JournaledQueue(store.update_journal, clock))
        .concurrent_updates(PerChatUpdateProcessor())
        .rate_limiter(RetryAfterLimiter())
        .build()
    )


def _engines(
    app: LeagueApp, settings_: Settings, *, store: Store, clock: Clock
) -> tuple[DeliveryEngine, Scheduler]:
    """The delivery engine (it sends through app.bot) and the scheduler (app.job_queue wakes
    it); both exist once the application is built and start with the bot (running_bot)."""
    delivery = DeliveryEngine(
        bot=app.bot,
        outbox=store.outbox,
        accounts=store.accounts,
        clock=clock,
        settings=settings_.delivery,
        quiet_hours=settings_.quiet_hours,
    )
    scheduler = Scheduler(store=store, clock=clock, job_queue=app.job_queue)
    # Reminders put messages in the outbox; the engine sends them after each round.
    scheduler.after_each_round(delivery.wake)
    return delivery, scheduler


def renderers(translator: Translator, settings_: Settings) -> Renderers:
    """The words of what the services send on their own, from the handlers' layer."""
    tz = settings_.bot.tz
    return Renderers(
        training_notice=trainings_screens.renderer(translator, tz),
        campaign_notice=campaign_screens.renderer(translator, tz),
        nomination_wording=notice_screens.NominationWording(translator, tz),
        broadcast_report=broadcast_screens.report_renderer(translator),
        digest=digest.renderer(translator),
    )


def _register_reminders(scheduler: Scheduler, services: Services, settings_: Settings) -> None:
    """What the scheduler does when a reminder of each kind falls due."""
    if settings_.digest.enabled:
        scheduler.register(DIGEST_KIND, services.digest.handle)
    scheduler.register(BROADCAST_KIND, services.broadcasts.scheduled.on_due)
    scheduler.register(KIND_REMINDER, services.training_jobs.remind)
    scheduler.register(KIND_OFFER_EXPIRY, services.training_jobs.expire_offer)
    scheduler.register(KIND_CLOSE, services.training_jobs.close)
    scheduler.register(RETENTION_KIND, services.privacy.retention)
    scheduler.register(KIND_NOTICE_END, services.review.jobs.on_notice_end)
    scheduler.register(KIND_REVIEW_CHECK, services.review.jobs.on_review_check)
    scheduler.register(CAMPAIGN_OPEN, services.campaign_notices.on_open)
    scheduler.register(CAMPAIGN_CLOSING, services.campaign_notices.on_closing)


def _add_handlers(app: LeagueApp) -> None:
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


@asynccontextmanager
async def running_bot(
    settings_: Settings, *, clock: Clock | None = None, poll_timeout: int | None = None
) -> AsyncIterator[LeagueApp]:
    """Opens the database, starts the application and its polling; stops both on exit."""
    async with Database(
        settings_.storage.path, busy_timeout_ms=settings_.storage.busy_timeout_ms
    ) as db:
        await db.migrate()
        app = build_application(settings_, db=db, clock=clock or SystemClock())
        async with app:
            await publish_default_menus(app.bot, app.bot_data.translator)
            await publish_cadre_menus(app)
            await app.start()
            await _start_engines(app, settings_)
            # What arrived before the last stop and was not handled is handled first.
            assert isinstance(app.update_queue, JournaledQueue)
            await app.update_queue.replay(app.bot)
            await _start_updates(app, settings_, poll_timeout)
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
                assert app.updater is not None
                if app.updater.running:
                    await app.updater.stop()
                await app.bot_data.scheduler.stop()
                await app.bot_data.delivery.stop()
                # An export being built is given up, not waited for: its cadre is told to ask
                # again, and the handlers PTB waits for end now.
                abandon_idle_jobs()
                await app.stop()
                await asyncio.to_thread(stop_idle_process)


async def _start_engines(app: LeagueApp, settings_: Settings) -> None:
    """Starts sending, puts the daily jobs in the reminders table, then starts the scheduler."""
    services = app.bot_data.services
    await app.bot_data.delivery.start()
    # A broadcast whose last message went out just before a crash is finished now.
    await services.broadcasts.outcomes.finish_idle()
    if settings_.digest.enabled:
        await services.digest.ensure_scheduled()
    await services.privacy.ensure_scheduled()
    # A backup restored from before an erasure must not bring the person back.
    await services.privacy.erase_again()
    await services.review.jobs.ensure_scheduled()
    await app.bot_data.scheduler.start()


# An update is a few kilobytes (a 4,096-character message with its entities stays far below).
WEBHOOK_MAX_BODY_BYTES = 256 * 1024


async def _start_updates(app: LeagueApp, settings_: Settings, poll_timeout: int | None) -> None:
    """Takes updates by webhook or by long polling, as configured."""
    assert app.updater is not None
    tg = settings_.telegram
    if tg.mode == "webhook":
        # PTB serves the webhook with tornado; tornado's own default for every HTTPServer it
        # builds from now on refuses a body over the limit from its Content-Length, unread.
        HTTPServer.configure(None, max_body_size=WEBHOOK_MAX_BODY_BYTES)
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
            timeout=tg.poll_timeout if poll_timeout is None else poll_timeout,
            allowed_updates=Update.ALL_TYPES,
        )


async def serve(settings_: Settings) -> None:
    """Runs the bot until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with running_bot(settings_):
        await stop.wait()
    _LOGGER.info("bot stopped")
