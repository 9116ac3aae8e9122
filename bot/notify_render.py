"""Incidents → the Slack message the team channel reads (text, blocks, and a row for burst summaries).

The details that make a crash actionable (how long it ran, its last log lines) are read from the engine
here; log lines are trimmed to Slack's limits and every environment value of the container is masked, so a
notification never carries a secret the container printed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot import messages
from bot.incidents import NS, Incident
from bot.slack_render import code_sections, escape
from commands.engine import Engine, parse_time
from commands.errors import CommandError

Block = dict[str, Any]
SUMMARY_COLUMNS = ("CONTAINER", "IMAGE", "WHAT", "EXIT")
LINE_LIMIT = 300
LOG_BUDGET = 2000
MIN_SECRET = 4
"""Environment values shorter than this are not masked: `1` or `on` would blank half of every line."""
_CRASHES = frozenset({"exit", "oom", "restart-loop"})
_WHAT = {
    "exit": "exited",
    "oom": "out of memory",
    "unhealthy": "unhealthy",
    "healthy": "healthy again",
    "stop": "stopped",
}


@dataclass(frozen=True)
class Details:
    """What the engine still knows about a crashed container."""

    ran_seconds: float | None = None
    log_lines: tuple[str, ...] = ()
    oom_killed: bool = False


def details(engine: Engine, incident: Incident, lines: int) -> Details:
    """Run time and the last `lines` log lines of a crash; nothing for other incidents or a vanished one."""
    if incident.kind not in _CRASHES or lines <= 0:
        return Details()
    try:
        data = engine.inspect_container(incident.container_id)
        raw, _ = engine.logs(incident.container_id, tail=lines)
    except CommandError:
        return Details()
    started = parse_time(str(data.get("State", {}).get("StartedAt", "")) or "0001-01-01T00:00:00Z")
    died = datetime.fromtimestamp(incident.at_ns / NS, UTC)
    ran = (died - started).total_seconds() if started <= died and started.year > 1 else None
    secrets = [v for v in _env_values(data) if len(v) >= MIN_SECRET]
    oom = bool(data.get("State", {}).get("OOMKilled"))
    return Details(ran, trimmed(raw.decode("utf-8", "replace"), secrets, lines), oom)


def trimmed(log: str, secrets: list[str], lines: int) -> tuple[str, ...]:
    """The last `lines` lines, each cut to LINE_LIMIT, all within LOG_BUDGET, secrets replaced by ***."""
    kept: list[str] = []
    budget = LOG_BUDGET
    for line in reversed(log.rstrip("\n").splitlines()[-lines:]):
        for secret in sorted(secrets, key=len, reverse=True):
            line = line.replace(secret, "***")
        line = line if len(line) <= LINE_LIMIT else line[: LINE_LIMIT - 1] + "…"
        budget -= len(line) + 1
        if budget < 0:
            break
        kept.append(line)
    return tuple(reversed(kept))


def message(incident: Incident, found: Details) -> tuple[str, list[Block]]:
    """(fallback text, blocks) for one incident told on its own."""
    name, image = escape(incident.name), escape(incident.image)
    ran = duration(found.ran_seconds) if found.ran_seconds is not None else ""
    kind = "oom" if incident.kind == "exit" and found.oom_killed else incident.kind
    if kind == "restart-loop":
        span = duration(incident.span_ns / NS)
        text = messages.notify_restart_loop(name, image, incident.count, span, incident.exit_code)
    elif kind == "oom":
        text = messages.notify_oom(name, image, ran)
    elif kind == "exit":
        text = messages.notify_exit(name, image, incident.exit_code, ran)
    elif kind == "unhealthy":
        text = messages.notify_unhealthy(name, image)
    elif kind == "healthy":
        text = messages.notify_healthy(name, image)
    elif kind == "stop":
        text = messages.notify_stopped(name, image, incident.signal, incident.exit_code)
    else:
        text = messages.notify_action(incident.user, incident.verb, [escape(n) for n in incident.names])
    blocks: list[Block] = [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    if found.log_lines:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": messages.notify_log_tail()}]})
        blocks += code_sections("\n".join(found.log_lines))
    return text, blocks


def summary_row(incident: Incident) -> tuple[str, ...]:
    """The incident's line in a burst's summary table (no details: a burst is read at a glance)."""
    what = _WHAT.get(incident.kind, incident.kind)
    if incident.kind == "restart-loop":
        what = f"restart loop ({incident.count}x)"
    elif incident.kind == "dockbot":
        what = f"{incident.verb} by dockbot"
    code = "" if incident.exit_code is None else str(incident.exit_code)
    return (incident.name, incident.image, what, code)


def duration(seconds: float) -> str:
    """`850 ms`, `12 s`, `3 min 5 s`, `2 h 10 min`, `3 d 4 h`: precise where short, rough where long."""
    if seconds < 1:
        return f"{int(seconds * 1000)} ms"
    whole = int(seconds)
    for big, small, size, unit in (("d", "h", 86400, 3600), ("h", "min", 3600, 60), ("min", "s", 60, 1)):
        if whole >= size:
            rest = (whole % size) // unit
            return f"{whole // size} {big}" + (f" {rest} {small}" if rest else "")
    return f"{whole} s"


def _env_values(data: dict[str, Any]) -> list[str]:
    env = (data.get("Config") or {}).get("Env") or []
    return [str(item).partition("=")[2] for item in env]
