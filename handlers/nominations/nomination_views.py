"""How nominations look in the chat: the nominee's list and page with its timeline, a reviewer's
queue and card, the branch meeting's screens, the Excel export, and the messages the bot sends
on its own (decisions, the public notice, objections, approval, reminders)."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.nominations.campaigns import Campaign, CampaignKind, ReviewLevel
from bot.domain.nominations.review import MeetingVerdict, ObjectionState
from bot.domain.nominations.state import WITHDRAWABLE, Nomination, NominationState, Step
from bot.domain.validation import age_on
from bot.files.nominations import Sheet, nominations_workbook
from bot.i18n import Raw, Translator
from bot.services.nominations.nominee import NominationItem, NominationPage, ObjectionTarget
from bot.services.nominations.review import (
    CommentKind,
    ExportData,
    MeetingChoice,
    MeetingRecorded,
    MeetingWizard,
    NominationNotice,
    NoticeKind,
    ReviewCard,
    ReviewQueue,
    verdict_of,
)
from handlers.nominations.buttons import (
    ApplyButton,
    MeetingAction,
    MeetingButton,
    NominationAction,
    NominationButton,
    NominationExportButton,
    NominationReviewButton,
    ObjectionAction,
    ObjectionDecisionButton,
    ReviewAction,
)

# Looks a text up in one person's language: context.t, or a translator bound to a language.
T = Callable[..., str]
Keyboard = InlineKeyboardMarkup
# Telegram refuses messages over 4096 characters; long reasons and timelines are cut before.
MAX_TEXT = 4000
PAGE_SIZE = 8


def local(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def notice_until(moment: datetime, tz: ZoneInfo) -> str:
    """The end of a notice as a notice board writes it: a period ending at local midnight is
    "until 24:00 of the last day" (2026-12-04 24:00), not 00:00 of the day after."""
    shown = moment.astimezone(tz)
    if shown.time() == time(0):
        return f"{(shown.date() - timedelta(days=1)).isoformat()} 24:00"
    return shown.strftime("%Y-%m-%d %H:%M")


def _fit(text: str) -> str:
    """Cuts a message to Telegram's limit at a line break, so no HTML tag is left open."""
    if len(text) <= MAX_TEXT:
        return text
    cut = text.rfind("\n", 0, MAX_TEXT - 2)
    return text[: cut if cut > 0 else MAX_TEXT - 2] + "\n…"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def campaign_name(t: T, campaign: Campaign) -> str:
    """The campaign's title and what it is for: 推优为入党积极分子, or the honour's name."""
    what = campaign.honour or t(f"nominations.kind.{campaign.kind.value}")
    return t("nominations.campaign_name", title=campaign.title, what=what)


def level_label(t: T, level: ReviewLevel) -> str:
    return t(f"nominations.level.{level.value}")


def state_label(t: T, state: NominationState) -> str:
    return t(f"nominations.state.{state.value}")


def _reviewer(t: T, data: ExportData, user_id: int | None) -> str:
    """A reviewer by name; one who is not a member by their post (团支部书记（湖滨社区团支部）);
    by Telegram id when they hold no post any more."""
    if user_id is None:
        return ""
    name = data.names.get(user_id)
    if name is not None:
        return name
    title = data.titles.get(user_id)
    if title is None:
        return t("review.someone", id=user_id)
    role = t(f"roles.{title.role.value}")
    return t("review.post", role=role, unit=title.unit) if title.unit else role


def _view(nomination_id: int) -> str:
    return NominationButton(action=NominationAction.VIEW, nomination_id=nomination_id).pack()


def _review(action: ReviewAction, nomination_id: int = 0, version: int = 0, page: int = 0) -> str:
    return NominationReviewButton(
        action=action, nomination_id=nomination_id, version=version, page=page
    ).pack()


def _button(label: str, data: str) -> InlineKeyboardButton:
    # Labels are plain text: the catalogue's escaping (for HTML messages) is undone here.
    return InlineKeyboardButton(html.unescape(label), callback_data=data)


# -- the timeline ---------------------------------------------------------------------------------


def _step(t: T, step: Step, to_state: NominationState) -> str:
    if step is Step.APPROVE and to_state is NominationState.IN_NOTICE:
        return t("nominations.step.approve_notice")
    return t(f"nominations.step.{step.value}")


