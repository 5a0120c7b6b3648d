"""What the privacy journey shows: the /mydata file, /deleteme's confirmation and its outcome.
Pure: made from the service's answers, nothing is sent from here. Texts come through `t` so
the file can be rendered off the event loop."""

from __future__ import annotations

import json
from collections.abc import Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.membership.privacy import ErasurePlan, MyData
from handlers.membership.buttons import PrivacyErase, PrivacyKeep

T = Callable[..., str]


def data_file(t: T, data: MyData) -> bytes:
    """The person's data as indented UTF-8 JSON, with a note on what each part is."""
    content = {"readme": t("privacy.mydata_readme"), **data.model_dump(mode="json")}
    return json.dumps(content, ensure_ascii=False, indent=2).encode("utf-8")


def confirmation(t: T, plan: ErasurePlan) -> tuple[str, InlineKeyboardMarkup]:
    """What will be erased, what is kept and why, with the two buttons."""
    lines = [t("privacy.confirm_title")]
    if plan.registered:
        erase = t("privacy.confirm_erase")
        if plan.cadre:
            erase += "\n" + t("privacy.confirm_cadre")
        lines += [
            erase,
            t("privacy.confirm_keep", nominations=plan.nominations, enrolments=plan.enrolments),
        ]
    else:
        lines.append(t("privacy.confirm_unregistered"))
        if plan.cadre:
            lines.append(t("privacy.confirm_cadre"))
    lines.append(t("privacy.confirm_after"))
    erase_data = PrivacyErase(member_id=plan.member_id or 0).pack()
    markup = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t("privacy.confirm_button"), callback_data=erase_data)],
            [InlineKeyboardButton(t("privacy.cancel_button"), callback_data=PrivacyKeep().pack())],
        ]
    )
    return "\n\n".join(lines), markup


def erased(t: T, *, registered: bool, nominations: int, enrolments: int) -> str:
    """What was erased, and what was kept and why (the counts of records kept anonymised)."""
    if not registered:
        return t("privacy.erased_unregistered")
    return t("privacy.erased", kept=_kept(t, nominations, enrolments))


def _kept(t: T, nominations: int, enrolments: int) -> str:
    parts = []
    if nominations:
        parts.append(t("privacy.kept_nominations", count=nominations))
    if enrolments:
        parts.append(t("privacy.kept_enrolments", count=enrolments))
    return t("privacy.kept_separator").join(parts) if parts else t("privacy.kept_nothing")
