"""Presets are Compose services: load a Compose file, validate it strictly, turn a service into a spec.

Validation happens once, at load, so a typo in the file is reported with its key, preset and line when
the bot starts, not when somebody types `run` in the middle of an incident.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from commands.errors import PresetError
from commands.humanize import parse_duration
from commands.interpolate import interpolate

PRESET_LABEL = "dockbot.preset"
PORT_MAPPING = re.compile(
    r"^(?:(?P<ip>\d{1,3}(?:\.\d{1,3}){3}):)?(?:(?P<host>\d{1,5})?:)?(?P<container>\d{1,5})(?:/(?P<proto>tcp|udp|sctp))?$"
)
_MEMORY = re.compile(r"^\d+(?:\.\d+)?(?:[kmg]b?|b)?$", re.IGNORECASE)
_RESTART = re.compile(r"^(no|always|unless-stopped|on-failure(:\d+)?)$")
_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _drop_extensions(cls, data: Any) -> Any:
        """Compose allows `x-` extension keys in any mapping; they mean nothing to dockbot."""
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if not str(k).startswith("x-")}
        return data


class Healthcheck(_Strict):
    test: str | list[str] | None = None
    interval: str | None = None
    timeout: str | None = None
    retries: int | None = None
    start_period: str | None = None
    disable: bool = False

    @field_validator("interval", "timeout", "start_period")
    @classmethod
    def _duration(cls, value: str | None) -> str | None:
        if value is not None:
            parse_duration(value)
        return value


class Service(_Strict):
    """One preset: the Compose keys dockbot supports, nothing else."""

    image: str
    container_name: str | None = None
    command: str | list[str] | None = None
    entrypoint: str | list[str] | None = None
    environment: dict[str, str | int | float | bool | None] | list[str] = Field(default_factory=dict)
    env_file: str | list[str] | None = None
    ports: list[str | int] = Field(default_factory=list)
    volumes: list[str] = Field(default_factory=list)
    networks: list[str] | dict[str, dict[str, Any] | None] = Field(default_factory=list)
    restart: str | None = None
    labels: dict[str, str] | list[str] = Field(default_factory=dict)
    working_dir: str | None = None
    user: str | int | None = None
    healthcheck: Healthcheck | None = None
    mem_limit: str | int | None = None
    cpus: float | None = None

    @field_validator("ports")
    @classmethod
    def _ports(cls, ports: list[str | int]) -> list[str | int]:
        for port in ports:
            match = PORT_MAPPING.match(str(port))
            numbers = [n for n in (match.group("host"), match.group("container")) if n] if match else []
            if not match or not all(0 < int(n) < 65536 for n in numbers):
                raise ValueError(f"`{port}` is not a port mapping; use HOST:CONTAINER like 1234:6379")
        return ports

    @field_validator("volumes")
    @classmethod
    def _volumes(cls, volumes: list[str]) -> list[str]:
        for volume in volumes:
            parts = volume.split(":")
            if len(parts) > 3 or not parts[-1 if len(parts) < 3 else 1].startswith("/"):
                raise ValueError(f"`{volume}` is not a volume; use NAME:/path, ./dir:/path or /path (:ro optional)")
        return volumes

    @field_validator("restart")
    @classmethod
    def _restart(cls, restart: str | None) -> str | None:
        if restart is not None and not _RESTART.match(restart):
            raise ValueError(f"`{restart}` is not a restart policy; use no, always, unless-stopped or on-failure[:N]")
        return restart

    @field_validator("mem_limit")
    @classmethod
    def _memory(cls, limit: str | int | None) -> str | int | None:
        if limit is not None and not _MEMORY.match(str(limit)):
            raise ValueError(f"`{limit}` is not a memory size; use a number with b, k, m or g, like 512m")
        return limit


class ComposeFile(_Strict):
    """The top level of a Compose file; `x-` extension keys are allowed as Compose allows them."""

    version: str | float | None = None
    name: str | None = None
    services: dict[str, Service]
    volumes: dict[str, dict[str, Any] | None] = Field(default_factory=dict)
    networks: dict[str, dict[str, Any] | None] = Field(default_factory=dict)


class Presets:
    """The loaded presets, by name, with the directory relative paths are resolved against."""

    def __init__(self, services: dict[str, Service], base: Path, source: str = "") -> None:
        self.services = services
        self.base = base
        self.source = source

    @classmethod
    def empty(cls) -> Presets:
        return cls({}, Path.cwd())

    @classmethod
    def load(cls, path: str | Path, variables: Mapping[str, str] | None = None) -> Presets:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            reason = err.strerror if isinstance(err, OSError) else "not UTF-8 text"
            raise PresetError(f"Cannot read the presets file {path}: {reason}.") from None
        return cls.parse(text, base=path.parent, source=str(path), variables=variables)

    @classmethod
    def parse(
        cls, text: str, *, base: Path, source: str = "presets", variables: Mapping[str, str] | None = None
    ) -> Presets:
        """Validate a Compose file; `variables` fill `${VAR}` as Compose does from the environment."""
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
            data = yaml.safe_load(text)
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            where = f"{source} line {mark.line + 1}" if mark else source
            problem = getattr(err, "problem", None) or str(err).splitlines()[0]
            raise PresetError(f"{where}: not valid YAML: {problem}.") from None
        if not isinstance(data, dict):
            raise PresetError(f"{source}: expected a Compose file with a top-level `services:` map.")
        try:
            data = interpolate(data, variables or {})
        except PresetError as err:
            raise PresetError(f"{source}: {err.message}") from None
        try:
            compose = ComposeFile.model_validate(data)
        except ValidationError as err:
            raise PresetError(_explain(err, node, source)) from None
        for name in compose.services:
            if not _NAME.match(name):
                raise PresetError(f"{source}: preset name `{name}` may only use letters, digits, _ . -")
        return cls(compose.services, base, source)

    def names(self) -> list[str]:
        return sorted(self.services)

    def get(self, name: str) -> Service:
        try:
            return self.services[name]
        except KeyError:
            known = ", ".join(self.names()) or "none are configured"
            raise PresetError(f"No preset `{name}`. Presets: {known}.") from None


def _explain(err: ValidationError, root: yaml.Node | None, source: str) -> str:
    """First problem, named as the user wrote it: key path, preset and line number."""
    first = err.errors()[0]
    loc = [str(part) for part in first["loc"]]
    keys = [part for part in loc if not part.isdigit() and not _is_union_tag(part)]
    line = _line_of(root, loc)
    where = f"{source}" + (f" line {line}" if line else "")
    preset = f"preset `{loc[1]}`: " if len(loc) > 1 and loc[0] == "services" else ""
    path = ".".join(keys[2:] if preset else keys)
    kind = first["type"]
    if kind == "extra_forbidden":
        return f"{where}: {preset}unknown key `{keys[-1]}` (not a supported Compose key)."
    if kind == "missing":
        return f"{where}: {preset}missing `{path}`."
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"{where}: {preset}`{path}`: {message}."


def _is_union_tag(part: str) -> bool:
    """pydantic names the union member it tried (`str`, `list[str]`) in the location: not a key."""
    return "[" in part or part in {"str", "int", "float", "bool", "none", "Healthcheck"}


def _line_of(node: yaml.Node | None, loc: list[str]) -> int | None:
    """Walk the YAML node tree along the error's location to find the line it points at."""
    line = None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if str(k.value) == part), None)
            if pair is None:
                continue
            line, node = pair[0].start_mark.line + 1, pair[1]
        elif isinstance(node, yaml.SequenceNode) and part.isdigit() and int(part) < len(node.value):
            node = node.value[int(part)]
            line = node.start_mark.line + 1
    return line
