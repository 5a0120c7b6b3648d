"""A PTB Application polling the sandbox, driven by the client: the path the project's bot takes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from tests.sandbox.conftest import TOKEN


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greets and offers a button."""
    assert update.effective_message is not None
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("报名", callback_data="sign")]])
    await update.effective_message.reply_html("<b>欢迎</b>", reply_markup=keyboard)


async def sign(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Confirms the sign-up in place."""
    query = update.callback_query
    assert query is not None
    await query.answer("已报名")
    await query.edit_message_text("已报名 ✅")


@pytest.fixture
async def application(server: SandboxServer) -> AsyncIterator[Application]:
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(f"{server.url}/bot")
        .base_file_url(f"{server.url}/file/bot")
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(sign, pattern="^sign$"))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(timeout=5)
    yield app
    await app.updater.stop()
    await app.stop()
    await app.shutdown()


async def test_a_ptb_application_answers_through_the_sandbox(
    server: SandboxServer, application: Application
):
    async with SandboxClient(server.url) as client:
        alice = await client.user("Alice")
        await alice.send("/start")
        assert alice.last_message().text == "欢迎"
        await alice.press("报名")
        assert (alice.last_message().text, alice.toasts()) == ("已报名 ✅", ["已报名"])
    assert not server.state.activity.errors
