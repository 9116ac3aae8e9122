"""The one place that reads the environment (and `.env`): every setting of DESIGN.md section 3."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    chatops_notify_channel: str = ""
    chatops_audit_db: Path = Path("dockbot-audit.db")
    chatops_workers: int = Field(default=8, ge=1, le=64)
    chatops_ephemeral_reads: bool = False
    chatops_plan_ttl_seconds: int = Field(default=600, ge=10)

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, token: SecretStr | None) -> SecretStr | None:
        if token is not None and token.get_secret_value() and not token.get_secret_value().startswith("xoxb-"):
            raise ValueError("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
        return token or None

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, token: SecretStr | None) -> SecretStr | None:
        if token is not None and token.get_secret_value() and not token.get_secret_value().startswith("xapp-"):
            raise ValueError("SLACK_APP_TOKEN must be an app-level token starting with xapp-")
        return token or None

    @property
    def has_slack(self) -> bool:
        return self.slack_bot_token is not None
