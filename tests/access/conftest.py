"""Fixtures for the access tier: a FakeSlack per test, the real engine (skip/fail rule of tests/conftest)."""

from __future__ import annotations

from collections.abc import Iterator

import docker
import pytest

from tests.slack.fake_slack import FakeSlack


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as slack:
        yield slack


@pytest.fixture
def engine_up(docker_client: docker.DockerClient) -> docker.DockerClient:
    """Marks a test that needs the real engine (skips locally, fails in CI, when there is none)."""
    return docker_client
