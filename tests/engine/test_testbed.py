"""The test bed itself works: the image runs, the registry serves it, cleanup is by label only."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import docker
import docker.errors
import pytest

from tests.testbed import REGISTRY, TEST_IMAGE, TEST_LABEL, remove_labelled

pytestmark = pytest.mark.engine


def test_image_runs_echo(docker_client: docker.DockerClient, test_labels: dict[str, str]) -> None:
    out = docker_client.containers.run(TEST_IMAGE, ["echo", "hello dockbot"], labels=test_labels, remove=True)
    assert out == b"hello dockbot\n"


def test_image_is_marked_as_test_image(docker_client: docker.DockerClient) -> None:
    assert docker_client.images.get(TEST_IMAGE).labels.get("dockbot.test-image") == "true"


def test_registry_serves_image(docker_client: docker.DockerClient) -> None:
    pulled = docker_client.images.pull(f"{REGISTRY}/dockbot-test/busybox", tag="latest")
    assert pulled.id == docker_client.images.get(TEST_IMAGE).id


def _gone(get: Callable[[str], object], key: str) -> bool:
    try:
        get(key)
    except docker.errors.NotFound:
        return True
    return False


def test_cleanup_removes_only_its_label(docker_client: docker.DockerClient) -> None:
    # A run id of its own, so this test does not depend on (or disturb) the session's cleanup;
    # the bystander looks like another concurrent test run: same key, other value.
    doomed_run = f"cleanup-{uuid.uuid4().hex[:8]}"
    doomed = {TEST_LABEL: doomed_run}
    bystander = docker_client.containers.create(
        TEST_IMAGE, ["sleep", "300"], labels={TEST_LABEL: f"bystander-{uuid.uuid4().hex[:8]}"}
    )
    try:
        net = docker_client.networks.create(f"dockbot-test-{doomed_run}", labels=doomed)
        vol = docker_client.volumes.create(f"dockbot-test-{doomed_run}", labels=doomed)
        victim = docker_client.containers.run(
            TEST_IMAGE,
            ["sleep", "300"],
            labels=doomed,
            detach=True,
            network=net.name,
            volumes={vol.name: {"bind": "/data", "mode": "rw"}},
        )  # running, on the network, using the volume: cleanup must force and go in order
        image = victim.commit(repository="dockbot-test/cleanup", tag=doomed_run, conf={"Labels": doomed})

        assert remove_labelled(docker_client, doomed_run) == []

        assert _gone(docker_client.containers.get, victim.id)
        assert _gone(docker_client.networks.get, net.id)
        assert _gone(docker_client.volumes.get, vol.name)
        assert _gone(docker_client.images.get, image.id)
        bystander.reload()  # raises NotFound if cleanup overreached
        assert bystander.status == "created"
    finally:
        remove_labelled(docker_client, doomed_run)  # in case an assertion stopped us half-way
        bystander.remove(force=True)
