"""Settings from a TOML file plus LEAGUEBOT_<SECTION>__<KEY> environment variables."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path
from typing import Any, ClassVar, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from bot.domain.models import Language
from bot.domain.quiet_hours import QuietHours

ENV_PREFIX = "LEAGUEBOT_"
_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")


class ConfigError(Exception):
    """The configuration cannot be used; the message is one line per problem, naming the key."""


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TelegramSettings(Section):
    token: str = Field(description="bot token from @BotFather")
    base_url: str = "https://api.telegram.org"
    mode: Literal["polling", "webhook"] = "polling"
    poll_timeout: int = Field(default=30, ge=0, le=50)
    # Seconds to wait for Telegram's answer to a request; a long poll waits poll_timeout more.
    read_timeout: float = Field(default=5.0, gt=0, le=120)
    # An HTTP proxy to reach the Bot API through, e.g. "http://127.0.0.1:7890"; "" for none.
    proxy: str = ""
    webhook_url: str = ""
    # Loopback unless configured: a reverse proxy in front terminates TLS and forwards.
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_path: str = "telegram"
    webhook_secret: str = ""

    @field_validator("token")
    @classmethod
    def _token_shape(cls, value: str) -> str:
        if not _TOKEN.match(value):
            raise ValueError("must look like 123456789:AAE... (the token @BotFather gave you)")
        return value

    @field_validator("base_url")
    @classmethod
    def _url_shape(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("proxy")
    @classmethod
    def _proxy_shape(cls, value: str) -> str:
        if not value:
            return value
        if value.startswith(("socks4://", "socks5://", "socks5h://")):
            raise ValueError(
                "SOCKS proxies are not supported: give the proxy's HTTP address,"
                " e.g. http://127.0.0.1:7890"
            )
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must look like http://host:port or http://user:password@host:port")
        return value

    @model_validator(mode="after")
    def _webhook_needs_url(self) -> TelegramSettings:
        if self.mode == "webhook" and not self.webhook_url:
            raise ValueError("telegram.webhook_url is required when telegram.mode = 'webhook'")
        if self.mode == "webhook" and not re.fullmatch(
            r"[A-Za-z0-9_-]{32,256}", self.webhook_secret
        ):
            raise ValueError(
                "telegram.webhook_secret is required in webhook mode: 32-256 of A-Z a-z 0-9 _ -"
                " (for example the output of: python -c 'import secrets;"
                " print(secrets.token_urlsafe(32))')"
            )
        return self

    @property
    def api_base(self) -> str:
        """What PTB calls base_url: the server plus '/bot' (the token is appended by PTB)."""
        return f"{self.base_url}/bot"

    @property
    def file_base(self) -> str:
        return f"{self.base_url}/file/bot"


class StorageSettings(Section):
    path: Path = Path("leaguebot.db")
    busy_timeout_ms: int = Field(default=5000, ge=0)


class BotSettings(Section):
    admins: list[int] = Field(default_factory=list)
    timezone: str = "Asia/Shanghai"
    default_language: Language = Language.ZH
    error_report_interval: int = Field(default=60, ge=0, description="seconds between reports")
    invitation_hours: int = Field(default=72, ge=1, le=24 * 90)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"unknown timezone {value!r} (use an IANA name like Asia/Shanghai)"
            ) from exc
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


# Under 14, PIPL asks for a guardian's consent, which the bot has no way to collect.
YOUNGEST = 14


class RegistrationSettings(Section):
    min_age: int = Field(default=YOUNGEST, le=120)
    max_age: int = Field(default=40, ge=0, le=120)

    @field_validator("min_age")
    @classmethod
    def _no_child_without_guardian(cls, value: int) -> int:
        if value < YOUNGEST:
            raise ValueError(
                f"must be at least {YOUNGEST}: a child under {YOUNGEST} needs a guardian's"
                " consent, which the bot cannot collect"
            )
        return value

    @model_validator(mode="after")
    def _range(self) -> RegistrationSettings:
        if self.min_age > self.max_age:
            raise ValueError("registration.min_age must not be above registration.max_age")
        return self


class DeliverySettings(Section):
    rate_per_second: float = Field(default=30.0, gt=0)
    per_chat_interval: float = Field(default=1.0, ge=0)
    group_per_minute: int = Field(default=20, gt=0)
    max_attempts: int = Field(default=5, ge=1)
    retry_base_seconds: float = Field(default=1.0, ge=0)
    concurrency: int = Field(default=8, ge=1, le=256)
    quiet_start: dt.time = dt.time(22, 0)
    quiet_end: dt.time = dt.time(8, 0)


class DigestSettings(Section):
    enabled: bool = True
    time: dt.time = dt.time(9, 0)


class TrainingSettings(Section):
    reminder_offsets_hours: list[float] = Field(default_factory=lambda: [24.0, 1.0])
    offer_hold_hours: float = Field(default=12.0, gt=0, le=24 * 14)
    checkin_opens_minutes: int = Field(default=30, ge=0, le=24 * 60)

    @field_validator("reminder_offsets_hours")
    @classmethod
    def _positive_offsets(cls, value: list[float]) -> list[float]:
        if any(offset <= 0 or offset > 24 * 30 for offset in value):
            raise ValueError("each offset must be above 0 and at most 720 hours")
        return sorted(set(value), reverse=True)


class PrivacySettings(Section):
    # Who handles the members' personal data (个人信息处理者) and how to reach them: both are
    # named in the notice every member agrees to before registering.
    controller: str = Field(default="本团区委", min_length=1, max_length=60)
    contact: str = Field(default="请通过所在团支部书记联系", min_length=1, max_length=120)
    # Personal data of members who left is erased this many days after they left.
    retention_days: int = Field(default=365, ge=1, le=3650)
    # The text of a message the bot sent on its own (a notice, a reminder, a broadcast) is
    # cleared this many days after it went out; the row and its outcome stay.
    message_text_days: int = Field(default=90, ge=1, le=3650)
    # Unfinished forms, and the accounts of people who wrote but never registered, are dropped
    # after this many days without a word from them.
    abandoned_days: int = Field(default=30, ge=1, le=3650)
    # When the daily retention run happens, in bot.timezone.
    retention_time: dt.time = dt.time(3, 0)


class LoggingSettings(Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        extra="forbid",
        case_sensitive=False,
    )

    telegram: TelegramSettings
    storage: StorageSettings = Field(default_factory=StorageSettings)
    bot: BotSettings = Field(default_factory=BotSettings)
    registration: RegistrationSettings = Field(default_factory=RegistrationSettings)
    delivery: DeliverySettings = Field(default_factory=DeliverySettings)
    digest: DigestSettings = Field(default_factory=DigestSettings)
    trainings: TrainingSettings = Field(default_factory=TrainingSettings)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)
    # Whether LEAGUEBOT_* variables override the file (not for the sandbox).
    from_environment: ClassVar[bool] = True

    def secrets(self) -> list[str]:
        """What must never be written to a log: the token, and the webhook's secret."""
        return [s for s in (self.telegram.token, self.telegram.webhook_secret) if s]

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The file's values arrive as init arguments; the environment overrides them.
        if cls.from_environment:
            return (env_settings, init_settings)
        return (init_settings,)

    @property
    def quiet_hours(self) -> QuietHours:
        """The delivery's quiet hours, in the committee's time zone."""
        return QuietHours(
            start=self.delivery.quiet_start,
            end=self.delivery.quiet_end,
            timezone=self.bot.timezone,
        )


