"""Broadcasts as use-cases: the wizard's draft, scheduling, pausing, and the delivery counters."""

from __future__ import annotations

from bot.domain.quiet_hours import QuietHours
from bot.services.broadcasts.service import BroadcastService, ReportRenderer
from bot.services.shared import Shared


def build_broadcasts(shared: Shared, *, report: ReportRenderer) -> BroadcastService:
    """`report` words the author's final report (the handlers' layer provides it)."""
    delivery = shared.settings.delivery
    return BroadcastService(
        store=shared.store,
        orgs=shared.orgs,
        outbox=shared.outbox,
        access=shared.access,
        clock=shared.clock,
        timezone=shared.timezone,
        quiet_hours=QuietHours(
            start=delivery.quiet_start,
            end=delivery.quiet_end,
            timezone=shared.settings.bot.timezone,
        ),
        report=report,
        wake_scheduler=shared.wake_scheduler,
    )
