"""How the daily digest looks: counts and buttons that open the lists in place."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.admin.digest import Digest, DigestRenderer
from bot.i18n import Translator
from handlers.admin.buttons import PendingPageButton
from handlers.kit.buttons import CallbackData
from handlers.membership.buttons import TransferPageButton
from handlers.nominations.buttons import NominationReviewButton, ReviewAction

# Per count of the digest, in its order: the line that says it, the button that opens the list.
_WAITING: tuple[tuple[str, str, CallbackData], ...] = (
    ("digest.registrations", "digest.open_registrations", PendingPageButton(page=0)),
    ("digest.transfers", "digest.open_transfers", TransferPageButton(page=0)),
    ("review.digest_line", "review.digest_open", NominationReviewButton(action=ReviewAction.LIST)),
)


def renderer(translator: Translator) -> DigestRenderer:
    """The function the digest service calls to word one cadre's digest."""

    def render(digest: Digest) -> tuple[str, dict[str, object] | None]:
        language = digest.account.language
        counts = (
            digest.pending_registrations,
            digest.pending_transfers,
            digest.pending_nominations,
        )
        lines = [translator.t(language, "digest.title")]
        rows: list[list[InlineKeyboardButton]] = []
        for count, (line, label, button) in zip(counts, _WAITING, strict=True):
            if count:
                lines.append(translator.t(language, line, count=count))
                text = translator.t(language, label)
                rows.append([InlineKeyboardButton(text, callback_data=button.pack())])
        return "\n".join(lines), InlineKeyboardMarkup(rows).to_dict() if rows else None

    return render
