"""The team channel's view of the engine: events → filter → fold (`bot.incidents`) → paced channel.

The watcher survives the engine: an events stream ends silently when the daemon restarts, so it reconnects
with backoff from the last event it saw (`since`, inclusive: events already seen at that instant are
skipped), so nothing in the gap is missed or told twice. The engine's buffer holds its last 256 events; a
gap busier than that loses the oldest. An engine down for `down_after` seconds is told once, and its return
once. Containers dockbot stops, restarts or removes are claimed first (`claim`, wired to
`Dispatcher.on_claim`) and told as that action with who did it, never as a crash.
"""

from __future__ import annotations

import fnmatch
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass

from slack_sdk import WebClient

from bot import messages
from bot.channel import ChannelPoster, Summary
from bot.dispatch import Dispatcher, Invocation
from bot.incidents import Folder, Incident
from bot.notify_render import SUMMARY_COLUMNS, details, duration, message, summary_row
from bot.settings import Settings
from commands.engine import Engine, EventStream
from commands.errors import CommandError
from commands.models import EngineEvent

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rules:
    """Which containers the channel hears about, like `docker events --filter`: patterns are globs
    (`web-*`), labels `key` or `key=value`; an include list must match, an exclude list must not."""

    include_names: tuple[str, ...] = ()
    exclude_names: tuple[str, ...] = ()
    include_images: tuple[str, ...] = ()
    exclude_images: tuple[str, ...] = ()
    include_labels: tuple[str, ...] = ()
    exclude_labels: tuple[str, ...] = ()

    def matches(self, event: EngineEvent) -> bool:
        name, image, labels = event.name, event.image, event.attributes
        checks = (
            (self.include_names, self.exclude_names, lambda p: fnmatch.fnmatchcase(name, p)),
            (self.include_images, self.exclude_images, lambda p: fnmatch.fnmatchcase(image, p)),
            (self.include_labels, self.exclude_labels, lambda p: _has_label(labels, p)),
        )
        for include, exclude, hit in checks:
            if include and not any(hit(p) for p in include):
                return False
            if any(hit(p) for p in exclude):
                return False
        return True


class EventWatcher:
    """Reads the engine's events on its own thread and tells the channel; `start()`, then `stop()`."""

    def __init__(
        self,
        engine: Engine,
        poster: ChannelPoster,
        *,
        rules: Rules | None = None,
        folder: Folder | None = None,
        log_lines: int = 5,
        down_after: float = 30.0,
        backoff: tuple[float, float] = (0.2, 10.0),
    ) -> None:
        self.engine = engine
        self.poster = poster
        self.rules = rules or Rules()
        self._folder = folder or Folder()
        self._log_lines = log_lines
        self._down_after = down_after
        self._backoff = backoff
        self._since = 0
        self._seen_at_since: set[tuple[str, str]] = set()
        self._stream: EventStream | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="event-watcher", daemon=True)

    def start(self) -> None:
        """Watch from now on (earlier events are history, not news)."""
        self._since = time.time_ns()
        self.poster.start()
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        with self._lock:
            if self._stream is not None:
                self._stream.close()
        self._thread.join(timeout)
        self.poster.close(timeout)

    def claim(self, invocation: Invocation, verb: str, container_ids: tuple[str, ...]) -> None:
        """`Dispatcher.on_claim`: dockbot is about to act on these containers for this person."""
        with self._lock:
            self._folder.claim(invocation.user, verb, container_ids, time.time_ns())

    def _run(self) -> None:
        delay = self._backoff[0]
        lost_at: float | None = None  # when the engine was last seen, while it is gone
        told_down = False
        while not self._stopping.is_set():
            try:
                stream = self.engine.events(since_ns=self._since, filters={"type": ["container"]})
            except CommandError as err:
                lost_at = lost_at or time.monotonic()
                gone = time.monotonic() - lost_at
                log.info("notify: engine unreachable for %.1f s: %s", gone, err.message)
                if not told_down and gone >= self._down_after:
                    self.poster.post(*_plain(messages.engine_down(self.engine.where, duration(gone))))
                    told_down = True
                self._stopping.wait(delay)
                delay = min(delay * 2, self._backoff[1])
                continue
            if told_down and lost_at is not None:
                self.poster.post(*_plain(messages.engine_back(duration(time.monotonic() - lost_at))))
            told_down, lost_at = False, None
            lived = self._consume(stream)
            if self._stopping.is_set():
                return
            lost_at = time.monotonic()
            delay = self._backoff[0] if lived > 10 * self._backoff[1] else delay
            self._stopping.wait(delay)  # the stream ended: the daemon is likely going away; don't spin
            delay = min(delay * 2, self._backoff[1])

    def _consume(self, stream: EventStream) -> float:
        """Handle events until the stream ends or breaks; returns how long it lived (seconds)."""
        opened = time.monotonic()
        with self._lock:
            self._stream = stream
        if self._stopping.is_set():
            stream.close()
        try:
            for event in stream:
                self._handle(event)
        except CommandError as err:
            log.info("notify: %s Reconnecting.", err.message)
        finally:
            with self._lock:
                self._stream = None
        return time.monotonic() - opened

    def _handle(self, event: EngineEvent) -> None:
        ident = (event.id, event.action)
        if event.time_ns < self._since or (event.time_ns == self._since and ident in self._seen_at_since):
            return  # resumed from `since`: told already
        if event.time_ns > self._since:
            self._since, self._seen_at_since = event.time_ns, set()
        self._seen_at_since.add(ident)
        if not self.rules.matches(event):
            return
        try:
            with self._lock:
                incidents = self._folder.fold(event)
            for incident in incidents:
                self._tell(incident)
        except Exception:  # one odd event must not end the watch
            log.exception("notify: could not handle %s %s of %s", event.type, event.action, event.name)

    def _tell(self, incident: Incident) -> None:
        self.poster.show(
            incident.key,
            summary_row(incident),
            lambda: message(incident, details(self.engine, incident, self._log_lines)),
        )


def start_notifications(settings: Settings, dispatcher: Dispatcher, poster: ChannelPoster) -> EventWatcher:
    """The watcher the serving process runs, wired so dockbot's own actions are told as what they were."""
    folder = Folder(
        kinds=settings.notify_events,
        loop_count=settings.chatops_notify_loop_restarts,
        loop_ns=int(settings.chatops_notify_loop_minutes * 60 * 1_000_000_000),
    )
    rules = Rules(
        include_names=settings.notify_filter("include_names"),
        exclude_names=settings.notify_filter("exclude_names"),
        include_images=settings.notify_filter("include_images"),
        exclude_images=settings.notify_filter("exclude_images"),
        include_labels=settings.notify_filter("include_labels"),
        exclude_labels=settings.notify_filter("exclude_labels"),
    )
    watcher = EventWatcher(
        dispatcher.engine, poster, rules=rules, folder=folder, down_after=settings.chatops_notify_down_after_seconds
    )
    dispatcher.on_claim = watcher.claim
    watcher.start()
    return watcher


def channel_poster(settings: Settings, client: WebClient) -> ChannelPoster:
    """The paced writer to CHATOPS_NOTIFY_CHANNEL (also for announcing dockbot's own actions)."""
    return ChannelPoster(client, settings.chatops_notify_channel, Summary(SUMMARY_COLUMNS))


def _has_label(labels: Mapping[str, str], pattern: str) -> bool:
    key, sep, value = pattern.partition("=")
    found = labels.get(key)
    return found is not None and (not sep or found == value)


def _plain(text: str) -> tuple[str, list[dict[str, object]]]:
    return text, [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
