"""The shape every command shares: its words, its arguments (declared once, read by parser and help), its run.

A command is a frozen pydantic model: the parser turns tokens into field values, pydantic validates them,
and `run` executes against an `Engine`. Argument metadata rides on the fields as `Arg` (positional) or `Opt`
(flag), so usage lines and help are generated from the very definitions the parser uses.
"""

from __future__ import annotations

import functools
import typing
from abc import abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar, Protocol

from pydantic import BaseModel, ConfigDict

from commands.results import Outcome, Plan, Result, Table

if TYPE_CHECKING:
    from commands.engine import Engine
    from commands.presets import Presets

Progress = Callable[[str], None]
Claim = Callable[[str, tuple[str, ...]], None]


def no_progress(_: str) -> None:
    """Default progress sink: commands report progress, front ends choose whether to show it."""


def no_claim(verb: str, container_ids: tuple[str, ...]) -> None:
    """Default claim sink: nobody needs to tell this command's effects from a crash."""


class History(Protocol):
    """Where the front end keeps its record of commands (the audit trail), as `audit` shows it."""

    def recent(self, *, last: int, user: str | None = None) -> Table: ...


@dataclass(frozen=True)
class Context:
    """What a running command may use: the engine, the presets, the commands this caller may see."""

    engine: Engine
    presets: Presets
    visible: tuple[type[Command], ...] = ()
    progress: Progress = no_progress
    claim: Claim = no_claim
    """Called with a verb and container ids right before the engine is asked to change them, so a front
    end can tell its own stops and removals from crashes in the engine's event stream."""
    history: History | None = None
    own_container: str | None = None
    """The id of the container dockbot itself runs in, if any: it never stops or removes itself."""


class Access(StrEnum):
    """What a command needs, mirroring docker: reading state, reading what only members may see, changing."""

    READ = "read"
    MEMBER = "member"
    WRITE = "write"


@dataclass(frozen=True)
class Arg:
    """Marks a field as a positional argument."""

    metavar: str
    help: str = ""


@dataclass(frozen=True)
class Opt:
    """Marks a field as a flag; without `metavar` it is a switch that takes no value."""

    names: tuple[str, ...]
    help: str = ""
    metavar: str = ""


@dataclass(frozen=True)
class Param:
    """A field together with its argument metadata, as the parser and help see it."""

    field: str
    spec: Arg | Opt
    repeated: bool
    required: bool

    @property
    def label(self) -> str:
        if isinstance(self.spec, Arg):
            return self.spec.metavar + ("..." if self.repeated else "")
        return self.spec.names[0]


class Command(BaseModel):
    """A parsed, validated command, ready to run."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    words: ClassVar[tuple[str, ...]]
    aliases: ClassVar[tuple[tuple[str, ...], ...]] = ()
    summary: ClassVar[str]
    access: ClassVar[Access] = Access.READ
    destructive: ClassVar[bool] = False
    claims: ClassVar[bool] = False
    """Whether it calls `Context.claim` before changing containers (stop, restart, rm, cleanup)."""

    @classmethod
    def command_name(cls) -> str:
        return " ".join(cls.words)

    @classmethod
    @functools.cache
    def params(cls) -> tuple[Param, ...]:
        """Argument metadata in declaration order (read once per class: type hints are slow to resolve)."""
        found = []
        hints = typing.get_type_hints(cls)
        for name, info in cls.model_fields.items():
            spec = next((m for m in info.metadata if isinstance(m, Arg | Opt)), None)
            if spec is None:
                continue
            repeated = typing.get_origin(hints[name]) in (list, tuple)
            found.append(Param(name, spec, repeated, info.is_required()))
        return tuple(found)

    @classmethod
    def usage(cls) -> str:
        """The one-line usage, docker style: `logs CONTAINER [--tail N] [--since WHEN] [-t]`."""
        parts = [cls.command_name()]
        for param in cls.params():
            spec = param.spec
            if isinstance(spec, Opt):
                text = f"{spec.names[0]} {spec.metavar}" if spec.metavar else spec.names[0]
                parts.append(f"[{text}]" + ("..." if param.repeated else ""))
            else:
                parts.append(param.label if param.required else f"[{param.label}]")
        return " ".join(parts)

    @abstractmethod
    def run(self, ctx: Context) -> Result:
        """Do the work against the engine and describe the result."""


class DestructiveCommand(Command):
    """A command that removes things: it plans first, then touches exactly the planned set."""

    access: ClassVar[Access] = Access.WRITE
    destructive: ClassVar[bool] = True

    @abstractmethod
    def plan(self, ctx: Context) -> Plan:
        """Find exactly what would be touched, touching nothing."""

    @abstractmethod
    def execute(self, ctx: Context, plan: Plan) -> Outcome:
        """Touch exactly the planned targets, nothing found since."""

    def run(self, ctx: Context) -> Result:
        return self.execute(ctx, self.plan(ctx))
