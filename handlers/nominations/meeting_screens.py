"""How the branch meeting (/meeting) looks: the campaigns and branches waiting for one, each
question (应到人数, 实到人数, each candidate's 赞成票), the summary and what was saved. Pure."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardMarkup

from bot.domain.nominations.campaigns import MeetingOutcome
from bot.domain.nominations.meeting import (
    MeetingChoice,
    MeetingRecorded,
    MeetingStep,
    MeetingWizard,
    verdict_of,
)
from bot.domain.nominations.review import MeetingVerdict
from handlers.nominations.buttons import MeetingAbort, MeetingAgain, MeetingConfirm, MeetingPick
from handlers.nominations.nomination_screens import Keyboard, T, button, campaign_name, fit, short


def choices(t: T, found: Sequence[MeetingChoice]) -> tuple[str, Keyboard]:
    """/meeting: one button per campaign and branch with candidates waiting."""
    if not found:
        return t("review.meeting.list_empty"), InlineKeyboardMarkup([])
    rows = []
    for choice in found:
        label = t(
            "review.meeting.choice",
            title=choice.campaign.title,
            branch=choice.branch_name,
            count=choice.candidates,
        )
        pick = MeetingPick(campaign_branch=(choice.campaign.id, choice.branch_id))
        rows.append([button(short(label, 60), pick)])
    return t("review.meeting.list_title"), InlineKeyboardMarkup(rows)


def _head(t: T, wizard: MeetingWizard) -> list[str]:
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


def question(t: T, wizard: MeetingWizard) -> str:
    """The question of the current step (the candidates are listed before the first one)."""
    draft = wizard.draft
    if wizard.step is MeetingStep.ENTITLED:
        lines = [
            *_head(t, wizard),
            t("review.meeting.candidates", count=len(draft.candidates)),
            *(
                t("review.meeting.candidate_line", number=number, name=candidate.name)
                for number, candidate in enumerate(draft.candidates, start=1)
            ),
            "",
            t("review.meeting.ask_entitled"),
        ]
        return fit("\n".join(lines))
    if wizard.step is MeetingStep.PRESENT:
        return t("review.meeting.ask_present", entitled=draft.entitled)
    # The votes: the candidate asked for is the first without a figure.
    return t(
        "review.meeting.ask_yes",
        index=len(draft.votes) + 1,
        count=len(draft.candidates),
        name=draft.candidates[len(draft.votes)].name,
        present=draft.present,
    )


def summary(t: T, wizard: MeetingWizard, outcome: MeetingOutcome) -> tuple[str, Keyboard]:
    """The outcome as meeting_outcome computes it, before the cadre confirms."""
    draft = wizard.draft
    quorum = "review.meeting.quorum_yes" if outcome.quorum else "review.meeting.quorum_no"
    lines = [
        t("review.meeting.summary_title"),
        *_head(t, wizard),
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
    nonce = wizard.nonce
    keyboard = InlineKeyboardMarkup(
        [
            [button(t("review.meeting.confirm"), MeetingConfirm(nonce=nonce))],
            [
                button(t("review.meeting.again"), MeetingAgain(nonce=nonce)),
                button(t("review.meeting.abort"), MeetingAbort(nonce=nonce)),
            ],
        ]
    )
    return fit("\n".join(lines)), keyboard


def recorded(t: T, saved: MeetingRecorded) -> str:
    """The summary as saved, with how many passed, did not, and wait for another vote."""
    text, _ = summary(t, saved.wizard, saved.outcome)
    verdicts = list(saved.verdicts.values())
    passed = verdicts.count(MeetingVerdict.PASSED)
    failed = verdicts.count(MeetingVerdict.NO_MAJORITY)
    figures = t(
        "review.meeting.recorded",
        passed=passed,
        failed=failed,
        undecided=len(verdicts) - passed - failed,
    )
    # The summary's last paragraph asked for the confirmation that has now been given.
    return fit(text.rsplit("\n\n", 1)[0] + "\n\n" + figures)
