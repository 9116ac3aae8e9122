"""The Slack side of one command: run it on our worker pool, then answer through its response_url.

Slack needs an ack within 3 s, so the listener only acks and hands the work here. A response_url takes at
most 5 posts, so progress updates (pull) are paced to one a second and capped, leaving room for the answer.
"""

from __future__ import annotations

import logging
from concurrent.futures import Executor
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from bot import messages
from bot.dispatch import Answer, Dispatcher, Invocation, Reply
from bot.progress import Throttled
from bot.slack_render import Message, Upload, escape, render, with_note
from commands import CATALOG, Access

log = logging.getLogger(__name__)

RESPONSE_URL_USES = 5
PROGRESS_UPDATES = RESPONSE_URL_USES - 2


class Responder:
    """Posts to one response_url, counting uses so the final answer always has one left."""

    def __init__(self, url: str) -> None:
        self._client = WebhookClient(url, retry_handlers=[RateLimitErrorRetryHandler(), ConnectionErrorRetryHandler()])
        self.uses = 0

    def send(self, message: Message, *, replace: bool = False) -> None:
        self.uses += 1
        body = {**message, "replace_original": replace} if replace else message
        try:
            response = self._client.send_dict(body)
        except Exception:
            log.exception("posting to response_url failed")
            return
        if response.status_code != 200:
            log.error("response_url answered %s: %s", response.status_code, response.body)

    def progress(self, line: str) -> None:
        if self.uses < PROGRESS_UPDATES:
            # the first post has no original to replace yet: it becomes the message later posts update
            message = {"response_type": "in_channel", "text": f":hourglass_flowing_sand: {escape(line)}"}
            self.send(message, replace=self.uses > 0)


class Conversation:
    """Runs commands and confirmations for Slack, on our own pool so acks never wait for work."""

    def __init__(self, dispatcher: Dispatcher, client: WebClient, pool: Executor, *, ephemeral_reads: bool) -> None:
        self.dispatcher = dispatcher
        self.client = client
        self.pool = pool
        self.ephemeral_reads = ephemeral_reads

    def command(self, invocation: Invocation, response_url: str) -> None:
        self.pool.submit(self._guarded, self._run_command, invocation, Responder(response_url))

    def confirm(self, token: str, invocation: Invocation, response_url: str) -> None:
        self.pool.submit(self._guarded, self._run_decision, token, True, invocation, Responder(response_url))

    def cancel(self, token: str, invocation: Invocation, response_url: str) -> None:
        self.pool.submit(self._guarded, self._run_decision, token, False, invocation, Responder(response_url))

    def _guarded(self, work: Any, *args: Any) -> None:
        """A worker must never die silently: log anything unexpected with its context."""
        try:
            work(*args)
        except Exception:
            log.exception("slack work failed: %s", work.__name__)

    def _run_command(self, invocation: Invocation, responder: Responder) -> None:
        progress = Throttled(responder.progress)
        reply = self.dispatcher.handle(invocation, progress=progress)
        self._deliver(reply, invocation, responder, replace=responder.uses > 0)

    def _run_decision(self, token: str, confirmed: bool, invocation: Invocation, responder: Responder) -> None:
        decide = self.dispatcher.confirm if confirmed else self.dispatcher.cancel
        reply = decide(token, invocation)
        if isinstance(reply, Answer):
            self._deliver(reply, invocation, responder, replace=True)
        else:
            self._deliver(reply, invocation, responder)

    def _deliver(self, reply: Reply, invocation: Invocation, responder: Responder, *, replace: bool = False) -> None:
        out = render(reply, invocation)
        if isinstance(out, Upload):
            out = self._upload(out, invocation)
        if self._private(reply):
            out = {**out, "response_type": "ephemeral"}
        responder.send(out, replace=replace)

    def _upload(self, upload: Upload, invocation: Invocation) -> Message:
        """Long output goes to the channel as a file; the message then just points at it."""
        try:
            self.client.files_upload_v2(
                channel=invocation.channel,
                filename=upload.filename,
                content=upload.content,
                title=upload.filename,
                snippet_type="text",
            )
        except SlackApiError as err:
            log.error("file upload of %s failed: %s", upload.filename, err.response.get("error"))
            return with_note(upload.message, messages.upload_failed(str(err.response.get("error"))))
        return upload.message

    def _private(self, reply: Reply) -> bool:
        if not (self.ephemeral_reads and isinstance(reply, Answer)):
            return False
        command = CATALOG.get(tuple(reply.command.split()))
        return command is not None and command.access is Access.READ
