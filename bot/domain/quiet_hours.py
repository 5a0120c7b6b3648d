"""Quiet hours: the night-time window in which only urgent messages are sent."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.models import Record


class QuietHours(Record):
    """A daily window in local time; start after end means it spans midnight (22:00–08:00)."""

    start: time = time(22, 0)
    end: time = time(8, 0)
    timezone: str = "Asia/Shanghai"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def contains(self, moment: datetime) -> bool:
        """Whether the aware `moment` falls inside the window, in the committee's time zone."""
        if self.start == self.end:
            return False
        local = moment.astimezone(self.tz).time()
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def ends_after(self, moment: datetime) -> datetime:
        """The first end of the window after `moment` (the morning held messages go out)."""
        local = moment.astimezone(self.tz)
        end = local.replace(hour=self.end.hour, minute=self.end.minute, second=0, microsecond=0)
        if end <= local:
            end += timedelta(days=1)
        return end.astimezone(moment.tzinfo)
