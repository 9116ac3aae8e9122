"""Small helpers the engine tests share: unique names, polling with a deadline, running a command line."""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Callable
from typing import TypeVar

import docker

from commands import Command, Context, DestructiveCommand, parse
from commands.results import Outcome, Plan, Result, Table, Text
from tests.testbed import RUN_ID

T = TypeVar("T")


def unique(kind: str) -> str:
    """A name no other test, run or person uses: `dockbot-test-<run id>-<kind>-<random>`."""
    return f"dockbot-test-{RUN_ID}-{kind}-{uuid.uuid4().hex[:6]}"


def wait_until(check: Callable[[], T], *, timeout: float = 15.0, what: str = "a condition") -> T:
    """Poll `check` until it returns something truthy; fail with `what` once the deadline passes."""
    deadline = time.monotonic() + timeout
    delay = 0.02
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(delay)
        delay = min(delay * 2, 0.25)


def run(ctx: Context, text: str) -> Result:
    """Parse and run one command line, as a front end would (destructive ones: plan, then execute)."""
    return parse(text).run(ctx)


def plan(ctx: Context, text: str) -> tuple[DestructiveCommand, Plan]:
    """Parse a destructive command and build its plan without touching anything."""
    command: Command = parse(text)
    assert isinstance(command, DestructiveCommand), f"{text!r} is not destructive"
    return command, command.plan(ctx)


def table(result: Result) -> Table:
    assert isinstance(result, Table), f"expected a Table, got {result!r}"
    return result


def text(result: Result) -> Text:
    assert isinstance(result, Text), f"expected a Text, got {result!r}"
    return result


def outcome(result: Result) -> Outcome:
    assert isinstance(result, Outcome), f"expected an Outcome, got {result!r}"
    return result


def column(result: Result, name: str) -> list[str]:
    """One column of a table result, by heading."""
    tab = table(result)
    index = tab.columns.index(name)
    return [row[index] for row in tab.rows]


def field(result: Result, name: str) -> str:
    """The VALUE of one FIELD row of an `inspect` summary."""
    return dict(table(result).rows)[name]


def status(client: docker.DockerClient, container: str) -> str:
    """What docker itself reports as the container's state."""
    return str(client.api.inspect_container(container)["State"]["Status"])


def exists(get: Callable[[str], object], key: str) -> bool:
    try:
        get(key)
    except docker.errors.NotFound:
        return False
    return True


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
