"""Posts to one Slack channel at Slack's pace: about one message a second, a burst folded into one summary.

Callers never wait and never see a Slack error: messages are queued and sent by one thread; a failure is
logged with what it was about and the message is dropped (Slack itself retries 429s, see `bot.app`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient

from bot import messages
from bot.render import table_text
from bot.slack_render import code_sections, escape
from commands.results import Table

log = logging.getLogger(__name__)

Block = dict[str, Any]
Render = Callable[[], tuple[str, list[Block]]]
MAX_SUMMARY_SECTIONS = 40
"""A summary stays under Slack's 50 blocks; rows past it are cut (a burst that big is read in `ps`)."""


@dataclass
class _Item:
    key: str | None
    render: Render
    """Called by the sender right before sending: details are read only for what is sent on its own."""
    row: tuple[str, ...] | None
    arrived: float
    update_of: str | None = None  # the ts of the message this replaces, when it was already posted


@dataclass
class _Burst:
    ts: str
    rows: list[tuple[str, ...]]
    sent: float


@dataclass
class _Single:
    key: str
    ts: str
    row: tuple[str, ...]
    sent: float


@dataclass(frozen=True)
class Summary:
    """How folded messages are shown: the table's headings (each message gives one row)."""

    columns: tuple[str, ...]


class ChannelPoster:
    """A paced, folding, never-raising writer to one channel; `start()` it, `close()` it."""

    def __init__(
        self,
        client: WebClient,
        channel: str,
        summary: Summary,
        *,
        interval: float = 1.0,
        gather: float = 0.1,
        max_wait: float = 2.0,
        fold_at: int = 3,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.channel = channel
        self._client = client
        self._summary = summary
        self._interval = interval
        self._gather = gather
        self._max_wait = max_wait
        self._fold_at = fold_at
        self._clock = clock
        self._queue: list[_Item] = []
        self._posted: dict[str, str] = {}  # key -> ts of its message
        self._last_sent = float("-inf")
        self._burst: _Burst | None = None  # the summary message of the burst going on, if any
        self._single: _Single | None = None  # the last message sent on its own: a burst may begin with it
        self._closed = False
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._run, name=f"channel-{channel}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def close(self, timeout: float = 5.0) -> None:
        """Stop sending (what is still queued is dropped) and wait for the sender thread."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def post(self, text: str, blocks: list[Block]) -> None:
        """Queue a message of its own (never folded into a summary)."""
        self._enqueue(_Item(None, lambda: (text, blocks), None, self._clock()))

    def show(self, key: str, row: tuple[str, ...], render: Render) -> None:
        """Queue the message for `key`: the first time a new message, later an update of that message.

        `row` is this message's line in a summary table, when a burst is folded; `render` makes the message
        itself when it is sent alone (in the sender thread, so slow details never hold a burst apart).
        """
        self._enqueue(_Item(key, render, row, self._clock()))

    def _enqueue(self, item: _Item) -> None:
        with self._changed:
            if item.key is not None:
                waiting = next((q for q in self._queue if q.key == item.key), None)
                if waiting is not None:  # not sent yet: send the newest content instead, in the same place
                    waiting.render, waiting.row = item.render, item.row
                    return
            self._queue.append(item)
            self._changed.notify_all()

    # -- the sender thread ------------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            batch = self._next_batch()
            if batch is None:
                return
            try:
                self._send(batch)
            except Exception:  # the sender must survive anything: a lost message beats a dead channel
                log.exception("notify: could not send to %s: %r", self.channel, batch[0].key or batch[0].row)
            with self._changed:
                self._last_sent = self._clock()

    def _next_batch(self) -> list[_Item] | None:
        """Wait until Slack's pace allows a message and a burst has had time to gather, then take it."""
        with self._changed:
            while True:
                if self._closed:
                    return None
                if self._queue:
                    first, last = self._queue[0].arrived, self._queue[-1].arrived
                    ready = max(self._last_sent + self._interval, min(last + self._gather, first + self._max_wait))
                    wait = ready - self._clock()
                    if wait <= 0:
                        return self._take()
                    self._changed.wait(wait)
                else:
                    self._changed.wait()

    def _take(self) -> list[_Item]:
        for queued in self._queue:  # decided now, not when queued: the first post may have been in flight
            queued.update_of = self._posted.get(queued.key) if queued.key is not None else None
        foldable = [q for q in self._queue if q.row is not None and q.update_of is None]
        if foldable and (self._open_burst() is not None or len(foldable) >= self._fold_at):
            self._queue = [q for q in self._queue if q not in foldable]
            return foldable
        return [self._queue.pop(0)]

    def _send(self, batch: list[_Item]) -> None:
        if batch[0].row is not None and (len(batch) > 1 or self._open_burst() is not None):
            self._send_summary(batch)
            return
        item = batch[0]
        text, blocks = item.render()
        if item.update_of is not None:
            self._call(text=text, blocks=blocks, ts=item.update_of)
            if self._single is not None and self._single.ts == item.update_of:
                self._single = None  # it has a story of its own now (a restart loop): keep it apart
            return
        ts = self._call(text=text, blocks=blocks)
        if item.key is not None and ts is not None:
            with self._changed:
                self._posted[item.key] = ts
        if item.key is not None and item.row is not None and ts is not None:
            self._single = _Single(item.key, ts, item.row, self._clock())

    def _send_summary(self, batch: list[_Item]) -> None:
        """A burst is one message: what arrives while it goes on is added to it rather than posted anew."""
        rows = [item.row for item in batch if item.row is not None]
        burst = self._open_burst() or self._opening_single()
        if burst is not None:
            rows = [*burst.rows, *rows]
        text, blocks = self._summary_message(rows)
        ts = self._call(text=text, blocks=blocks, ts=burst.ts) if burst else self._call(text=text, blocks=blocks)
        self._burst = _Burst(ts, rows, self._clock()) if ts else None

    def _opening_single(self) -> _Burst | None:
        """The message sent alone just before a burst formed: on a loaded host the first of 20 exits can
        arrive a gather window early, and it belongs to the burst's one message, not a message of its own."""
        single, self._single = self._single, None
        if single is None or self._clock() - single.sent >= self._max_wait:
            return None
        with self._changed:
            self._posted.pop(single.key, None)  # its message becomes the summary: never update it as its own
        return _Burst(single.ts, [single.row], single.sent)

    def _open_burst(self) -> _Burst | None:
        """The last summary, while its burst may still be going on (a few gather windows later)."""
        burst = self._burst
        return burst if burst is not None and self._clock() - burst.sent < self._max_wait * 2 else None

    def _summary_message(self, rows: list[tuple[str, ...]]) -> tuple[str, list[Block]]:
        heading = messages.notify_burst(len(rows))
        listing = code_sections(table_text(Table(self._summary.columns, tuple(rows))))[:MAX_SUMMARY_SECTIONS]
        return heading, [{"type": "section", "text": {"type": "mrkdwn", "text": f"*{escape(heading)}*"}}, *listing]

    def _call(self, **arguments: Any) -> str | None:
        """chat.update when `ts` is given, else chat.postMessage; a refusal is logged and swallowed."""
        method = "chat.update" if "ts" in arguments else "chat.postMessage"
        call = self._client.chat_update if "ts" in arguments else self._client.chat_postMessage
        try:
            response = call(channel=self.channel, **arguments)
        except Exception as err:  # SlackApiError, connection errors, anything: logged, never raised
            log.warning("notify: %s to %s failed (%s): %r", method, self.channel, err, arguments["text"][:80])
            return None
        return str(response.get("ts", "")) or None