def timeline(
    t: T, tz: ZoneInfo, page: NominationPage | ReviewCard, *, with_meetings: bool
) -> list[str]:
    """Every step with its local time, level and comment; meetings that decided nobody too."""
    entries: list[tuple[datetime, str]] = []
    for event in page.events:
        level = (
            t("nominations.timeline_level", level=level_label(t, event.level))
            if event.level
            else ""
        )
        comment = t("nominations.timeline_comment", comment=event.comment) if event.comment else ""
        entries.append(
            (
                event.at,
                t(
                    "nominations.timeline_line",
                    time=local(event.at, tz),
                    what=_step(t, event.step, event.to_state),
                    level=Raw(level),
                    comment=Raw(comment),
                ),
            )
        )
    votes = page.undecided_votes if isinstance(page, NominationPage) else []
    if with_meetings:
        for vote in votes:
            entries.append(
                (
                    vote.recorded_at,
                    t(
                        "nominations.timeline_meeting",
                        time=local(vote.recorded_at, tz),
                        entitled=vote.entitled,
                        present=vote.present,
                        yes=vote.yes,
                        verdict=t(f"review.verdict.{vote.verdict.value}"),
                    ),
                )
            )
    entries.sort(key=lambda entry: entry[0])
    return [line for _, line in entries]


def _attachments(t: T, page: NominationPage | ReviewCard) -> list[str]:
    if not page.attachments:
        return []
    lines = [t("nominations.attachments", count=len(page.attachments))]
    for attachment in page.attachments:
        kind = t(f"nominations.attachment.{attachment.kind}")
        lines.append(t("nominations.attachment_line", kind=kind, name=attachment.file_name or "—"))
    return lines


# -- the nominee's side ---------------------------------------------------------------------------


def my_list(t: T, items: Sequence[NominationItem]) -> tuple[str, Keyboard]:
    """/nominations: the member's nominations with their state."""
    lines = [t("nominations.list_title")]
    rows: list[list[InlineKeyboardButton]] = []
    if not items:
        lines.append(t("nominations.list_empty"))
    for number, item in enumerate(items, start=1):
        lines.append(
            t(
                "nominations.list_line",
                number=number,
                campaign=campaign_name(t, item.campaign),
                state=state_label(t, item.nomination.state),
            )
        )
        label = t("nominations.open_button", number=number, title=item.campaign.title)
        rows.append([_button(_short(label, 60), _view(item.nomination.id))])
    return _fit("\n".join(lines)), InlineKeyboardMarkup(rows)


def _next(t: T, tz: ZoneInfo, page: NominationPage) -> str:
    nomination = page.nomination
    if page.level is not None:
        if page.by_meeting:
            return t("nominations.next.meeting")
        return t("nominations.next.level", level=level_label(t, page.level))
    if nomination.state is NominationState.IN_NOTICE and nomination.notice_ends_at:
        return t("nominations.next.notice", end=notice_until(nomination.notice_ends_at, tz))
    if nomination.state is NominationState.APPROVED and nomination.valid_until:
        today = page.now.astimezone(tz).date()
        key = (
            "nominations.next.expired"
            if today > nomination.valid_until
            else "nominations.next.approved"
        )
        return t(key, until=nomination.valid_until.isoformat())
    return t(f"nominations.next.{nomination.state.value}")


def nominee_page(t: T, tz: ZoneInfo, page: NominationPage) -> tuple[str, Keyboard]:
    """A nomination's page: campaign, state in words, what happens next, timeline, files."""
    nomination = page.nomination
    lines = [
        t("nominations.page_title", campaign=campaign_name(t, page.campaign)),
        t(
            "nominations.page_nominee",
            name=nomination.nominee_name,
            branch=" › ".join(page.branch_names[-2:]),
        ),
        t("nominations.page_state", state=state_label(t, nomination.state)),
        t("nominations.page_next", next=_next(t, tz, page)),
    ]
    if nomination.reason:
        lines.append(t("nominations.page_reason", reason=_short(nomination.reason, 1000)))
    lines += _attachments(t, page)
    lines += ["", t("nominations.timeline_title"), *timeline(t, tz, page, with_meetings=True)]
    rows: list[list[InlineKeyboardButton]] = []
    if page.is_nominee and nomination.state is NominationState.RETURNED:
        revise = ApplyButton(action="revise", target=nomination.id, version=nomination.version)
        rows.append([_button(t("nominations.revise"), revise.pack())])
    if page.is_nominee and nomination.state in WITHDRAWABLE:
        withdraw = NominationButton(
            action=NominationAction.WITHDRAW,
            nomination_id=nomination.id,
            version=nomination.version,
        )
        rows.append([_button(t("nominations.withdraw"), withdraw.pack())])
    back = NominationButton(action=NominationAction.LIST, nomination_id=0)
    rows.append([_button(t("nominations.back_to_list"), back.pack())])
    return _fit("\n".join(lines)), InlineKeyboardMarkup(rows)


