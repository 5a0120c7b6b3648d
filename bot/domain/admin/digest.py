"""The daily digest: what one cadre has waiting for their decision, and how it is worded."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel

from bot.domain.models import Account


class Digest(BaseModel):
    """What one cadre has waiting, in their scope, at the moment the digest is made."""

    account: Account
    pending_registrations: int
    pending_transfers: int
    # nominations waiting for this cadre's decision (推优 and honours)
    pending_nominations: int = 0

    @property
    def empty(self) -> bool:
        return (
            self.pending_registrations == 0
            and self.pending_transfers == 0
            and self.pending_nominations == 0
        )


# Turns a digest into a message's text and buttons; the handlers' layer words it.
DigestRenderer = Callable[[Digest], tuple[str, dict[str, object] | None]]
