"""Settings of the sandbox: where it listens, Telegram's rate limits, and injected faults."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class SandboxSettings(BaseModel):
    """Everything that changes how the sandbox answers; changeable at run time except host/port."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str = "127.0.0.1"
    port: int = Field(default=0, ge=0, le=65535, description="0 picks a free port")

    # Telegram's documented limits for sending messages, per bot.
    global_per_second: int = Field(default=30, ge=1)
    private_chat_burst: int = Field(default=5, ge=1)
    private_chat_per_second: float = Field(default=1.0, gt=0)
    group_per_minute: int = Field(default=20, ge=1)
    enforce_limits: bool = True

    # Fault injection, applied to every Bot API request except getUpdates (unless asked).
    latency_ms: int = Field(default=0, ge=0)
    error_5xx_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    timeout_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    timeout_delay_s: float = Field(default=30.0, ge=0.0, description="how long a 'timeout' waits")
    storm_429_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    storm_retry_after_s: int = Field(default=3, ge=1)
    # A storm as Telegram's flood control has it: once a 429 is injected, every request is
    # answered 429 until its retry_after has passed, counting down.
    storm_burst: bool = False
    faults_on_get_updates: bool = False
    seed: int | None = Field(default=None, description="seeds the random source of faults")

    # How long a callback query may wait for answerCallbackQuery before Telegram forgets it.
    callback_query_ttl_s: float = Field(default=60.0, gt=0)
    # Added to the real clock for message dates, for tests that move time.
    clock_offset_s: float = 0.0
    max_upload_bytes: int = Field(default=50 * 1024 * 1024, ge=1)