def withdraw_confirm(t: T, page: NominationPage) -> tuple[str, Keyboard]:
    nomination = page.nomination
    confirm = NominationButton(
        action=NominationAction.WITHDRAW_CONFIRMED,
        nomination_id=nomination.id,
        version=nomination.version,
    )
    keyboard = InlineKeyboardMarkup(
        [
            [_button(t("nominations.withdraw_yes"), confirm.pack())],
            [_button(t("nominations.back"), _view(nomination.id))],
        ]
    )
    return t("nominations.withdraw_confirm", campaign=campaign_name(t, page.campaign)), keyboard


def objection_prompt(t: T, target: ObjectionTarget, max_length: int) -> str:
    return t(
        "nominations.objection_prompt",
        name=target.nomination.nominee_name,
        campaign=campaign_name(t, target.campaign),
        max=max_length,
    )


# -- the reviewer's side --------------------------------------------------------------------------


def _where(t: T, level: ReviewLevel | None, by_meeting: bool, objections: int) -> str:
    if level is None:
        return t("review.where_objections", count=objections)
    if by_meeting:
        return t("review.where_meeting")
    return t("review.where_level", level=level_label(t, level))


def queue(t: T, found: ReviewQueue) -> tuple[str, Keyboard]:
    """/review: what waits for this cadre, grouped by campaign, oldest first."""
    lines = [t("review.queue_title", total=found.total)]
    if found.pages > 1:
        lines.append(t("picker.page", page=found.page + 1, pages=found.pages))
    if not found.items:
        lines.append(t("review.queue_empty"))
    rows: list[list[InlineKeyboardButton]] = []
    shown_campaign = 0
    for number, item in enumerate(found.items, start=found.page * PAGE_SIZE + 1):
        if item.campaign.id != shown_campaign:
            shown_campaign = item.campaign.id
            lines += ["", t("review.queue_campaign", campaign=campaign_name(t, item.campaign))]
        lines.append(
            t(
                "review.queue_line",
                number=number,
                name=item.nomination.nominee_name,
                where=_where(t, item.level, item.by_meeting, item.open_objections),
                days=item.days,
            )
        )
        label = t("review.open_button", number=number, name=item.nomination.nominee_name)
        rows.append(
            [
                _button(
                    _short(label, 60),
                    _review(ReviewAction.OPEN, item.nomination.id, page=found.page),
                )
            ]
        )
    paging = []
    if found.page > 0:
        paging.append(_button(t("review.prev"), _review(ReviewAction.LIST, page=found.page - 1)))
    if found.page + 1 < found.pages:
        paging.append(_button(t("review.next"), _review(ReviewAction.LIST, page=found.page + 1)))
    if paging:
        rows.append(paging)
    for campaign in found.exports:
        label = _short(t("review.export_button", title=campaign.title), 60)
        rows.append([_button(label, NominationExportButton(campaign_id=campaign.id).pack())])
    return _fit("\n".join(lines)), InlineKeyboardMarkup(rows)


def _years(since: date, today: date) -> int:
    return age_on(since, today) if since <= today else 0


def _facts(t: T, tz: ZoneInfo, card: ReviewCard) -> list[str]:
    facts = card.facts
    missing = t("review.missing")
    if facts is None:
        return [t("review.facts_missing")]
    today = card.now.astimezone(tz).date()
    birth = (
        t("review.birth", date=facts.birth_date.isoformat(), age=_years(facts.birth_date, today))
        if facts.birth_date
        else missing
    )
    joined = (
        t(
            "review.joined",
            date=facts.league_join_date.isoformat(),
            years=_years(facts.league_join_date, today),
        )
        if facts.league_join_date
        else missing
    )
    applied = facts.party_application_date.isoformat() if facts.party_application_date else missing
    return [
        t("review.fact_birth", value=birth),
        t("review.fact_status", value=t(f"status.{facts.status.value}")),
        t("review.fact_joined", value=joined),
        t("review.fact_applied", value=applied),
        t("review.fact_hours", value=f"{facts.training_hours:g}"),
    ]


