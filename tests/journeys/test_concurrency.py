"""Updates of one chat are handled in order; a slow chat does not hold up the others."""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import CommandHandler

from bot.context import LeagueContext


async def test_a_slow_chat_does_not_block_others_and_keeps_its_own_order(telegram, bot):
    released = asyncio.Event()
    order: list[str] = []

    async def wait(update: Update, context: LeagueContext) -> None:
        order.append("wait started")
        # If chats were processed one at a time, /release could never run: this would time out.
        await asyncio.wait_for(released.wait(), timeout=5)
        order.append("wait finished")

    async def release(update: Update, context: LeagueContext) -> None:
        order.append("release")
        released.set()

    async def after(update: Update, context: LeagueContext) -> None:
        order.append("after")

    for name, callback in (("wait", wait), ("release", release), ("after", after)):
        bot.handlers[0].insert(0, CommandHandler(name, callback))

    slow = await telegram.user("慢用户")
    quick = await telegram.user("快用户")
    # Sent straight through the control API so the test does not wait for the bot between them.
    await telegram.request("POST", f"/users/{slow.id}/messages", json={"text": "/wait"})
    await telegram.request("POST", f"/users/{slow.id}/messages", json={"text": "/after"})
    await quick.send("/release")

    assert order == ["wait started", "release", "wait finished", "after"]
