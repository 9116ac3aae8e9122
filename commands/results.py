"""What commands return: plain data that any front end (Slack, console) can render.

Kept free of formatting decisions beyond strings in cells, so `bot/render.py` alone decides how a table
looks in Slack and in a terminal.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Table:
    """Rows of cells under column headings."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    title: str = ""
    empty: str = "Nothing to show."


@dataclass(frozen=True)
class Text:
    """Free text; `monospace` for output that must keep its layout (logs); `filename` if it is uploaded."""

    body: str
    title: str = ""
    monospace: bool = False
    filename: str = "output.txt"


@dataclass(frozen=True)
class Target:
    """One thing a destructive command will touch."""

    kind: str
    id: str
    name: str
    detail: str = ""
    size: int = 0
    refs: tuple[str, ...] = ()
    """How to name it to the engine when the id alone would not do (an image's tags)."""


@dataclass(frozen=True)
class Outcome:
    """What a state-changing command did: a summary, per-target failures, and what it changed (for the
    audit trail and the team channel)."""

    summary: str
    failures: tuple[str, ...] = ()
    changed: tuple[Target, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.failures


Result = Table | Text | Outcome


@dataclass(frozen=True)
class Skipped:
    """A thing the command matched but will leave alone, with the reason."""

    target: Target
    reason: str


@dataclass(frozen=True)
class Plan:
    """Exactly what a destructive command will touch, shown before it touches anything."""

    action: str
    targets: tuple[Target, ...]
    skipped: tuple[Skipped, ...] = ()
    reclaim_bytes: int | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def empty(self) -> bool:
        return not self.targets
