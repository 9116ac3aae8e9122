"""Engine-tier fixtures: dockbot's own `Engine`, a command `Context`, and labelled containers made to order.

Everything created here carries ``dockbot.test=<RUN_ID>`` and a name starting ``dockbot-test-<RUN_ID>-``;
each test removes what it made, and the session cleanup (tests/conftest.py) catches the rest by label.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol

import docker
import docker.errors
import pytest

from commands import COMMANDS, Context
from commands.engine import Engine
from commands.presets import Presets
from tests.engine.helpers import unique, wait_until
from tests.testbed import TEST_IMAGE


class MakeContainer(Protocol):
    def __call__(
        self,
        command: Sequence[str],
        *,
        kind: str = ...,
        start: bool = ...,
        anonymous_volumes: Sequence[str] = ...,
        binds: dict[str, dict[str, str]] | None = ...,
        image: str = ...,
    ) -> str: ...


@pytest.fixture(scope="session")
def engine(docker_client: docker.DockerClient) -> Iterator[Engine]:
    """dockbot's gateway to the same engine `docker_client` checks (depends on it for the skip/fail rule)."""
    gateway = Engine()
    yield gateway
    gateway.close()


@pytest.fixture
def ctx(engine: Engine) -> Context:
    """A context with every command visible and no presets."""
    return Context(engine, Presets.empty(), visible=COMMANDS)


@pytest.fixture
def make_container(docker_client: docker.DockerClient, test_labels: dict[str, str]) -> Iterator[MakeContainer]:
    """Create (and by default start) a labelled container from the test image; returns its NAME."""
    api = docker_client.api
    made: list[str] = []

    def make(
        command: Sequence[str],
        *,
        kind: str = "c",
        start: bool = True,
        anonymous_volumes: Sequence[str] = (),
        binds: dict[str, dict[str, str]] | None = None,
        image: str = TEST_IMAGE,
    ) -> str:
        name = unique(kind)
        api.create_container(
            image,
            list(command),
            name=name,
            labels=test_labels,
            volumes=list(anonymous_volumes) or None,
            host_config=api.create_host_config(binds=binds),
        )
        made.append(name)
        if start:
            api.start(name)
        return name

    yield make
    for name in made:
        with contextlib.suppress(docker.errors.NotFound):
            api.remove_container(name, force=True, v=True)


@pytest.fixture
def exited(docker_client: docker.DockerClient) -> Callable[[str], Any]:
    """Wait until a container has exited (it ran a one-shot command); returns its inspect document."""

    def wait(name: str) -> Any:
        def done() -> Any:
            data = docker_client.api.inspect_container(name)
            return data if data["State"]["Status"] == "exited" else None

        return wait_until(done, what=f"{name} to exit")

    return wait
