"""An in-memory stand-in for `commands.engine.Engine`: just the calls the dispatch tests reach."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from commands.errors import NotFound
from commands.models import ContainerInfo, ContainerSpec, Failure

T0 = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def container(name: str, state: str = "exited", *, age_hours: float = 1, volumes: int = 0) -> ContainerInfo:
    """A container record as the engine gateway would return it."""
    return ContainerInfo(
        id=(name.encode().hex() + "0" * 64)[:64],
        name=name,
        image="busybox",
        command="sleep 1",
        created=T0 - timedelta(hours=age_hours),
        state=state,
        status="Up 5 minutes" if state == "running" else "Exited (0) 1 minute ago",
        ports="",
        anonymous_volumes=tuple(f"{i:064x}" for i in range(volumes)),
    )


@dataclass
class FakeEngine:
    """Holds containers in a list; records every removal so tests can check exactly what was touched."""

    stored: list[ContainerInfo] = field(default_factory=list)
    removed: list[tuple[list[str], dict[str, Any]]] = field(default_factory=list)
    created: list[ContainerSpec] = field(default_factory=list)
    fail_with: Exception | None = None
    where: str = "fake://engine"

    def containers(
        self, *, all: bool = False, filters: dict[str, list[str]] | None = None, limit: int | None = None
    ) -> list[ContainerInfo]:
        if self.fail_with:
            raise self.fail_with
        wanted = (filters or {}).get("status")
        found = [c for c in self.stored if (all or c.state == "running") and (not wanted or c.state in wanted)]
        return found[:limit] if limit else found

    def find_containers(self, refs: list[str]) -> list[ContainerInfo]:
        found = []
        for ref in refs:
            match = [c for c in self.stored if c.name == ref or c.id.startswith(ref)]
            if not match:
                raise NotFound(f"No such container: {ref}")
            found.append(match[0])
        return found

    def create_and_start(self, spec: ContainerSpec) -> str:
        self.created.append(spec)
        return "f" * 64

    def pull(self, ref: str, on_message: Any = None) -> str:
        for layer, current in (("l1", 10), ("l1", 20), ("l2", 5)):
            if on_message is not None:
                on_message({"id": layer, "status": "Downloading", "progressDetail": {"current": current, "total": 40}})
        return "sha256:" + "d" * 64

    def remove_containers(self, ids: list[str], **options: Any) -> list[Failure]:
        self.removed.append((list(ids), options))
        self.stored = [c for c in self.stored if c.id not in ids]
        return []


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
