"""What the transfer journey shows: the member's screens, the request card, the cadres' buttons.
Pure: made from the service's answers, nothing is sent from here.

Texts for someone other than the sender are rendered in that person's language, so most
functions here take the language to render in.
"""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.context import LeagueContext
from bot.domain.membership.transfers import REASON_MAX_LENGTH, PendingPage, Preview, TransferCard
from bot.domain.models import Language, OrgUnit
from bot.i18n import Raw
from bot.services.membership.transfers import TargetChoice
from handlers.kit import org_picker
from handlers.kit.buttons import CallbackData
from handlers.membership import buttons

PATH_SEPARATOR = " › "


def _button(label: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data.pack())


def _path(names: list[str]) -> str:
    return PATH_SEPARATOR.join(names)


def moment(context: LeagueContext, at: datetime) -> str:
    """A stored UTC time as the committee's local time."""
    return at.astimezone(context.settings.bot.tz).strftime("%Y-%m-%d %H:%M")


def card_params(context: LeagueContext, card: TransferCard) -> dict[str, object]:
    """Everything a transfer text may name; templates use the parameters they need."""
    return {
        "name": card.member_name,
        "from_path": _path(card.from_path),
        "to_path": _path(card.to_path),
        "at": moment(context, card.transfer.requested_at),
    }


def card(context: LeagueContext, language: Language, card: TransferCard) -> Raw:
    """The request as cadres see it, ready to be put into another text."""
    return Raw(context.t_in(language, "transfer.card", **card_params(context, card)))


# The member's screens.


def target_picker(context: LeagueContext, choice: TargetChoice) -> tuple[str, InlineKeyboardMarkup]:
    """The tree picker; the member's own branch is left out, it is not a move."""
    own = choice.overview.unit_id

    def pickable(unit: OrgUnit) -> bool:
        return unit.is_branch and unit.id != own

    return org_picker.render(
        context,
        prompt=context.t("transfer.choose_target", current=_path(choice.overview.current_path)),
        level=choice.level,
        path=choice.path,
        open_data=lambda parent_id, page: buttons.TransferOpen(level=(parent_id, page)).pack(),
        pick_data=lambda unit: buttons.TransferPick(unit_id=unit.id).pack(),
        pickable=pickable,
    )


def own_pending(context: LeagueContext, card: TransferCard) -> tuple[str, InlineKeyboardMarkup]:
    """The member's open request, with the button to withdraw it."""
    text = context.t("transfer.pending_own", **card_params(context, card))
    withdraw = _button(
        context.t("transfer.withdraw"), buttons.TransferWithdraw(transfer_id=card.transfer.id)
    )
    return text, InlineKeyboardMarkup([[withdraw]])


def confirm_prompt(context: LeagueContext, preview: Preview) -> tuple[str, InlineKeyboardMarkup]:
    text = context.t(
        "transfer.confirm_prompt",
        from_path=_path(preview.from_path),
        to_path=_path(preview.to_path),
    )
    keyboard = InlineKeyboardMarkup(
        [
            [
                _button(
                    context.t("transfer.confirm"),
                    buttons.TransferConfirm(unit_id=preview.to_unit_id),
                )
            ],
            [
                _button(context.t("transfer.choose_again"), buttons.TransferChooseAgain()),
                _button(context.t("transfer.abort"), buttons.TransferAbort()),
            ],
        ]
    )
    return text, keyboard


# The cadres' screens.


def decision_keyboard(
    context: LeagueContext, language: Language, transfer_id: int
) -> InlineKeyboardMarkup:
    """同意 / 不同意 for one request."""
    return InlineKeyboardMarkup(
        [
            [
                _button(
                    context.t_in(language, "transfer.approve"),
                    buttons.TransferApprove(transfer_id=transfer_id),
                ),
                _button(
                    context.t_in(language, "transfer.reject"),
                    buttons.TransferReject(transfer_id=transfer_id),
                ),
            ]
        ]
    )


def decision(context: LeagueContext, item: TransferCard) -> tuple[str, InlineKeyboardMarkup]:
    """A pending request in the cadre's own chat, with its buttons."""
    language = context.language
    return str(card(context, language, item)), decision_keyboard(
        context, language, item.transfer.id
    )


def settled(context: LeagueContext, item: TransferCard) -> str:
    """A request that was decided or withdrawn, without buttons."""
    return context.t(
        "transfer.settled_card",
        card=card(context, context.language, item),
        state=context.t(f"transfer.state.{item.transfer.state.value}"),
    )


def approved_by_you(context: LeagueContext, item: TransferCard) -> str:
    return context.t(
        "transfer.approved_by_you",
        card=card(context, context.language, item),
        name=item.member_name,
        to_path=_path(item.to_path),
    )


def rejected_by_you(context: LeagueContext, item: TransferCard) -> str:
    reason = item.transfer.comment
    shown = card(context, context.language, item)
    if reason is None:
        return context.t("transfer.rejected_by_you_no_reason", card=shown)
    return context.t("transfer.rejected_by_you", card=shown, reason=reason)


def reason_prompt(context: LeagueContext, item: TransferCard) -> tuple[str, InlineKeyboardMarkup]:
    """Asks for the reason of a rejection; the buttons reject without one or go back."""
    text = context.t(
        "transfer.ask_reason", card=card(context, context.language, item), max=REASON_MAX_LENGTH
    )
    transfer_id = item.transfer.id
    keyboard = InlineKeyboardMarkup(
        [
            [
                _button(
                    context.t("transfer.skip_reason"),
                    buttons.TransferSkipReason(transfer_id=transfer_id),
                )
            ],
            [
                _button(
                    context.t("transfer.back"),
                    buttons.TransferBackToDecision(transfer_id=transfer_id),
                )
            ],
        ]
    )
    return text, keyboard


def page_header(context: LeagueContext, page: PendingPage) -> str:
    return context.t("transfer.list_header", total=page.total, page=page.page + 1, pages=page.pages)


def page_footer(context: LeagueContext, page: PendingPage) -> tuple[str, InlineKeyboardMarkup]:
    """Paging for the list of requests, sent after the page's requests."""
    paging = []
    if page.page > 0:
        earlier = buttons.TransferPageButton(page=page.page - 1)
        paging.append(_button(context.t("transfer.prev"), earlier))
    if page.page + 1 < page.pages:
        later = buttons.TransferPageButton(page=page.page + 1)
        paging.append(_button(context.t("transfer.next"), later))
    text = context.t("transfer.list_more", page=page.page + 1, pages=page.pages)
    return text, InlineKeyboardMarkup([paging])
