"""Every command in a menu has a handler, and each role sees only its own commands."""

from __future__ import annotations

from telegram.ext import CommandHandler, ConversationHandler

from bot.app import build_application
from bot.clock import ManualClock
from bot.domain.authz import Role
from bot.domain.models import Language
from bot.i18n import Translator
from handlers.kit.menus import MENU, commands_for
from storage.database import Database
from tests.conftest import START, bot_settings


async def test_every_menu_command_is_handled(tmp_path):
    async with Database(tmp_path / "menu.db") as db:
        app = build_application(
            bot_settings("http://127.0.0.1:9", tmp_path / "menu.db"),
            db=db,
            clock=ManualClock(START),
        )
        handled: set[str] = set()
        for handlers in app.handlers.values():
            for handler in handlers:
                # A wizard's command (/newtraining) is the entry point of its conversation.
                entries = (
                    handler.entry_points if isinstance(handler, ConversationHandler) else [handler]
                )
                for entry in entries:
                    if isinstance(entry, CommandHandler):
                        handled |= set(entry.commands)
    assert sorted(entry.name for entry in MENU if entry.name not in handled) == []


def test_members_never_see_cadre_commands_and_admins_see_all():
    translator = Translator()
    member = {c.command for c in commands_for(translator, Language.ZH, set())}
    secretary = {c.command for c in commands_for(translator, Language.ZH, {Role.BRANCH_SECRETARY})}
    admin = {c.command for c in commands_for(translator, Language.EN, {Role.ADMIN})}
    assert {"members", "pending", "cadres", "invite", "audit", "import"}.isdisjoint(member)
    assert {"members", "pending"} <= secretary
    assert {"invite", "cadres", "audit"}.isdisjoint(secretary)
    assert admin == {entry.name for entry in MENU}
