"""A tiny bot written with PTB's Bot alone, for testing the client helpers and the terminal."""

from __future__ import annotations

import asyncio

import telegram


async def react(bot: telegram.Bot, update: telegram.Update) -> None:
    """A tiny bot: enough behaviour to press every kind of button against."""
    if update.callback_query is not None:
        query = update.callback_query
        if query.data == "sign" and isinstance(query.message, telegram.Message):
            await query.answer("已报名")
            await query.message.edit_text("已报名 ✅")
        else:
            await query.answer("过期的按钮", show_alert=True)
        return
    message = update.message
    if message is None:
        return
    if message.contact is not None:
        await message.reply_text(
            f"收到 {message.contact.phone_number}", reply_markup=telegram.ReplyKeyboardRemove()
        )
    elif message.document is not None:
        await message.reply_text(
            f"收到文件 {message.document.file_name} {message.document.file_size}"
        )
    elif message.text == "/start":
        keyboard = telegram.InlineKeyboardMarkup(
            [
                [telegram.InlineKeyboardButton("报名", callback_data="sign")],
                [
                    telegram.InlineKeyboardButton("取消", callback_data="cancel"),
                    telegram.InlineKeyboardButton("官网", url="https://example.org"),
                ],
            ]
        )
        await message.reply_text("<b>欢迎</b>", parse_mode="HTML", reply_markup=keyboard)
    elif message.text == "/phone":
        keyboard = telegram.ReplyKeyboardMarkup(
            [[telegram.KeyboardButton("分享手机号", request_contact=True)], ["跳过"]]
        )
        await message.reply_text("请分享手机号", reply_markup=keyboard)
    elif message.text == "跳过":
        await message.reply_text("已跳过", reply_markup=telegram.ReplyKeyboardRemove())
    elif message.text == "/slow":
        for step in range(3):
            await asyncio.sleep(0.05)
            await message.reply_text(f"第{step + 1}步")
