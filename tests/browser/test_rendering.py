"""The web chat shows what a bot sends the way Telegram does, and never runs what people typed.

A tiny bot written with PTB's Bot alone plays the bot here, so that every kind of message,
button and keyboard can be sent on purpose."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import pytest
import telegram
from playwright.async_api import expect

from sandbox.server import SandboxServer
from tests.browser.conftest import Web
from tests.browser.pages import ChatPage
from tests.sandbox.conftest import png, polling, ptb_bot

BOT = "sandbox_123456_bot"
FORMATTED = (
    "<b>粗体</b> <i>斜体</i> <u>下划线</u> <s>删除线</s> <code>code()</code>\n"
    '<pre><code class="language-python">print("你好")</code></pre>'
    '<a href="https://example.org/rules">章程</a> <tg-spoiler>谜底</tg-spoiler>\n'
    "<blockquote>引用 <b>加粗</b></blockquote>"
    "名字：&lt;img src=x onerror=alert(1)&gt; &amp; &lt;script&gt;alert(2)&lt;/script&gt; "
    '<a href="javascript:alert(3)">点我</a>\n'
    "官网 https://example.org/about ，发送 /help 查看帮助"
)


async def react(bot: telegram.Bot, update: telegram.Update) -> None:
    """A bot with one command per thing the page must show."""
    if update.callback_query is not None:
        query = update.callback_query
        if query.data == "sign" and isinstance(query.message, telegram.Message):
            await query.answer("已报名")
            await query.message.edit_text("已报名 ✅")
        else:
            await query.answer("名额已满", show_alert=True)
        return
    message = update.message
    if message is None:
        return
    user = message.chat_id
    if message.contact is not None:
        await bot.send_message(
            user,
            f"收到 {message.contact.phone_number}",
            reply_markup=telegram.ReplyKeyboardRemove(),
        )
    elif message.document is not None:
        await bot.send_message(
            user, f"收到文件 {message.document.file_name} {message.document.file_size}"
        )
    elif message.text == "/format":
        await bot.send_message(user, FORMATTED, parse_mode="HTML")
    elif message.text == "/buttons":
        keyboard = telegram.InlineKeyboardMarkup(
            [
                [
                    telegram.InlineKeyboardButton("报名", callback_data="sign"),
                    telegram.InlineKeyboardButton("候补", callback_data="full"),
                ],
                [
                    telegram.InlineKeyboardButton("官网", url="https://example.org/"),
                    telegram.InlineKeyboardButton(
                        "签到", url=f"https://t.me/{BOT}?start=ck_token42"
                    ),
                ],
            ]
        )
        await bot.send_message(user, "青年大学习培训", reply_markup=keyboard)
    elif message.text and message.text.startswith("/start "):
        await bot.send_message(user, f"收到 payload {message.text.removeprefix('/start ')}")
    elif message.text == "/keyboard":
        keyboard = telegram.ReplyKeyboardMarkup(
            [[telegram.KeyboardButton("📱 分享手机号", request_contact=True)], ["跳过"]],
            one_time_keyboard=True,
            input_field_placeholder="请选择",
        )
        await bot.send_message(user, "请分享手机号", reply_markup=keyboard)
    elif message.text == "跳过":
        await bot.send_message(user, "已跳过", reply_markup=telegram.ReplyKeyboardRemove())
    elif message.text == "/files":
        await bot.send_photo(user, png(40, 20), caption="<b>签到二维码</b>", parse_mode="HTML")
        await bot.send_document(user, "姓名,手机号\n".encode(), filename="名单.csv")
    elif message.text == "/oops":
        await bot.send_message(user, "发错了，马上撤回")
    elif message.text == "/undo":
        sent = await bot.send_message(user, "正在撤回…")
        await bot.delete_message(user, message.message_id - 1)
        await bot.delete_message(user, sent.message_id)


@pytest.fixture
async def tiny_bot(sandbox: SandboxServer) -> AsyncIterator[telegram.Bot]:
    bot = ptb_bot(sandbox)
    async with bot, polling(bot, react):
        yield bot


@pytest.fixture
async def alice(bare_web: Web, sandbox: SandboxServer, tiny_bot: telegram.Bot) -> ChatPage:
    """Alice's chat with the tiny bot, open in a tab."""
    user = sandbox.state.add_user("Alice", user_id=5001, phone_number="8613912345678")[0]
    assert user.id == 5001
    # Nothing leaves this machine: outside links are answered by the test itself.
    await bare_web.context.route(
        "https://example.org/**",
        lambda route: route.fulfill(body="外部网站", content_type="text/plain; charset=utf-8"),
    )
    return await bare_web.open_chat(5001)


