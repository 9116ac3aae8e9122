"""`inspect` as a person wants it: the dozen facts that matter, never an environment value."""

from __future__ import annotations

from typing import Any

from commands.engine import format_ports
from commands.results import Table

MASK = "***"


def summarize(data: dict[str, Any]) -> Table:
    """Turn the engine's inspect document into FIELD / VALUE rows."""
    config = data.get("Config") or {}
    state = data.get("State") or {}
    host = data.get("HostConfig") or {}
    name = str(data.get("Name", "")).removeprefix("/")
    rows = [
        ("Name", name),
        ("ID", str(data.get("Id", ""))[:12]),
        ("Image", str(config.get("Image", ""))),
        ("State", _state(state)),
        ("Created", str(data.get("Created", ""))[:19].replace("T", " ")),
        ("Command", " ".join(_words(config.get("Entrypoint")) + _words(config.get("Cmd")))),
        ("Restart policy", _restart(host.get("RestartPolicy") or {})),
        ("Ports", _ports(data.get("NetworkSettings") or {})),
        ("Mounts", ", ".join(_mount(m) for m in data.get("Mounts") or [])),
        ("Networks", _networks(data.get("NetworkSettings") or {})),
        ("Environment", ", ".join(masked_env(config.get("Env") or []))),
        ("Labels", ", ".join(f"{k}={v}" for k, v in sorted((config.get("Labels") or {}).items()))),
    ]
    return Table(("FIELD", "VALUE"), tuple((k, v or "-") for k, v in rows), title=f"Container {name}")


def masked_env(env: list[str]) -> list[str]:
    """`KEY=***` for every entry: values routinely hold passwords and tokens."""
    return [f"{entry.partition('=')[0]}={MASK}" for entry in env]


def _state(state: dict[str, Any]) -> str:
    status = str(state.get("Status", "unknown"))
    parts = [status]
    if status == "running":
        parts.append(f"since {str(state.get('StartedAt', ''))[:19].replace('T', ' ')}")
    elif status in ("exited", "dead"):
        parts.append(f"exit code {state.get('ExitCode')}")
    if state.get("OOMKilled"):
        parts.append("killed: out of memory")
    health = (state.get("Health") or {}).get("Status")
    if health:
        parts.append(f"health: {health}")
    return ", ".join(parts)


def _words(value: Any) -> list[str]:
    if not value:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _restart(policy: dict[str, Any]) -> str:
    name = str(policy.get("Name") or "no")
    retries = policy.get("MaximumRetryCount")
    return f"{name} (max {retries})" if name == "on-failure" and retries else name


def _ports(settings: dict[str, Any]) -> str:
    flat = []
    for key, bindings in (settings.get("Ports") or {}).items():
        number, _, protocol = key.partition("/")
        for binding in bindings or [{}]:
            public = binding.get("HostPort")
            flat.append(
                {"PrivatePort": int(number), "Type": protocol, "IP": binding.get("HostIp") or "0.0.0.0"}
                | ({"PublicPort": int(public)} if public else {})
            )
    return format_ports(flat)


def _mount(mount: dict[str, Any]) -> str:
    source = mount.get("Name") if mount.get("Type") == "volume" else mount.get("Source")
    mode = "" if mount.get("RW", True) else " (read-only)"
    return f"{mount.get('Type')} {source} → {mount.get('Destination')}{mode}"


def _networks(settings: dict[str, Any]) -> str:
    networks = settings.get("Networks") or {}
    return ", ".join(f"{name} {info.get('IPAddress') or ''}".strip() for name, info in networks.items())
