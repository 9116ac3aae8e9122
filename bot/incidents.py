"""Folds the engine's event stream into incidents: one thing that happened to a container, told once.

Pure logic, no I/O, time taken from the events themselves, so it is unit-tested without an engine. What the
engine emits (DESIGN.md §5): `docker stop` is `kill` → `die` → `stop`; an OOM kill is `oom` → `die` (137),
though here the `oom` sometimes comes just after the `die` (then the crash already told is corrected);
a restart policy is `die` → `start` again and again. dockbot's own stop/restart/rm are *claimed* first
(`Context.claim`), so their events become one "who did what" incident instead of a crash.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from commands.models import EngineEvent

NS = 1_000_000_000
KINDS = frozenset({"exit", "oom", "health", "restart-loop", "stop", "dockbot"})
"""What CHATOPS_NOTIFY_EVENTS can name; `stop` (stopped or killed from outside dockbot) is off by default."""
DEFAULT_KINDS = frozenset(KINDS - {"stop"})
KILL_WINDOW_NS = 120 * NS
"""A `die` this soon after a `kill` is the end of that stop/kill, not a crash (stop timeouts are shorter)."""
OOM_WINDOW_NS = 5 * NS
CLAIM_TTL_NS = 300 * NS
_TERMINAL = {"stop": ("stop", "die"), "restart": ("restart",), "rm": ("destroy",)}
"""The event that ends a claimed action; the ones before it (`kill`, `die`...) are part of it."""


@dataclass(frozen=True)
class Incident:
    """What the channel is told. Incidents with the same `key` are one message: later ones update it."""

    key: str
    kind: str  # exit | oom | restart-loop | unhealthy | healthy | stop | dockbot
    container_id: str
    name: str
    image: str
    at_ns: int
    exit_code: int | None = None
    signal: str = ""
    count: int = 1
    span_ns: int = 0
    user: str = ""
    verb: str = ""
    names: tuple[str, ...] = ()


@dataclass
class _Claim:
    number: int
    user: str
    verb: str
    expires_ns: int
    done: list[str] = field(default_factory=list)


@dataclass
class _Crashes:
    key: str
    first_ns: int
    last_ns: int
    count: int


@dataclass
class Folder:
    """Turns events into incidents; `kinds` is what to tell, the restart loop is `loop_count` in `loop_ns`."""

    kinds: frozenset[str] = DEFAULT_KINDS
    loop_count: int = 3
    loop_ns: int = 10 * 60 * NS
    _claims: dict[str, _Claim] = field(default_factory=dict)
    _claim_numbers: int = 0
    _kills: dict[str, tuple[int, str]] = field(default_factory=dict)
    _ooms: dict[str, int] = field(default_factory=dict)
    _died_at: dict[str, int] = field(default_factory=dict)
    _crashes: dict[str, _Crashes] = field(default_factory=dict)
    _unhealthy: set[str] = field(default_factory=set)

    def claim(self, user: str, verb: str, container_ids: tuple[str, ...], now_ns: int) -> None:
        """dockbot is about to `verb` these containers for `user`: their next events are that action."""
        self._claim_numbers += 1
        claim = _Claim(self._claim_numbers, user, verb, now_ns + CLAIM_TTL_NS)
        for container_id in container_ids:
            self._claims[container_id] = claim

    def fold(self, event: EngineEvent) -> list[Incident]:
        """The incidents this event completes or changes (usually none)."""
        if event.type != "container":
            return []
        claim = self._claims.get(event.id)
        if claim is not None and claim.expires_ns < event.time_ns:
            del self._claims[event.id]
            claim = None
        if claim is not None:
            return self._claimed(event, claim)
        action = event.action
        if action == "kill":
            self._kills[event.id] = (event.time_ns, event.attributes.get("signal", ""))
        elif action == "oom":
            died = self._died_at.get(event.id)
            if died is not None and event.time_ns - died <= OOM_WINDOW_NS:
                return self._late_oom(event, died)
            self._ooms[event.id] = event.time_ns
        elif action == "die":
            return self._died(event)
        elif action.startswith("health_status"):
            return self._health(event, action.partition(":")[2].strip())
        elif action == "destroy":
            self._forget(event.id)
        return []

    def _claimed(self, event: EngineEvent, claim: _Claim) -> list[Incident]:
        if event.action not in _TERMINAL.get(claim.verb, ()) or event.name in claim.done:
            return []
        del self._claims[event.id]
        if claim.verb == "rm":
            self._forget(event.id)
        claim.done.append(event.name)
        if "dockbot" not in self.kinds:
            return []
        names = tuple(claim.done)
        return [_incident(event, f"claim:{claim.number}", "dockbot", user=claim.user, verb=claim.verb, names=names)]

    def _died(self, event: EngineEvent) -> list[Incident]:
        code = _exit_code(event)
        self._died_at[event.id] = event.time_ns
        killed = self._kills.pop(event.id, None)
        oom = self._ooms.pop(event.id, None)
        if oom is not None and event.time_ns - oom <= OOM_WINDOW_NS:
            return self._crashed(event, "oom", code)
        if killed is not None and event.time_ns - killed[0] <= KILL_WINDOW_NS:
            if "stop" not in self.kinds:
                return []
            return [_incident(event, f"stop:{event.id}:{event.time_ns}", "stop", exit_code=code, signal=killed[1])]
        if code in (0, None):
            return []
        return self._crashed(event, "exit", code)

    def _crashed(self, event: EngineEvent, kind: str, code: int | None) -> list[Incident]:
        """A crash; crashes of one container close together are one message, a restart loop past a count."""
        previous = self._crashes.get(event.id)
        looping = "restart-loop" in self.kinds
        if looping and previous is not None and event.time_ns - previous.last_ns <= self.loop_ns:
            crashes = replace(previous, last_ns=event.time_ns, count=previous.count + 1)
        else:
            crashes = _Crashes(f"{kind}:{event.id}:{event.time_ns}", event.time_ns, event.time_ns, 1)
        self._crashes[event.id] = crashes
        if looping and crashes.count >= self.loop_count:
            span = crashes.last_ns - crashes.first_ns
            return [_incident(event, crashes.key, "restart-loop", exit_code=code, count=crashes.count, span_ns=span)]
        if kind not in self.kinds:
            return []
        return [_incident(event, crashes.key, kind, exit_code=code, count=crashes.count)]

    def _late_oom(self, event: EngineEvent, died: int) -> list[Incident]:
        """The `oom` came after its `die`: the crash already told becomes an OOM kill (same message)."""
        crashes = self._crashes.get(event.id)
        if crashes is None or crashes.last_ns != died or "oom" not in self.kinds:
            return []
        if "restart-loop" in self.kinds and crashes.count >= self.loop_count:
            return []  # the loop message stays what it is
        oom = _incident(event, crashes.key, "oom", exit_code=137, count=crashes.count)
        return [replace(oom, at_ns=died)]

    def _health(self, event: EngineEvent, status: str) -> list[Incident]:
        if status == "unhealthy" and event.id not in self._unhealthy:
            self._unhealthy.add(event.id)
            kind = "unhealthy"
        elif status == "healthy" and event.id in self._unhealthy:
            self._unhealthy.discard(event.id)
            kind = "healthy"
        else:
            return []
        if "health" not in self.kinds:
            return []
        return [_incident(event, f"{kind}:{event.id}:{event.time_ns}", kind)]

    def _forget(self, container_id: str) -> None:
        """A removed container's state goes with it, so memory stays bounded by the live containers."""
        for table in (self._kills, self._ooms, self._died_at, self._crashes):
            table.pop(container_id, None)
        self._unhealthy.discard(container_id)


def _exit_code(event: EngineEvent) -> int | None:
    code = event.attributes.get("exitCode", "")
    return int(code) if code.lstrip("-").isdigit() else None


def _incident(event: EngineEvent, key: str, kind: str, **details: Any) -> Incident:
    return replace(Incident(key, kind, event.id, event.name, event.image, event.time_ns), **details)
