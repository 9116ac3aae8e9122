"""A validated Compose service → the `ContainerSpec` the engine runs (Compose semantics, no Compose)."""

from __future__ import annotations

import shlex
from pathlib import Path

from commands.errors import PresetError
from commands.humanize import parse_duration
from commands.models import ContainerSpec
from commands.presets import PORT_MAPPING, PRESET_LABEL, Healthcheck, Service


def to_spec(preset: str, service: Service, *, base: Path, container_name: str | None = None) -> ContainerSpec:
    binds, named, anonymous = _volumes(service.volumes, base)
    return ContainerSpec(
        image=service.image,
        name=container_name or service.container_name or preset,
        command=_split(service.command),
        entrypoint=_split(service.entrypoint),
        environment=_environment(service, base),
        ports=_ports(service.ports),
        binds=binds,
        named_volumes=named,
        anonymous_volumes=anonymous,
        networks=tuple(service.networks),
        restart=_restart(service.restart),
        labels={**_pairs(service.labels), PRESET_LABEL: preset},
        working_dir=service.working_dir,
        user=str(service.user) if service.user is not None else None,
        healthcheck=_healthcheck(service.healthcheck),
        mem_limit=_bytes(service.mem_limit),
        nano_cpus=int(float(service.cpus) * 1e9) if service.cpus is not None else None,
    )


def _split(value: str | list[str] | None) -> list[str] | None:
    """Compose splits a string command like a shell would."""
    if value is None:
        return None
    return shlex.split(value) if isinstance(value, str) else [str(v) for v in value]


def _pairs(value: dict[str, str] | list[str]) -> dict[str, str]:
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    return dict(item.partition("=")[::2] for item in value)


def _environment(service: Service, base: Path) -> dict[str, str]:
    """env_file first, then `environment`, which wins, as in Compose."""
    merged: dict[str, str] = {}
    files = [service.env_file] if isinstance(service.env_file, str) else service.env_file or []
    for name in files:
        path = base / name
        try:
            lines = path.read_text().splitlines()
        except OSError as err:
            raise PresetError(f"Cannot read env_file {path}: {err.strerror}.") from None
        merged |= _pairs([line for line in (raw.strip() for raw in lines) if line and not line.startswith("#")])
    if isinstance(service.environment, list):
        return merged | _pairs(service.environment)
    return merged | {k: "" if v is None else _scalar(v) for k, v in service.environment.items()}


def _scalar(value: str | int | float | bool) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _ports(ports: list[str | int]) -> dict[str, list[tuple[str, int | None]]]:
    """`127.0.0.1:1234:6379/tcp` → {"6379/tcp": [("127.0.0.1", 1234)]}; no host port means a random one."""
    bindings: dict[str, list[tuple[str, int | None]]] = {}
    for port in ports:
        match = PORT_MAPPING.match(str(port))
        assert match is not None, "validated at load"
        key = f"{match.group('container')}/{match.group('proto') or 'tcp'}"
        host = int(match.group("host")) if match.group("host") else None
        bindings.setdefault(key, []).append((match.group("ip") or "", host))
    return bindings


def _volumes(volumes: list[str], base: Path) -> tuple[dict[str, dict[str, str]], tuple[str, ...], tuple[str, ...]]:
    """Split into docker-py binds (host paths and named volumes alike), the named volumes to create, and the
    container paths that get an anonymous volume (the engine creates one only if the container asks)."""
    binds: dict[str, dict[str, str]] = {}
    named: list[str] = []
    anonymous: list[str] = []
    for volume in volumes:
        parts = volume.split(":")
        if len(parts) == 1:
            anonymous.append(parts[0])
            continue
        source, target = parts[0], parts[1]
        mode = parts[2] if len(parts) == 3 else "rw"
        if source.startswith((".", "/", "~")):
            source = str((base / Path(source).expanduser()).resolve())
        else:
            named.append(source)
        binds[source] = {"bind": target, "mode": mode}
    return binds, tuple(named), tuple(anonymous)


def _restart(policy: str | None) -> dict[str, str | int] | None:
    if policy is None or policy == "no":
        return None
    name, _, retries = policy.partition(":")
    return {"Name": name, "MaximumRetryCount": int(retries or 0)}


def _healthcheck(check: Healthcheck | None) -> dict[str, object] | None:
    if check is None:
        return None
    if check.disable:
        return {"test": ["NONE"]}
    test = ["CMD-SHELL", check.test] if isinstance(check.test, str) else check.test
    spec: dict[str, object] = {"test": test, "retries": check.retries}
    for key in ("interval", "timeout", "start_period"):
        value = getattr(check, key)
        spec[key] = int(parse_duration(value).total_seconds() * 1e9) if value else None
    return {k: v for k, v in spec.items() if v is not None}


def _bytes(limit: str | int | None) -> int | None:
    if limit is None:
        return None
    text = str(limit).lower().removesuffix("b")  # Compose takes 512m and 512mb alike
    factor = {"k": 1024, "m": 1024**2, "g": 1024**3}.get(text[-1], 1)
    return int(float(text.rstrip("kmg")) * factor)
