"""The one place that reads the environment (and `.env`): every setting of DESIGN.md section 3."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.incidents import DEFAULT_KINDS, KINDS

TOKEN_KINDS = {"slack_bot_token": ("a bot token", "xoxb-"), "slack_app_token": ("an app-level token", "xapp-")}


class Settings(BaseSettings):
    """Built once at start and passed down; tokens stay `SecretStr` so they never print by accident."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"

    docker_host: str | None = None
    chatops_presets_file: Path | None = None
    chatops_docker_group_users: str = ""
    chatops_docker_group_usergroup: str = ""
    chatops_docker_group_unix: str = ""
    chatops_group_file: Path = Path("/etc/group")
    chatops_user_map: str = ""
    chatops_readers: Literal["members", "everyone"] = "members"
    chatops_allowed_channels: str = ""
    chatops_membership_cache_seconds: float = Field(default=60, ge=0)
    chatops_notify_channel: str = ""
    chatops_notify_events: str = ",".join(sorted(DEFAULT_KINDS))
    chatops_notify_include_names: str = ""
    chatops_notify_exclude_names: str = ""
    chatops_notify_include_images: str = ""
    chatops_notify_exclude_images: str = ""
    chatops_notify_include_labels: str = ""
    chatops_notify_exclude_labels: str = ""
    chatops_notify_loop_restarts: int = Field(default=3, ge=2)
    chatops_notify_loop_minutes: float = Field(default=10, gt=0)
    chatops_notify_down_after_seconds: float = Field(default=30, ge=0)
    chatops_audit_db: Path = Path("dockbot-audit.db")
    chatops_workers: int = Field(default=8, ge=1, le=64)
    chatops_ephemeral_reads: bool = False
    chatops_plan_ttl_seconds: int = Field(default=600, ge=10)

    @field_validator("slack_bot_token", "slack_app_token")
    @classmethod
    def _token_kind(cls, token: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        """A token pasted into the wrong variable is the usual set-up mistake: say so at start."""
        kind, prefix = TOKEN_KINDS[str(info.field_name)]
        if token is not None and token.get_secret_value() and not token.get_secret_value().startswith(prefix):
            raise ValueError(f"must be {kind} starting with {prefix}")
        return token or None

    @field_validator("chatops_notify_events")
    @classmethod
    def _notify_events(cls, value: str) -> str:
        unknown = sorted(set(_items(value)) - KINDS)
        if unknown:
            raise ValueError(f"unknown event kind {', '.join(unknown)}; choose from {', '.join(sorted(KINDS))}")
        return value

    @field_validator("chatops_user_map")
    @classmethod
    def _user_map(cls, value: str) -> str:
        for pair in _items(value):
            user, sep, local = pair.partition(":")
            if not (sep and user and local):
                raise ValueError(f"`{pair}` is not SLACK_ID:unix_user (e.g. U012ABC:alice)")
        return value

    @property
    def docker_group_users(self) -> frozenset[str]:
        return frozenset(_items(self.chatops_docker_group_users))

    @property
    def allowed_channels(self) -> frozenset[str]:
        return frozenset(_items(self.chatops_allowed_channels))

    @property
    def user_map(self) -> dict[str, str]:
        return dict(pair.partition(":")[::2] for pair in _items(self.chatops_user_map))

    @property
    def notify_events(self) -> frozenset[str]:
        return frozenset(_items(self.chatops_notify_events))

    def notify_filter(self, which: str) -> tuple[str, ...]:
        """One of the CHATOPS_NOTIFY_INCLUDE_*/EXCLUDE_* lists, e.g. `include_names`."""
        return tuple(_items(str(getattr(self, f"chatops_notify_{which}"))))

    @property
    def has_slack(self) -> bool:
        return self.slack_bot_token is not None


def _items(value: str) -> list[str]:
    """Comma-separated settings, spaces forgiven."""
    return [item.strip() for item in value.split(",") if item.strip()]
