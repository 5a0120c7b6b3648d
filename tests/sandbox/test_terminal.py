"""The terminal chat: a person types lines and sees the bot's messages and numbered buttons."""

from __future__ import annotations

import io

import telegram

from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from sandbox.terminal import run_terminal_chat
from tests.sandbox.client_bot import react
from tests.sandbox.conftest import polling


async def test_a_person_can_chat_press_numbered_buttons_and_share_a_contact(
    server: SandboxServer, bot: telegram.Bot, client: SandboxClient
):
    typed = io.StringIO("/start\n#1\n/phone\n#3\n/press 99\n/contact\n/quit\nnever read\n")
    shown = io.StringIO()
    async with polling(bot, react):
        await run_terminal_chat(server.url, "Erin", stdin=typed, stdout=shown)
    output = shown.getvalue()
    assert "Chatting as Erin" in output
    assert "  欢迎\n    (1) 报名\n    (2) 取消  [官网 → https://example.org]\n" in output
    assert "[bot #2 (edited)]\n  已报名 ✅\n[toast] 已报名\n" in output
    assert "[keyboard]\n    (3) 分享手机号 📞\n    (4) 跳过\n" in output
    assert "[bot #6]\n  收到 86138" in output
    assert "[keyboard removed]" in output
    assert "! no button 99" in output
    assert "! usage: /contact PHONE" in output
    erin = [u for u in await client.users() if u["first_name"] == "Erin"]
    assert len(erin) == 1


async def test_the_terminal_finds_an_existing_user_by_name(
    server: SandboxServer, bot: telegram.Bot, client: SandboxClient
):
    frank = await client.user("Frank")
    async with polling(bot, react):
        await frank.send("/start")
        shown = io.StringIO()
        await run_terminal_chat(server.url, "Frank", stdin=io.StringIO(""), stdout=shown)
    assert f"Chatting as Frank (user {frank.id})" in shown.getvalue()
    # The transcript so far is printed on arrival, the user's own lines included.
    assert "[you #1]\n  /start\n[bot #2]\n  欢迎" in shown.getvalue()
