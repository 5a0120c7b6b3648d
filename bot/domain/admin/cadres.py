"""Cadre roles as other cadres see them, and the one-time invitations that grant them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from bot.domain.authz import Role


class CadreRole(BaseModel):
    """An active role as listed to other cadres."""

    id: int
    telegram_user_id: int
    role: Role
    org_unit_id: int
    unit_name: str
    unit_path: str
    member_name: str | None


class Invitation(BaseModel):
    token: str
    org_unit_id: int
    role: Role
    created_by: int
    created_at: datetime
    expires_at: datetime
    used_by: int | None
    used_at: datetime | None
    revoked_at: datetime | None