def card(t: T, tz: ZoneInfo, found: ReviewCard, page: int = 0) -> tuple[str, Keyboard]:
    """A nomination as the reviewer decides on it, with the buttons this cadre may press."""
    nomination = found.nomination
    lines = [
        t("review.card_title", campaign=campaign_name(t, found.campaign)),
        t(
            "review.card_nominee",
            name=nomination.nominee_name,
            branch=" › ".join(found.branch_names[1:]),
        ),
        *_facts(t, tz, found),
    ]
    if nomination.self_applied:
        lines.append(t("review.by_self"))
    else:
        nominator = found.nominator_name or t("review.someone", id=nomination.nominator_user_id)
        lines.append(t("review.by_cadre", name=nominator))
    if nomination.reason:
        lines.append(t("review.reason", reason=_short(nomination.reason, 1000)))
    lines += _attachments(t, found)
    for vote in found.votes:
        lines.append(
            t(
                "review.meeting_line",
                date=vote.held_on.isoformat(),
                entitled=vote.entitled,
                present=vote.present,
                yes=vote.yes,
                verdict=t(f"review.verdict.{vote.verdict.value}"),
            )
        )
    lines.append(t("review.card_state", state=state_label(t, nomination.state)))
    if found.by_meeting:
        lines.append(t("review.hint_meeting"))
    elif found.level is not None and not found.may_decide:
        lines.append(t("review.hint_other_level", level=level_label(t, found.level)))
    lines += ["", t("nominations.timeline_title"), *timeline(t, tz, found, with_meetings=False)]
    if found.objections:
        lines += ["", t("review.objections_title")]
        for number, objection in enumerate(found.objections, start=1):
            lines.append(
                t(
                    "review.objection_line",
                    number=number,
                    name=objection.objector_name
                    or t("review.someone", id=objection.objector_user_id),
                    time=local(objection.created_at, tz),
                    text=_short(objection.text, 300),
                    state=t(f"review.objection_state.{objection.state.value}"),
                )
            )
    rows: list[list[InlineKeyboardButton]] = []
    if found.may_decide:
        version = nomination.version
        rows.append(
            [
                _button(
                    t("review.approve"), _review(ReviewAction.APPROVE, nomination.id, version, page)
                ),
                _button(
                    t("review.return"), _review(ReviewAction.RETURN, nomination.id, version, page)
                ),
                _button(
                    t("review.reject"), _review(ReviewAction.REJECT, nomination.id, version, page)
                ),
            ]
        )
    if found.may_resolve:
        for number, objection in enumerate(found.objections, start=1):
            if objection.state is not ObjectionState.OPEN:
                continue
            rows.append(_objection_buttons(t, objection.id, number))
    if found.attachments:
        rows.append(
            [
                _button(
                    t("review.files", count=len(found.attachments)),
                    _review(ReviewAction.FILES, nomination.id),
                )
            ]
        )
    rows.append([_button(t("review.back_to_queue"), _review(ReviewAction.LIST, page=page))])
    return _fit("\n".join(lines)), InlineKeyboardMarkup(rows)


def _objection_buttons(
    t: T, objection_id: int, number: int | None = None
) -> list[InlineKeyboardButton]:
    suffix = f" #{number}" if number is not None else ""
    return [
        _button(
            t("review.dismiss") + suffix,
            ObjectionDecisionButton(
                objection_id=objection_id, action=ObjectionAction.DISMISS
            ).pack(),
        ),
        _button(
            t("review.uphold") + suffix,
            ObjectionDecisionButton(
                objection_id=objection_id, action=ObjectionAction.UPHOLD
            ).pack(),
        ),
    ]


def comment_prompt(
    t: T, tz: ZoneInfo, found: ReviewCard, kind: CommentKind, max_length: int
) -> tuple[str, Keyboard]:
    """The card with the question for the comment; « 返回 shows the buttons again."""
    text, _ = card(t, tz, found)
    prompt = t(f"review.ask_comment.{kind.value}", max=max_length)
    back = _review(ReviewAction.BACK, found.nomination.id)
    return _fit(text + "\n\n" + prompt), InlineKeyboardMarkup([[_button(t("review.back"), back)]])


