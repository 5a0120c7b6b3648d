"""Cadres' use-cases: permissions, member review, imports, the audit view, figures, exports, the
digest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.domain.admin.digest import DigestRenderer
from bot.services.admin.audit_view import AuditViewService
from bot.services.admin.cadres import CadreService
from bot.services.admin.digest import DigestService, NominationCounter
from bot.services.admin.exports import ExportService
from bot.services.admin.member_review import MemberReviewService
from bot.services.admin.roster_import import RosterImportService
from bot.services.admin.stats import StatsService
from bot.services.shared import Shared


@dataclass(frozen=True)
class AdminServices:
    audit: AuditViewService
    cadres: CadreService
    member_review: MemberReviewService
    digest: DigestService
    roster_import: RosterImportService
    stats: StatsService
    exports: ExportService

    @classmethod
    def create(
        cls, shared: Shared, *, digest: DigestRenderer, nominations: NominationCounter
    ) -> AdminServices:
        """`digest` words the daily digest (the handlers' layer provides it); `nominations`
        counts the nominations waiting for a cadre (the review service)."""
        settings = shared.settings
        return cls(
            audit=AuditViewService(shared),
            cadres=CadreService(
                shared, invitation_ttl=timedelta(hours=settings.bot.invitation_hours)
            ),
            member_review=MemberReviewService(shared),
            digest=DigestService(
                shared, at=settings.digest.time, render=digest, nominations=nominations
            ),
            roster_import=RosterImportService(shared),
            stats=StatsService(shared),
            exports=ExportService(shared, db_path=settings.storage.path),
        )
