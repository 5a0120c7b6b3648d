"""PTB persistence whose conversation states are read from the drafts table.

Each wizard step writes its draft (data and step) before the bot answers, so the drafts are
the source of truth; PTB only needs them back at start-up to resume every wizard where it was.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import ConversationDict, ConversationKey

from storage.drafts import DraftRepository


class DraftPersistence(BasePersistence[dict[Any, Any], dict[Any, Any], Any]):
    """Only conversations are persisted, and they come from the drafts that services store."""

    def __init__(self, drafts: DraftRepository) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=False, callback_data=False
            ),
            # Nothing is held back for flushing: the drafts are written by every step.
            update_interval=3600,
        )
        self._drafts = drafts

    async def get_conversations(self, name: str) -> ConversationDict:
        steps = await self._drafts.steps(journey=name)
        return {(chat_id, user_id): step for (chat_id, user_id), step in steps.items()}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        """The step was stored with the draft already."""

    async def get_user_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def get_bot_data(self) -> Any:
        return None

    async def get_callback_data(self) -> None:
        return None

    async def update_user_data(self, user_id: int, data: dict[Any, Any]) -> None:
        """Not persisted."""

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        """Not persisted."""

    async def update_bot_data(self, data: Any) -> None:
        """Not persisted."""

    async def update_callback_data(self, data: Any) -> None:
        """Not persisted."""

    async def drop_chat_data(self, chat_id: int) -> None:
        """Not persisted."""

    async def drop_user_data(self, user_id: int) -> None:
        """Not persisted."""

    async def refresh_user_data(self, user_id: int, user_data: dict[Any, Any]) -> None:
        """Not persisted."""

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        """Not persisted."""

    async def refresh_bot_data(self, bot_data: Any) -> None:
        """Not persisted."""

    async def flush(self) -> None:
        """Nothing is buffered."""