# -- the branch meeting ---------------------------------------------------------------------------


def meeting_choices(t: T, choices: Sequence[MeetingChoice]) -> tuple[str, Keyboard]:
    if not choices:
        return t("review.meeting.list_empty"), InlineKeyboardMarkup([])
    rows = [
        [
            _button(
                _short(
                    t(
                        "review.meeting.choice",
                        title=choice.campaign.title,
                        branch=choice.branch_name,
                        count=choice.candidates,
                    ),
                    60,
                ),
                MeetingButton(
                    nonce="-",
                    action=MeetingAction.PICK,
                    arg=f"{choice.campaign.id}.{choice.branch_id}",
                ).pack(),
            )
        ]
        for choice in choices
    ]
    return t("review.meeting.list_title"), InlineKeyboardMarkup(rows)


def _meeting_head(t: T, wizard: MeetingWizard) -> list[str]:
    return [
        t(
            "review.meeting.head",
            campaign=campaign_name(t, wizard.campaign),
            branch=wizard.branch_name,
        ),
        t(
            "review.meeting.places",
            quota=wizard.quota,
            members=wizard.league_members,
            percent=wizard.campaign.rules.quota_percent,
            used=wizard.used,
            places=wizard.places,
        ),
    ]


def meeting_question(t: T, wizard: MeetingWizard) -> str:
    """The question of the current step (the candidates are listed before the first one)."""
    draft = wizard.draft
    if wizard.step == "entitled":
        lines = [
            *_meeting_head(t, wizard),
            t("review.meeting.candidates", count=len(draft.candidates)),
            *(
                t("review.meeting.candidate_line", number=number, name=candidate.name)
                for number, candidate in enumerate(draft.candidates, start=1)
            ),
            "",
            t("review.meeting.ask_entitled"),
        ]
        return _fit("\n".join(lines))
    if wizard.step == "present":
        return t("review.meeting.ask_present", entitled=draft.entitled)
    candidate = wizard.candidate
    assert candidate is not None
    return t(
        "review.meeting.ask_yes",
        index=len(draft.votes) + 1,
        count=len(draft.candidates),
        name=candidate.name,
        present=draft.present,
    )


def meeting_summary(t: T, wizard: MeetingWizard) -> tuple[str, Keyboard]:
    """The outcome as meeting_outcome computes it, before the cadre confirms."""
    outcome = wizard.outcome
    assert outcome is not None
    draft = wizard.draft
    quorum = "review.meeting.quorum_yes" if outcome.quorum else "review.meeting.quorum_no"
    lines = [
        t("review.meeting.summary_title"),
        *_meeting_head(t, wizard),
        t(
            "review.meeting.figures",
            entitled=outcome.entitled,
            present=outcome.present,
            quorum=t(quorum),
        ),
    ]
    for number, (candidate, result) in enumerate(
        zip(draft.candidates, outcome.results, strict=True), start=1
    ):
        lines.append(
            t(
                "review.meeting.result_line",
                number=number,
                name=candidate.name,
                yes=result.yes,
                verdict=t(f"review.verdict.{verdict_of(outcome, result.nomination_id).value}"),
            )
        )
    lines += ["", t("review.meeting.confirm_hint")]

    def button(key: str, action: MeetingAction) -> InlineKeyboardButton:
        return _button(t(key), MeetingButton(nonce=wizard.nonce, action=action).pack())

    keyboard = InlineKeyboardMarkup(
        [
            [button("review.meeting.confirm", MeetingAction.CONFIRM)],
            [
                button("review.meeting.again", MeetingAction.AGAIN),
                button("review.meeting.abort", MeetingAction.ABORT),
            ],
        ]
    )
    return _fit("\n".join(lines)), keyboard


def meeting_recorded(t: T, recorded: MeetingRecorded) -> str:
    """The summary as saved, with how many passed, did not, and wait for another vote."""
    summary, _ = meeting_summary(t, recorded.wizard)
    verdicts = list(recorded.verdicts.values())
    passed = verdicts.count(MeetingVerdict.PASSED)
    failed = verdicts.count(MeetingVerdict.NO_MAJORITY)
    figures = t(
        "review.meeting.recorded",
        passed=passed,
        failed=failed,
        undecided=len(verdicts) - passed - failed,
    )
    # The summary's last paragraph asked for the confirmation that has now been given.
    return _fit(summary.rsplit("\n\n", 1)[0] + "\n\n" + figures)


