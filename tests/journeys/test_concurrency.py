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


async def test_a_flooding_chat_is_cut_off_and_another_chat_is_answered_meanwhile(telegram, bot):
    handled: list[int] = []

    async def flood(update: Update, context: LeagueContext) -> None:
        # A handler of 5 ms, as a real one takes.
        handled.append(update.update_id)
        await asyncio.sleep(0.005)
        assert update.effective_message is not None
        await update.effective_message.reply_text("收到")

    bot.handlers[0].insert(0, CommandHandler("flood", flood))
    flooder = await telegram.user("刷屏者")
    calm = await telegram.user("安静用户")
    # 1,000 messages from one chat, handed to the sandbox without waiting for the bot.
    await asyncio.gather(
        *(
            telegram.request("POST", f"/users/{flooder.id}/messages", json={"text": "/flood"})
            for _ in range(1000)
        )
    )
    await calm.send("/help")
    # The other chat was answered while the flood was still far from handled: its updates did
    # not wait behind a thousand that each held a slot.
    assert calm.last_message().text
    assert len(handled) <= 100
    await asyncio.wait_for(bot.update_queue.join(), timeout=30)
    await flooder.refresh()
    replies = [m.text for m in flooder.messages() if m.from_bot]
    # A bounded number of replies, each of which counts against the bot's limits at Telegram,
    # and one notice that it goes too fast.
    assert len(replies) <= 70
    assert replies.count("您操作太快了，部分消息没有处理。请稍等几秒再继续。") == 1
    assert len(handled) == replies.count("收到")
