"""Plain records the engine gateway returns, so nothing above it sees docker-py objects or raw dicts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import NamedTuple


class ContainerInfo(NamedTuple):
    """One row of `docker ps`, from the single list request (a NamedTuple: `ps` makes hundreds at once)."""

    id: str
    name: str
    image: str
    command: str
    created: datetime
    state: str
    status: str
    ports: str
    labels: Mapping[str, str] = MappingProxyType({})
    anonymous_volumes: tuple[str, ...] = ()

    @property
    def short_id(self) -> str:
        return self.id[:12]


@dataclass(frozen=True)
class ImageInfo:
    """One image, with every tag it carries (empty for a dangling image)."""

    id: str
    tags: tuple[str, ...]
    size: int
    created: datetime

    @property
    def short_id(self) -> str:
        return self.id.removeprefix("sha256:")[:12]

    @property
    def label(self) -> str:
        return ", ".join(self.tags) if self.tags else f"<none> ({self.short_id})"


@dataclass(frozen=True)
class ContainerSpec:
    """Everything needed to create and start a container, already validated (see `commands.presets`)."""

    image: str
    name: str
    command: list[str] | None = None
    entrypoint: list[str] | None = None
    environment: Mapping[str, str] = field(default_factory=dict)
    ports: Mapping[str, list[tuple[str, int | None]]] = field(default_factory=dict)
    binds: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    named_volumes: tuple[str, ...] = ()
    anonymous_volumes: tuple[str, ...] = ()
    """Container paths that get a fresh anonymous volume (Compose `volumes: [/path]`)."""
    networks: tuple[str, ...] = ()
    restart: Mapping[str, str | int] | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    working_dir: str | None = None
    user: str | None = None
    healthcheck: Mapping[str, object] | None = None
    mem_limit: int | None = None
    nano_cpus: int | None = None


@dataclass(frozen=True)
class Failure:
    """A target the engine refused to act on, with its short reason."""

    target: str
    reason: str


@dataclass(frozen=True)
class EngineEvent:
    """One event of the engine's stream (`docker events`), with the nanosecond time resuming needs."""

    type: str
    action: str
    id: str
    time_ns: int
    attributes: Mapping[str, str] = field(default_factory=dict)
    """The actor's attributes: container labels plus `name`, `image`, and `exitCode` / `signal` where set."""

    @property
    def name(self) -> str:
        return self.attributes.get("name", self.id[:12])

    @property
    def image(self) -> str:
        return self.attributes.get("image", "")