# -- the export -----------------------------------------------------------------------------------


def export_file(t: T, tz: ZoneInfo, data: ExportData) -> bytes:
    """The campaign's summary per branch and its candidates, as an .xlsx (built in a thread)."""
    campaign = data.campaign
    levels = campaign.rules.review_levels
    summary_headers = [t(f"review.export.summary.{column}") for column in _SUMMARY_COLUMNS]
    summary_rows = [
        [
            branch.figures.name,
            branch.figures.league_members,
            branch.quota,
            branch.figures.nominated,
            branch.figures.passed_meeting,
            branch.figures.approved,
            branch.figures.rejected,
        ]
        for branch in data.branches
    ]
    headers = [t(f"review.export.column.{column}") for column in _CANDIDATE_COLUMNS]
    for level in levels:
        name = level_label(t, level)
        headers += [t(f"review.export.column.level_{part}", level=name) for part in _LEVEL_PARTS]
    headers += [t("review.export.column.state"), t("review.export.column.valid_until")]
    rows: list[list[object]] = []
    for number, line in enumerate(data.lines, start=1):
        facts = line.facts
        vote = line.vote
        row: list[object] = [
            number,
            line.nomination.nominee_name,
            line.branch_name,
            facts.birth_date if facts else None,
            facts.league_join_date if facts else None,
            facts.party_application_date if facts else None,
            facts.training_hours if facts else None,
            line.nomination.reason,
            vote.entitled if vote else None,
            vote.present if vote else None,
            vote.yes if vote else None,
        ]
        for level in levels:
            event = line.decisions.get(level)
            if event is None:
                row += [None, None, None, None]
                continue
            who = _reviewer(t, data, event.actor_user_id)
            row += [
                t(f"review.decision.{event.step.value}"),
                event.at.astimezone(tz).date(),
                who,
                event.comment,
            ]
        row += [state_label(t, line.nomination.state), line.nomination.valid_until]
        rows.append(row)
    title = t(
        "review.export.title",
        campaign=campaign_name(t, campaign),
        time=local(data.generated_at, tz),
    )
    return nominations_workbook(
        title=title,
        sheets=[
            Sheet(
                name=t("review.export.summary_sheet"), headers=summary_headers, rows=summary_rows
            ),
            Sheet(name=t("review.export.candidates_sheet"), headers=headers, rows=rows),
        ],
    )


_SUMMARY_COLUMNS = (
    "branch",
    "league_members",
    "quota",
    "nominated",
    "passed_meeting",
    "approved",
    "rejected",
)
_CANDIDATE_COLUMNS = (
    "number",
    "name",
    "branch",
    "birth_date",
    "joined",
    "applied",
    "hours",
    "reason",
    "entitled",
    "present",
    "yes",
)
_LEVEL_PARTS = ("decision", "date", "reviewer", "comment")


# -- messages the bot sends on its own ------------------------------------------------------------


