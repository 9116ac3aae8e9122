"""Commands about dockbot itself and its configuration: run a preset, list presets, version, help."""

from __future__ import annotations

import platform
import re
from importlib.metadata import version as package_version
from typing import Annotated, ClassVar

from pydantic import Field, field_validator

from commands.base import Access, Arg, Command, Context, Opt
from commands.compose import to_spec
from commands.errors import CommandError, UsageError
from commands.results import Outcome, Result, Table, Target, Text

_CONTAINER_NAME = r"^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$"


class Run(Command):
    words = ("run",)
    aliases = (("container", "run"),)
    summary = "Start a container from a preset (see `presets`)"
    access: ClassVar[Access] = Access.WRITE

    preset: Annotated[str, Arg("PRESET")]
    name: Annotated[str | None, Opt(("--name",), "container name (default: the preset's)", "NAME")] = None

    @field_validator("name")
    @classmethod
    def _valid_name(cls, name: str | None) -> str | None:
        if name is not None and not re.match(_CONTAINER_NAME, name):
            raise ValueError("a container name uses letters, digits and _ . - only")
        return name

    def run(self, ctx: Context) -> Result:
        spec = to_spec(self.preset, ctx.presets.get(self.preset), base=ctx.presets.base, container_name=self.name)
        container_id = ctx.engine.create_and_start(spec)
        started = Target("container", container_id, spec.name, f"preset {self.preset}")
        return Outcome(f"Started {spec.name} ({container_id[:12]}) from preset {self.preset}.", changed=(started,))


class PresetList(Command):
    words = ("presets",)
    summary = "List the presets `run` can start"

    def run(self, ctx: Context) -> Result:
        rows = []
        for name in ctx.presets.names():
            service = ctx.presets.get(name)
            ports = ", ".join(str(p) for p in service.ports)
            rows.append((name, service.image, ports, ", ".join(service.volumes)))
        return Table(
            ("PRESET", "IMAGE", "PORTS", "VOLUMES"),
            tuple(rows),
            empty="No presets configured (set CHATOPS_PRESETS_FILE to a Compose file).",
        )


class AuditLog(Command):
    words = ("audit",)
    summary = "Recent commands: who ran what, and what happened"
    access: ClassVar[Access] = Access.MEMBER

    last: Annotated[int, Opt(("--last", "-n"), "how many records (newest first)", "N"), Field(ge=1, le=500)] = 20
    user: Annotated[str | None, Opt(("--user", "-u"), "only this person: @name or user id", "USER")] = None

    def run(self, ctx: Context) -> Result:
        if ctx.history is None:
            raise CommandError("No audit trail is kept here.")
        return ctx.history.recent(last=self.last, user=_user_ref(self.user) if self.user else None)


def _user_ref(text: str) -> str:
    """Slack may send a mention as `<@U123|alice>` or `<@U123>`: keep the id; `@alice` stays a name."""
    match = re.fullmatch(r"<@([A-Z0-9]+)(?:\|[^>]*)?>", text)
    return match.group(1) if match else text


class Version(Command):
    words = ("version",)
    summary = "Engine and bot versions"

    def run(self, ctx: Context) -> Result:
        engine = ctx.engine.version()
        rows = (
            ("dockbot", package_version("dockbot")),
            ("Docker engine", str(engine.get("Version", "?"))),
            ("Engine API", str(engine.get("ApiVersion", "?"))),
            ("Engine OS/arch", f"{engine.get('Os', '?')}/{engine.get('Arch', '?')}"),
            ("docker-py", package_version("docker")),
            ("Python", platform.python_version()),
        )
        return Table(("COMPONENT", "VERSION"), rows)


class Help(Command):
    words = ("help",)
    summary = "What you can run here, or the details of one command"

    command: Annotated[tuple[str, ...], Arg("COMMAND")] = ()

    def run(self, ctx: Context) -> Result:
        if not self.command:
            rows = tuple((cls.usage(), cls.summary) for cls in ctx.visible)
            return Table(("COMMAND", "WHAT IT DOES"), rows, title="Commands you can run")
        wanted = tuple(word.lower() for word in self.command)
        for cls in ctx.visible:
            if wanted in (cls.words, *cls.aliases):
                return Text(describe(cls), title=cls.command_name(), monospace=True)
        raise UsageError(f"No command `{' '.join(self.command)}` you can run. Try `help`.")


def describe(cls: type[Command]) -> str:
    """Full help for one command: usage, summary, arguments and flags, aliases."""
    lines = [f"Usage: {cls.usage()}", "", cls.summary]
    params = cls.params()
    if params:
        lines.append("")
    for param in params:
        spec = param.spec
        if isinstance(spec, Opt):
            names = ", ".join(spec.names) + (f" {spec.metavar}" if spec.metavar else "")
            lines.append(f"  {names:<24} {spec.help}")
        else:
            lines.append(f"  {param.label:<24} {spec.help or ('required' if param.required else 'optional')}")
    if cls.aliases:
        lines += ["", "Also: " + ", ".join(" ".join(alias) for alias in cls.aliases)]
    return "\n".join(lines)