class _WithoutEnvironment(Settings):
    """Settings from the file and the overrides only (the sandbox: a production database or
    token in the environment must never reach it)."""

    from_environment: ClassVar[bool] = False


def load_settings(
    path: Path | None, *, overrides: dict[str, Any] | None = None, environment: bool = True
) -> Settings:
    """Reads the TOML file (if any) and, unless told not to, the environment; raises
    ConfigError naming the key."""
    data: dict[str, Any] = {}
    if path is not None:
        data = _read_toml(path)
    # An absent [telegram] section should be reported as its missing token.
    data.setdefault("telegram", {})
    for section, values in (overrides or {}).items():
        data.setdefault(section, {}).update(values)
    try:
        return Settings(**data) if environment else _WithoutEnvironment(**data)
    except ValidationError as exc:
        raise ConfigError("\n".join(_describe(error) for error in exc.errors())) from None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(
            f"config file {path} not found (copy config.example.toml to {path} and edit it)"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None


def _describe(error: Any) -> str:
    location = [str(part) for part in error["loc"]]
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "missing":
        key = ".".join(location)
        env = ENV_PREFIX + "__".join(part.upper() for part in location)
        return f"config error: {key} is required (set it in the config file or {env})"
    if error["type"] == "extra_forbidden":
        return f"config error: {'.'.join(location)} is not a known setting"
    key = ".".join(location) if location else "config"
    return f"config error: {key}: {message}"
