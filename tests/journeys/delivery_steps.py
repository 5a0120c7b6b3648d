"""Seeding many recipients quickly, and reading what each of them received."""

from __future__ import annotations

from bot.domain.models import Language
from sandbox.server import SandboxServer
from storage.accounts import AccountRepository
from storage.database import Database
from tests.conftest import START


async def recipients(
    sandbox: SandboxServer, db: Database, count: int, *, first: int = 5_000_000
) -> list[int]:
    """People who have each opened the bot once: a sandbox user with a private chat, and the
    bot's account row. Cheaper than `count` real /start messages, which the bot would answer."""
    bot = sandbox.state.bot(None)
    accounts = AccountRepository(db)
    ids = []
    for offset in range(count):
        user_id = first + offset
        user, _ = sandbox.state.add_user(f"团员{offset}", user_id=user_id)
        sandbox.state.private_chat(bot, user)
        await accounts.seen(
            telegram_user_id=user_id, chat_id=user_id, language=Language.ZH, now=START
        )
        ids.append(user_id)
    return ids


def received(sandbox: SandboxServer, user_id: int, text: str) -> int:
    """How many messages with exactly this text the user got from the bot."""
    return sum(1 for m in sandbox.state.messages(user_id) if m.from_bot and m.text == text)
