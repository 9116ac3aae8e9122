"""Builds the bolt App: `/docker`, the Confirm/Cancel buttons. No business logic: it acks and hands off."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from bot.conversation import Conversation
from bot.dispatch import Dispatcher, Invocation
from bot.settings import Settings
from bot.slack_render import CANCEL_ACTION, CONFIRM_ACTION

log = logging.getLogger(__name__)

SLASH_COMMAND = "/docker"


def web_client(settings: Settings) -> WebClient:
    """Every Slack call goes to SLACK_API_URL, and 429s are retried after Retry-After."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return WebClient(
        token=token,
        base_url=settings.slack_api_url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=3), ConnectionErrorRetryHandler()],
    )


def build_app(settings: Settings, dispatcher: Dispatcher, client: WebClient) -> App:
    secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
    app = App(
        client=client,
        signing_secret=secret,
        # Listeners only ack and hand off, but give them their own threads so acks never queue behind work.
        listener_executor=ThreadPoolExecutor(max_workers=16, thread_name_prefix="ack"),
    )
    workers = ThreadPoolExecutor(max_workers=settings.chatops_workers, thread_name_prefix="work")
    conversation = Conversation(dispatcher, client, workers, ephemeral_reads=settings.chatops_ephemeral_reads)
    register(app, conversation)
    return app


def register(app: App, conversation: Conversation) -> None:
    @app.command(SLASH_COMMAND)
    def on_command(ack: Ack, command: dict[str, Any]) -> None:
        ack()
        invocation = Invocation(
            command.get("text", ""), command["user_id"], command["channel_id"], command.get("user_name", "")
        )
        conversation.command(invocation, command["response_url"])

    @app.action(CONFIRM_ACTION)
    def on_confirm(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        conversation.confirm(action["value"], _clicker(body), body["response_url"])

    @app.action(CANCEL_ACTION)
    def on_cancel(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        conversation.cancel(action["value"], _clicker(body), body["response_url"])

    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> None:
        log.error("unhandled Slack request (type %s): %s", body.get("type"), error)


def _clicker(body: dict[str, Any]) -> Invocation:
    """Who pressed a button, where: the pipeline checks them again, not the one who asked."""
    channel = (body.get("channel") or {}).get("id", "")
    user = body["user"]
    return Invocation("(confirmation)", user["id"], channel, user.get("username") or user.get("name", ""))
