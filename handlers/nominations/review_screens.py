"""How review looks: a cadre's queue (/review), a nomination's card with the buttons the cadre
may press, the question for a comment, and the campaign's Excel export. Pure."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.nominations.campaigns import ReviewLevel
from bot.domain.nominations.review import (
    QUEUE_PAGE,
    CommentKind,
    ExportData,
    ObjectionState,
    ReviewCard,
    ReviewQueue,
)
from bot.domain.validation import age_on
from bot.files.nominations import Sheet, nominations_workbook
from handlers.nominations.buttons import (
    NominationExportButton,
    ReviewApprove,
    ReviewBack,
    ReviewFiles,
    ReviewList,
    ReviewOpen,
    ReviewReject,
    ReviewReturn,
)
from handlers.nominations.nomination_screens import (
    Keyboard,
    T,
    attachment_lines,
    button,
    campaign_name,
    fit,
    level_label,
    local,
    objection_buttons,
    short,
    state_label,
    timeline,
)


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
    for number, item in enumerate(found.items, start=found.page * QUEUE_PAGE + 1):
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
        card = ReviewOpen(nomination_id=item.nomination.id, page=found.page)
        rows.append([button(short(label, 60), card)])
    paging = []
    if found.page > 0:
        paging.append(button(t("review.prev"), ReviewList(page=found.page - 1)))
    if found.page + 1 < found.pages:
        paging.append(button(t("review.next"), ReviewList(page=found.page + 1)))
    if paging:
        rows.append(paging)
    for campaign in found.exports:
        label = short(t("review.export_button", title=campaign.title), 60)
        rows.append([button(label, NominationExportButton(campaign_id=campaign.id))])
    return fit("\n".join(lines)), InlineKeyboardMarkup(rows)


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


def _card_lines(t: T, tz: ZoneInfo, found: ReviewCard) -> list[str]:
    """The nominee's facts, reason, files, votes, state, timeline and objections."""
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
        lines.append(t("review.reason", reason=short(nomination.reason, 1000)))
    lines += attachment_lines(t, found)
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
                name=objection.objector_name or t("review.someone", id=objection.objector_user_id),
                time=local(objection.created_at, tz),
                text=short(objection.text, 300),
                state=t(f"review.objection_state.{objection.state.value}"),
            )
        )
    return lines


def _card_keyboard(t: T, found: ReviewCard, page: int) -> Keyboard:
    """The decisions this cadre may take, the rulings on open objections, files, the queue."""
    nomination = found.nomination
    rows: list[list[InlineKeyboardButton]] = []
    if found.may_decide:
        seen = {"nomination_id": nomination.id, "version": nomination.version, "page": page}
        rows.append(
            [
                button(t("review.approve"), ReviewApprove(**seen)),
                button(t("review.return"), ReviewReturn(**seen)),
                button(t("review.reject"), ReviewReject(**seen)),
            ]
        )
    if found.may_resolve:
        for number, objection in enumerate(found.objections, start=1):
            if objection.state is ObjectionState.OPEN:
                rows.append(objection_buttons(t, objection.id, number))
    if found.attachments:
        files = ReviewFiles(nomination_id=nomination.id)
        rows.append([button(t("review.files", count=len(found.attachments)), files)])
    rows.append([button(t("review.back_to_queue"), ReviewList(page=page))])
    return InlineKeyboardMarkup(rows)


def card(t: T, tz: ZoneInfo, found: ReviewCard, page: int = 0) -> tuple[str, Keyboard]:
    """A nomination as the reviewer decides on it, with the buttons this cadre may press."""
    return fit("\n".join(_card_lines(t, tz, found))), _card_keyboard(t, found, page)


def comment_prompt(
    t: T, tz: ZoneInfo, found: ReviewCard, kind: CommentKind, max_length: int
) -> tuple[str, Keyboard]:
    """The card with the question for the comment; « 返回 shows the buttons again."""
    text, _ = card(t, tz, found)
    prompt = t(f"review.ask_comment.{kind.value}", max=max_length)
    back = ReviewBack(nomination_id=found.nomination.id)
    return fit(text + "\n\n" + prompt), InlineKeyboardMarkup([[button(t("review.back"), back)]])


# -- the export -----------------------------------------------------------------------------------

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


def _candidate_rows(t: T, tz: ZoneInfo, data: ExportData) -> list[list[object]]:
    """One row per candidate: facts, reason, the meeting's figures, each level's decision."""
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
        for level in data.campaign.rules.review_levels:
            event = line.decisions.get(level)
            if event is None:
                row += [None, None, None, None]
                continue
            row += [
                t(f"review.decision.{event.step.value}"),
                event.at.astimezone(tz).date(),
                _reviewer(t, data, event.actor_user_id),
                event.comment,
            ]
        row += [state_label(t, line.nomination.state), line.nomination.valid_until]
        rows.append(row)
    return rows


def export_file(t: T, tz: ZoneInfo, data: ExportData) -> bytes:
    """The campaign's summary per branch and its candidates, as an .xlsx (built in a thread)."""
    campaign = data.campaign
    summary_headers = [t(f"review.export.summary.{column}") for column in _SUMMARY_COLUMNS]
    summary_rows: list[list[object]] = [
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
    for level in campaign.rules.review_levels:
        name = level_label(t, level)
        headers += [t(f"review.export.column.level_{part}", level=name) for part in _LEVEL_PARTS]
    headers += [t("review.export.column.state"), t("review.export.column.valid_until")]
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
            Sheet(
                name=t("review.export.candidates_sheet"),
                headers=headers,
                rows=_candidate_rows(t, tz, data),
            ),
        ],
    )
