"""The person-facing helpers: users who send, press and share, and the settle that waits."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import telegram

from sandbox.client import ChatUser, SandboxClient, SettleTimeout, make_settle
from sandbox.server import SandboxServer
from tests.sandbox.client_bot import react
from tests.sandbox.conftest import polling


@pytest.fixture
async def alice(client: SandboxClient, bot: telegram.Bot) -> AsyncIterator[ChatUser]:
    async with polling(bot, react):
        yield await client.user("Alice", username="alice")


async def test_send_waits_until_the_bot_has_answered(alice: ChatUser):
    await alice.send("/start")
    reply = alice.last_message()
    assert (reply.text, reply.html, reply.from_bot) == ("欢迎", "<b>欢迎</b>", True)
    assert reply.entities[0].type == "bold"
    assert reply.buttons == [["报名"], ["取消", "官网"]]
    assert reply.button_data == [["sign"], ["cancel", "https://example.org"]]
    assert [(m.from_bot, m.text) for m in alice.messages()] == [(False, "/start"), (True, "欢迎")]


async def test_settle_waits_for_every_message_of_a_slow_reaction(alice: ChatUser):
    await alice.send("/slow")
    assert [m.text for m in alice.messages() if m.from_bot] == ["第1步", "第2步", "第3步"]


async def test_pressing_an_inline_button_shows_the_edit_and_the_toast(alice: ChatUser):
    await alice.send("/start")
    await alice.press("报名")
    reply = alice.last_message()
    assert (reply.text, reply.edited, reply.buttons) == ("已报名 ✅", True, [])
    assert alice.toasts() == ["已报名"]


async def test_a_request_contact_button_shares_the_users_own_number(alice: ChatUser):
    await alice.send("/phone")
    assert alice.last_message().reply_keyboard == [["分享手机号"], ["跳过"]]
    assert alice.reply_keyboard() == [["分享手机号"], ["跳过"]]
    await alice.press("分享手机号")
    assert alice.last_message().text == f"收到 {alice.phone_number}"
    shared = alice.messages()[-2]
    assert shared.contact is not None
    assert shared.contact["user_id"] == alice.id
    assert alice.reply_keyboard() is None


async def test_a_plain_reply_button_sends_its_label(alice: ChatUser):
    await alice.send("/phone")
    await alice.press("跳过")
    assert [m.text for m in alice.messages()[-2:]] == ["跳过", "已跳过"]


async def test_pressing_a_missing_button_lists_what_is_on_screen(alice: ChatUser):
    await alice.send("/start")
    await alice.send("/phone")
    with pytest.raises(AssertionError) as missing:
        await alice.press("确认")
    assert str(missing.value) == (
        f'No button "确认" on screen for Alice (user {alice.id}).\n'
        "Inline buttons, newest message first:\n"
        "  message 2: [报名] [取消] [官网]\n"
        "Reply keyboard: [分享手机号] [跳过]"
    )
    with pytest.raises(AssertionError, match=r"is a url button"):
        await alice.press("官网")


async def test_forged_callback_data_reaches_the_bot(alice: ChatUser):
    await alice.send("/start")
    await alice.press_data(alice.last_message().message_id, "sign:forged")
    assert alice.toasts() == ["过期的按钮"]


async def test_sharing_someone_elses_contact(alice: ChatUser, client: SandboxClient):
    bob = await client.user("Bob")
    await alice.share_contact("+8613911112222", user_id=bob.id)
    assert alice.messages()[-2].contact == {
        "phone_number": "+8613911112222",
        "first_name": "Bob",
        "user_id": bob.id,
    }
    assert alice.last_message().text == "收到 +8613911112222"


async def test_sending_a_document(alice: ChatUser, client: SandboxClient):
    await alice.send_document("证明.pdf", b"%PDF", "application/pdf")
    assert alice.last_message().text == "收到文件 证明.pdf 4"
    sent = alice.messages()[-2].document
    assert sent is not None
    assert (sent.file_name, sent.mime_type, sent.file_size) == ("证明.pdf", "application/pdf", 4)
    assert await client.file_bytes(sent.file_id) == b"%PDF"


async def test_blocking_and_unblocking(alice: ChatUser, server: SandboxServer, bot: telegram.Bot):
    await alice.send("/start")
    await alice.block()
    with pytest.raises(telegram.error.Forbidden):
        await bot.send_message(alice.id, "hello?")
    await alice.unblock()
    await bot.send_message(alice.id, "hello again")
    await alice.refresh()
    assert alice.last_message().text == "hello again"
    assert server.state.chats[(server.state.bot().id, alice.id)].blocked is False


async def test_an_existing_user_id_returns_that_user(client: SandboxClient):
    first = await client.user("Carol", user_id=555)
    again = await client.user("Someone else", user_id=555)
    assert (again.id, again.first_name) == (first.id, "Carol")


async def test_last_message_says_when_the_bot_sent_nothing(client: SandboxClient):
    carol = await client.user("Carol")
    await carol.refresh()
    with pytest.raises(AssertionError, match=r"the bot has sent Carol .* nothing yet"):
        carol.last_message()


async def test_settle_times_out_clearly_when_no_bot_is_polling(
    server: SandboxServer, bot: telegram.Bot
):
    async with SandboxClient(server.url, settle=make_settle(timeout=0.3)) as impatient:
        dave = await impatient.user("Dave")
        with pytest.raises(SettleTimeout, match=r"did not take update .* is the bot running"):
            await dave.send("/start")
