"""How the daily digest looks: counts and buttons that open the lists in place."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Translator
from bot.services.admin.digest import Digest, DigestRenderer
from handlers.admin.buttons import ReviewButton
from handlers.membership.buttons import TransferPageButton
from handlers.nominations.buttons import NominationReviewButton, ReviewAction


def renderer(translator: Translator) -> DigestRenderer:
    """The function the digest service calls to word one cadre's digest."""

    def render(digest: Digest) -> tuple[str, dict[str, object] | None]:
        language = digest.account.language
        lines = [translator.t(language, "digest.title")]
        rows: list[list[InlineKeyboardButton]] = []
        if digest.pending_registrations:
            lines.append(
                translator.t(language, "digest.registrations", count=digest.pending_registrations)
            )
            rows.append(
                [
                    InlineKeyboardButton(
                        translator.t(language, "digest.open_registrations"),
                        callback_data=ReviewButton(action="pending", member_id=0).pack(),
                    )
                ]
            )
        if digest.pending_transfers:
            lines.append(translator.t(language, "digest.transfers", count=digest.pending_transfers))
            rows.append(
                [
                    InlineKeyboardButton(
                        translator.t(language, "digest.open_transfers"),
                        callback_data=TransferPageButton(page=0).pack(),
                    )
                ]
            )
        if digest.pending_nominations:
            lines.append(
                translator.t(language, "review.digest_line", count=digest.pending_nominations)
            )
            rows.append(
                [
                    InlineKeyboardButton(
                        translator.t(language, "review.digest_open"),
                        callback_data=NominationReviewButton(action=ReviewAction.LIST).pack(),
                    )
                ]
            )
        return "\n".join(lines), InlineKeyboardMarkup(rows).to_dict() if rows else None

    return render