class NominationWording:
    """What the review service calls to word its messages in each person's language."""

    def __init__(self, translator: Translator, tz: ZoneInfo) -> None:
        self._translator = translator
        self._tz = tz

    def meeting_comment(
        self, *, entitled: int, present: int, yes: int, verdict: MeetingVerdict
    ) -> str:
        """The meeting's figures as the timeline and the export keep them (default language)."""
        key = f"review.meeting.comment.{verdict.value}"
        return self._translator.t(
            self._translator.default, key, entitled=entitled, present=present, yes=yes
        )

    def notice(self, notice: NominationNotice) -> tuple[str, dict[str, object] | None]:
        t = partial(self._translator.t, notice.language)
        rows: list[list[InlineKeyboardButton]] = []
        if notice.kind in (NoticeKind.REMINDER, NoticeKind.ESCALATION):
            return self._waiting_list(t, notice)
        nomination, campaign = notice.nomination, notice.campaign
        assert nomination is not None and campaign is not None
        common: dict[str, object] = {
            "name": nomination.nominee_name,
            "campaign": campaign_name(t, campaign),
        }
        details = [_button(t("nominations.open_page"), _view(nomination.id))]
        open_card = [_button(t("review.open_card"), _review(ReviewAction.OPEN, nomination.id))]
        if notice.kind is NoticeKind.DECIDED:
            text = self._decided(t, notice, nomination, common)
            if nomination.state is NominationState.RETURNED:
                revise = ApplyButton(
                    action="revise", target=nomination.id, version=nomination.version
                )
                rows.append([_button(t("nominations.revise"), revise.pack())])
            rows.append(details)
        elif notice.kind is NoticeKind.WAITING:
            assert notice.level is not None
            text = t("review.notice.waiting", level=level_label(t, notice.level), **common)
            rows.append(open_card)
        elif notice.kind is NoticeKind.PUBLISHED:
            ends = (
                notice_until(nomination.notice_ends_at, self._tz)
                if nomination.notice_ends_at
                else ""
            )
            heading = "honour" if campaign.kind is CampaignKind.HONOUR else "recommendation"
            text = t(
                "review.notice.published",
                heading=t(f"review.notice.heading.{heading}"),
                branch=notice.branch_name,
                end=ends,
                **common,
            )
            object_to = NominationButton(
                action=NominationAction.OBJECT, nomination_id=nomination.id
            )
            rows.append([_button(t("review.object"), object_to.pack())])
        elif notice.kind is NoticeKind.OBJECTION:
            objection = notice.objection
            assert objection is not None
            text = t(
                "review.notice.objection",
                objector=objection.objector_name
                or t("review.someone", id=objection.objector_user_id),
                text=objection.text,
                **common,
            )
            rows.append(_objection_buttons(t, objection.id))
            rows.append(open_card)
        elif notice.kind is NoticeKind.OBJECTION_RESOLVED:
            assert notice.objection is not None
            state = notice.objection.state
            key = f"review.notice.objection_{state.value}"
            if state is ObjectionState.CLOSED:
                # Why it closed: the nomination was rejected over another one, or withdrawn.
                key = f"{key}_{nomination.state.value}"
            text = t(key, comment=notice.comment, **common)
        elif notice.kind is NoticeKind.NOTICE_BLOCKED:
            text = t("review.notice.blocked", count=notice.open_objections, **common)
            rows.append(open_card)
        elif notice.kind is NoticeKind.APPROVED:
            until = nomination.valid_until.isoformat() if nomination.valid_until else ""
            text = t(f"review.notice.approved_{notice.audience}", until=until, **common)
            if notice.audience == "nominee":
                rows.append(details)
        elif notice.kind is NoticeKind.WITHDRAWN:
            text = t("review.notice.withdrawn", **common)
        else:
            text = t("review.notice.meeting_undecided", comment=notice.comment, **common)
            rows.append(details)
        return _fit(text), InlineKeyboardMarkup(rows).to_dict() if rows else None

    def _decided(
        self, t: T, notice: NominationNotice, nomination: Nomination, common: dict[str, object]
    ) -> str:
        level = level_label(t, notice.level) if notice.level else ""
        comment = (
            t("nominations.timeline_comment", comment=notice.comment) if notice.comment else ""
        )
        if notice.step is Step.APPROVE:
            if nomination.state is NominationState.IN_NOTICE and nomination.notice_ends_at:
                end = notice_until(nomination.notice_ends_at, self._tz)
                return t(
                    "review.notice.in_notice", level=level, end=end, comment=Raw(comment), **common
                )
            if nomination.state is NominationState.APPROVED:
                until = nomination.valid_until.isoformat() if nomination.valid_until else ""
                return t("review.notice.approved_nominee", until=until, **common)
            return t("review.notice.passed", level=level, comment=Raw(comment), **common)
        assert notice.step is not None
        return t(
            f"review.notice.{notice.step.value}", level=level, comment=notice.comment, **common
        )

    def _waiting_list(self, t: T, notice: NominationNotice) -> tuple[str, dict[str, object] | None]:
        lines = [t(f"review.notice.{notice.kind.value}")]
        for item in notice.items:
            lines.append(
                t(
                    "review.notice.waiting_line",
                    name=item.name,
                    branch=item.branch_name,
                    campaign=item.campaign_title,
                    level=level_label(t, item.level),
                    days=item.days,
                )
            )
        markup = None
        if notice.kind is NoticeKind.REMINDER:
            markup = InlineKeyboardMarkup(
                [[_button(t("review.open_queue"), _review(ReviewAction.LIST))]]
            ).to_dict()
        return _fit("\n".join(lines)), markup
