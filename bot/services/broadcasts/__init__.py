"""Broadcasts (群发通知) as use-cases, one module each: the /broadcast wizard's draft, storing
and starting or scheduling a broadcast, the author's list and controls, the end of a broadcast
with its final report, and the scheduled start. Audiences (who a broadcast reaches) serve them
all.

A broadcast is a draft while its author writes it (the wizard's draft in the drafts table, so a
restart loses nothing); confirming stores it as scheduled or running. Starting it puts one
outbox row per recipient in the same transaction; the delivery engine sends them while the
broadcast runs, and the last outcome marks it done and reports to the author.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.broadcasts.audiences import AudienceService
from bot.services.broadcasts.common import Common
from bot.services.broadcasts.controls import ControlService
from bot.services.broadcasts.launch import LaunchService
from bot.services.broadcasts.outcomes import OutcomeService, ReportRenderer
from bot.services.broadcasts.scheduled import ScheduledStart
from bot.services.broadcasts.wizard import BroadcastWizardService
from bot.services.shared import Shared


@dataclass(frozen=True)
class BroadcastServices:
    wizard: BroadcastWizardService
    launch: LaunchService
    controls: ControlService
    outcomes: OutcomeService
    scheduled: ScheduledStart

    @classmethod
    def create(cls, shared: Shared, *, report: ReportRenderer) -> BroadcastServices:
        """`report` words the author's final report (the handlers' layer provides it)."""
        common = Common(shared, AudienceService(shared), OutcomeService(shared, report=report))
        launch = LaunchService(common)
        return cls(
            wizard=BroadcastWizardService(
                common, launch=launch, quiet_hours=shared.settings.quiet_hours
            ),
            launch=launch,
            controls=ControlService(common),
            outcomes=common.outcomes,
            scheduled=ScheduledStart(common),
        )
