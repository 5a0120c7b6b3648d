"""Webhook mode: Telegram posts updates to the bot, which checks the secret token."""

from __future__ import annotations

import asyncio
import socket
import time
from pathlib import Path

import aiohttp
import pytest

from bot.app import running_bot
from bot.config import ConfigError
from sandbox.client import SandboxClient
from tests.conftest import bot_settings

SECRET = "s3cret-token-of-at-least-32-characters"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_webhook_mode_takes_updates_with_the_secret_and_refuses_others(
    sandbox, demo_db, clock
):
    port = _free_port()
    settings = bot_settings(
        sandbox.url,
        demo_db,
        telegram={
            "mode": "webhook",
            "webhook_url": f"https://bot.example.org/hook-{port}",
            "webhook_listen": "127.0.0.1",
            "webhook_port": port,
            "webhook_path": "hook",
            "webhook_secret": SECRET,
        },
    )
    telegram = SandboxClient(sandbox.url)
    async with running_bot(settings, clock=clock), aiohttp.ClientSession() as session:
        hooks = await telegram.request("GET", "/bots")
        webhooks = [b["webhook"] for b in hooks if b["webhook"]]
        assert [w["url"] for w in webhooks] == [f"https://bot.example.org/hook-{port}"]
        ming = await telegram.user("张晓明")
        # The sandbox keeps the user's message (a webhook bot does not poll); Telegram would
        # post it to the webhook, which is what this test does by hand.
        sent = await telegram.request("POST", f"/users/{ming.id}/messages", json={"text": "/help"})
        update = {
            "update_id": sent["update_id"],
            "message": {
                "message_id": sent["message_id"],
                "date": int(time.time()),
                "chat": {"id": ming.id, "type": "private", "first_name": "张晓明"},
                "from": {"id": ming.id, "is_bot": False, "first_name": "张晓明"},
                "text": "/help",
                "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
            },
        }
        url = f"http://127.0.0.1:{port}/hook"
        async with session.post(url, json=update) as refused:
            assert refused.status == 403
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        async with session.post(url, json=update, headers=headers) as accepted:
            assert accepted.status == 200
        for _ in range(250):
            await ming.refresh()
            if any(m.from_bot for m in ming.messages()):
                break
            await asyncio.sleep(0.02)
        assert "青年之家" in ming.last_message().text

        # A body over the limit is refused from its Content-Length, before it is read.
        seen = len(ming.messages())
        huge = {**update, "update_id": update["update_id"] + 1}
        huge["message"] = {**update["message"], "text": "/help " + "x" * 300_000}
        async with session.post(url, json=huge, headers=headers) as too_big:
            assert too_big.status == 400
        await asyncio.sleep(0.3)
        await ming.refresh()
        assert len(ming.messages()) == seen
    await telegram.close()


def test_a_webhook_listens_on_loopback_unless_told_and_needs_a_long_secret():
    base = {"mode": "webhook", "webhook_url": "https://bot.example.org/hook"}
    settings = bot_settings(
        "http://127.0.0.1:9", Path("bot.db"), telegram={**base, "webhook_secret": SECRET}
    )
    assert settings.telegram.webhook_listen == "127.0.0.1"
    with pytest.raises(ConfigError, match="webhook_secret is required in webhook mode: 32-256"):
        bot_settings(
            "http://127.0.0.1:9",
            Path("bot.db"),
            telegram={**base, "webhook_secret": "s3cret-token"},
        )