async def test_telegram_html_is_drawn_as_formatting_and_typed_markup_stays_text(alice: ChatPage):
    await alice.send("/format")
    text = alice.last_from_bot().locator(".text")
    await expect(text.locator("b").first).to_have_text("粗体")
    await expect(text.locator("i")).to_have_text("斜体")
    await expect(text.locator("u")).to_have_text("下划线")
    await expect(text.locator("s")).to_have_text("删除线")
    await expect(text.locator(":scope > code")).to_have_text("code()")
    await expect(text.locator('pre code[data-language="python"]')).to_have_text('print("你好")')
    await expect(text.locator("a", has_text="章程")).to_have_attribute(
        "href", "https://example.org/rules"
    )
    await expect(text.locator("blockquote")).to_have_text("引用 加粗")
    await expect(text.locator("blockquote b")).to_have_text("加粗")
    # What a person typed into their name is shown as the characters they typed.
    await expect(text).to_contain_text(
        "名字：<img src=x onerror=alert(1)> & <script>alert(2)</script>"
    )
    await expect(alice.page.locator("#messages img")).to_have_count(0)
    # A link Telegram would not open is no link here either.
    await expect(text).to_contain_text("点我")
    await expect(text.locator("a", has_text="点我")).to_have_count(0)
    await expect(alice.page.locator("#messages script")).to_have_count(0)
    # Links and commands in plain text are marked, as Telegram marks them.
    await expect(text.locator("a", has_text="https://example.org/about")).to_have_count(1)
    spoiler = text.locator(".spoiler")
    await expect(spoiler).not_to_have_class("spoiler revealed")
    await spoiler.click()
    await expect(spoiler).to_have_class("spoiler revealed")
    await text.locator(".command", has_text="/help").click()
    await expect(alice.own_messages.last).to_have_text(re.compile(r"^/help"))
    await alice.screenshot("formatting")


async def test_inline_buttons_answer_with_toasts_alerts_edits_and_links(
    alice: ChatPage, bare_web: Web
):
    await alice.send("/buttons")
    offer = alice.last_from_bot()
    offer_id = await offer.get_attribute("data-message-id")
    await alice.press("候补")
    alert = alice.page.locator("#alert")
    await expect(alert).to_be_visible()
    await expect(alert).to_contain_text("名额已满")
    await alert.get_by_role("button", name="确定").click()
    await expect(alert).to_be_hidden()

    # A url button opens the page in a new tab.
    async with bare_web.context.expect_page() as opened:
        await alice.press("官网")
    outside = await opened.value
    await expect(outside.locator("body")).to_have_text("外部网站")
    await outside.close()

    # A link to this bot opens it with the payload, here in Alice's own chat.
    await alice.press("签到")
    await alice.page.get_by_role("button", name="以 Alice（当前）的身份打开").click()
    await alice.sees("收到 payload ck_token42")

    await alice.press("报名")
    await alice.toast("已报名")
    edited = alice.page.locator(f'.msg[data-message-id="{offer_id}"]')
    await expect(edited.locator(".text")).to_contain_text("已报名 ✅")
    await expect(edited.locator(".meta")).to_contain_text("已编辑")
    await expect(edited.locator(".inline-keyboard")).to_have_count(0)
    await alice.screenshot("buttons")


async def test_reply_keyboards_files_uploads_and_deletions(alice: ChatPage):
    page = alice.page
    keyboard = page.locator("#reply-keyboard")
    await alice.send("/keyboard")
    await expect(keyboard.get_by_role("button")).to_have_text(["📱 分享手机号", "跳过"])
    await expect(page.locator("#text")).to_have_attribute("placeholder", "请选择")
    await page.locator("#keyboard-toggle").click()
    await expect(keyboard).to_be_hidden()
    await page.locator("#keyboard-toggle").click()
    await alice.press_key("📱 分享手机号")
    await expect(alice.own_messages.last.locator(".contact-phone")).to_have_text("8613912345678")
    await alice.sees("收到 8613912345678")
    await expect(keyboard).to_be_hidden()
    await expect(page.locator("#text")).to_have_attribute("placeholder", "输入消息…")

    await alice.send("/files")
    photo = alice.bot_messages.locator(".photo img")
    await expect(photo).to_have_count(1)
    assert await photo.evaluate("img => img.complete && img.naturalWidth") == 40
    await expect(alice.bubble("签到二维码").locator(".caption b")).to_have_text("签到二维码")
    document = alice.last_from_bot().locator(".document")
    await expect(document.locator(".document-name")).to_have_text("名单.csv")
    async with page.expect_download() as started:
        await document.get_by_role("link", name="下载").click()
    download = await started.value
    assert download.suggested_filename == "名单.csv"
    saved = await asyncio.to_thread((await download.path()).read_bytes)
    assert saved == "姓名,手机号\n".encode()

    # A cadre's roster goes to the bot as a document.
    await page.locator("#file-input").set_input_files(
        files=[{"name": "花名册.csv", "mimeType": "text/csv", "buffer": "张三,138\n".encode()}]
    )
    await alice.sees("收到文件 花名册.csv 11")
    await expect(alice.own_messages.last.locator(".document-name")).to_have_text("花名册.csv")

    await alice.send("/oops")
    await alice.sees("发错了，马上撤回")
    await alice.send("/undo")
    await expect(alice.bubble("发错了，马上撤回")).to_have_count(0)
    await expect(alice.bubble("正在撤回")).to_have_count(0)
    await alice.screenshot("keyboard-files")
