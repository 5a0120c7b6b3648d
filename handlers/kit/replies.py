"""Pieces every journey uses: who is writing, replying, answering bad input and stale buttons."""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, ReplyKeyboardRemove, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.context import LeagueContext
from bot.domain.models import Account
from bot.domain.validation import InvalidInput
from bot.services.errors import ServiceError
from bot.services.wizard import Chat

ReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardRemove | None


def chat_of(update: Update) -> Chat:
    """The (chat, user) pair an update comes from; the handlers only take updates that have
    both (private chats, presses on the bot's messages)."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        raise ValueError(f"update {update.update_id} has no chat or no user")
    return Chat(chat_id=chat.id, user_id=user.id)


async def send(
    update: Update,
    context: LeagueContext,
    text: str,
    markup: object | None = None,
) -> Message:
    """Sends an HTML message to the chat the update came from."""
    assert update.effective_chat is not None
    return await context.bot.send_message(
        chat_id=update.effective_chat.id,
        text=text,
        parse_mode=ParseMode.HTML,
        reply_markup=_keyboard_or_none(markup),  # type: ignore[arg-type]
    )


def _keyboard_or_none(markup: object | None) -> object | None:
    # Telegram refuses an inline keyboard without buttons; no keyboard is what is meant.
    if isinstance(markup, InlineKeyboardMarkup) and not markup.inline_keyboard:
        return None
    return markup


async def edit(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Replaces a message the user pressed a button on; an unchanged message is fine."""
    try:
        await query.edit_message_text(
            text=text,
            parse_mode=ParseMode.HTML,
            reply_markup=_keyboard_or_none(markup),  # type: ignore[arg-type]
        )
    except BadRequest as exc:
        # Pressing the same button twice would ask Telegram for the same content again.
        if not unchanged(exc):
            raise


async def answer_and_edit(
    query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """The usual reply to a button: the press answered, the pressed message replaced."""
    await query.answer()
    await edit(query, text, markup)


async def answer_and_clear(query: CallbackQuery, toast: str | None = None) -> None:
    """The press answered (with a toast, if given) and the pressed message's buttons taken
    away: its text stays, and the next question follows below it."""
    await query.answer(toast)
    await query.edit_message_reply_markup(reply_markup=None)


def unchanged(error: BadRequest) -> bool:
    """Whether Telegram refused an edit because the message already shows that content. PTB
    drops "Bad Request: " and capitalises the rest: "Message is not modified: ..."."""
    return "message is not modified" in error.message.lower()


async def answer_invalid(update: Update, context: LeagueContext, error: InvalidInput) -> None:
    """Says what was wrong with the input and what to send instead."""
    await _answer_where_it_arrived(update, context, context.t(error.code, **error.params))


async def answer_refusal(update: Update, context: LeagueContext, error: ServiceError) -> None:
    """Explains a refused action: as a toast on a button, as a message otherwise."""
    await _answer_where_it_arrived(update, context, context.t(error.code))


async def _answer_where_it_arrived(update: Update, context: LeagueContext, text: str) -> None:
    if update.callback_query is not None:
        try:
            await update.callback_query.answer(_toast(text), show_alert=True)
            return
        except BadRequest:
            # The press was answered already (the refusal came after a first answer): the
            # explanation still has to reach the person, so it goes as a message.
            pass
    await send(update, context, text)


async def notify(
    context: LeagueContext,
    telegram_user_id: int,
    key: str,
    markup: InlineKeyboardMarkup | None = None,
    /,
    **params: object,
) -> bool:
    """Tells someone other than the sender, in their own language, through the outbox (so it
    is paced, retried and survives a restart); False if they never opened the bot."""
    account = await context.services.accounts.get(telegram_user_id=telegram_user_id)
    if account is None:
        return False
    await notify_account(context, account, key, markup, **params)
    return True


async def notify_account(
    context: LeagueContext,
    account: Account,
    key: str,
    markup: InlineKeyboardMarkup | None = None,
    /,
    **params: object,
) -> None:
    """`notify` for someone whose account the caller has read already (to render buttons in
    their language, say)."""
    message = context.services.outbox.message(
        chat_id=account.chat_id,
        telegram_user_id=account.telegram_user_id,
        kind="notification",
        text=context.t_in(account.language, key, **params),
        reply_markup=markup.to_dict() if markup is not None else None,
    )
    await context.services.outbox.send(message)


def _toast(text: str) -> str:
    # Callback answers are plain text up to 200 characters and cannot carry HTML.
    plain = text.replace("<b>", "").replace("</b>", "")
    return plain if len(plain) <= 200 else plain[:199] + "…"
