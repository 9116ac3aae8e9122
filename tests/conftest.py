"""Root conftest, shared by all tiers: run id, test label, an independent engine client, cleanup.

Everything a test creates on the engine must carry ``test_labels`` (``dockbot.test=<RUN_ID>``);
it is removed by label when the session ends, also after failures and Ctrl-C. Nothing else on the
engine is ever touched.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from tests.testbed import REGISTRY, RUN_ID, TEST_IMAGE, TEST_LABEL, remove_labelled

__all__ = ["REGISTRY", "RUN_ID", "TEST_IMAGE", "TEST_LABEL"]

ENGINE_DIR = Path(__file__).parent / "engine"


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"true", "1", "yes"}


def _connect() -> docker.DockerClient:
    client = docker.from_env(timeout=60)
    try:
        client.ping()
    except Exception:
        client.close()
        raise
    return client


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Everything under tests/engine needs the engine: lets `-m "not engine"` work without each file marking.
    for item in items:
        if ENGINE_DIR in item.path.parents:
            item.add_marker(pytest.mark.engine)


@pytest.fixture
def test_labels() -> dict[str, str]:
    """Labels for every engine object a test creates (a fresh dict: tests may add to it)."""
    return {TEST_LABEL: RUN_ID}


@pytest.fixture(scope="session")
def docker_client() -> Iterator[docker.DockerClient]:
    """A plain docker-py client, to check engine state independently of dockbot's own code.

    No engine: the test is skipped, except in CI (CI=true), where the engine tier must not
    silently skip and the test fails instead.
    """
    try:
        client = _connect()
    except Exception as exc:
        msg = f"no Docker engine answers ({type(exc).__name__}: {exc}); run scripts/ensure-engine.sh"
        if _in_ci():
            pytest.fail(f"CI=true: {msg}", pytrace=False)
        pytest.skip(msg)
    yield client
    client.close()


def _cleanup() -> list[str]:
    try:
        client = _connect()
    except Exception:
        return []  # no engine: nothing can have been created on it
    try:
        return remove_labelled(client, RUN_ID)
    finally:
        client.close()


@pytest.fixture(scope="session", autouse=True)
def _remove_test_objects(request: pytest.FixtureRequest) -> None:
    """Session teardown: remove everything labelled with this run's id (also after failures)."""

    def finalize() -> None:
        errors = _cleanup()
        if errors:
            raise RuntimeError(f"could not remove test objects ({TEST_LABEL}={RUN_ID}): {errors}")

    request.addfinalizer(finalize)


@pytest.hookimpl(trylast=True)  # after pytest has torn down session fixtures
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # Second line of defence: runs even when the session was interrupted before fixtures tore down.
    errors = _cleanup()
    if errors:
        print(f"\ndockbot: could not remove test objects ({TEST_LABEL}={RUN_ID}): {errors}", file=sys.stderr)
