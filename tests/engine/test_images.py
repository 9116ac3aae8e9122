"""Image commands against the real engine: images, pull (local registry), image prune, image rm.

Images are built here from the test image with `LABEL dockbot.test=<RUN_ID>`; prune plans see every image on
the engine, so they are checked for ours and executed only after being cut down to ours.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import uuid
from collections.abc import Callable, Iterator

import docker
import docker.errors
import pytest

from commands import Context
from commands.errors import CommandError, NotFound, UsageError
from commands.results import Plan
from tests.engine.conftest import MakeContainer
from tests.engine.helpers import column, exists, outcome, plan, run, table
from tests.testbed import REGISTRY_IMAGE, RUN_ID, TEST_IMAGE, TEST_LABEL

pytestmark = pytest.mark.engine

Build = Callable[[str], str]


def only(plan_: Plan, ids: set[str]) -> Plan:
    """The plan restricted to images we built: never execute a plan that touches others' images."""
    return dataclasses.replace(plan_, targets=tuple(t for t in plan_.targets if t.id in ids))


@pytest.fixture
def build(docker_client: docker.DockerClient) -> Iterator[Build]:
    """Build a tiny labelled image under `tag` (a fresh layer each time, so a second build dangles the first)."""
    built: list[str] = []

    def make(tag: str) -> str:
        dockerfile = f"FROM {TEST_IMAGE}\nLABEL {TEST_LABEL}={RUN_ID}\nRUN echo {uuid.uuid4().hex} > /f\n"
        image, _ = docker_client.images.build(fileobj=io.BytesIO(dockerfile.encode()), tag=tag, rm=True, forcerm=True)
        built.append(str(image.id))
        return str(image.id)

    yield make
    for image_id in reversed(built):
        # Already gone (NotFound), or still held: the session cleanup removes it by label.
        with contextlib.suppress(docker.errors.APIError):
            docker_client.api.remove_image(image_id, force=True)


def repo() -> str:
    return f"dockbot-test/img-{RUN_ID}-{uuid.uuid4().hex[:6]}"


def test_images_lists_tags_and_filters_by_repository(ctx: Context, build: Build) -> None:
    name = repo()
    image_id = build(f"{name}:v1")
    listed = table(run(ctx, f"images {name}"))
    assert [(r[0], r[1], r[2]) for r in listed.rows] == [(name, "v1", image_id.removeprefix("sha256:")[:12])]
    assert "dockbot-test/busybox" in column(run(ctx, "image ls"), "REPOSITORY")
    assert table(run(ctx, f"images {repo()}")).rows == ()


def test_image_prune_removes_a_dangling_image_and_keeps_tagged_ones(
    ctx: Context, build: Build, docker_client: docker.DockerClient
) -> None:
    tag = f"{repo()}:latest"
    dangling = build(tag)
    tagged = build(tag)  # takes the tag: the first image is now <none>:<none>
    assert docker_client.api.inspect_image(dangling)["RepoTags"] == []

    command, proposed = plan(ctx, "image prune")
    ours = [t for t in proposed.targets if t.id in {dangling, tagged}]
    assert [t.id for t in ours] == [dangling]
    assert ours[0].name.startswith("<none>") and ours[0].size > 0
    assert all(t.id != docker_client.images.get(TEST_IMAGE).id for t in proposed.targets)

    result = command.execute(ctx, only(proposed, {dangling}))
    assert result.ok and result.summary.startswith("Removed 1 image")
    assert not exists(docker_client.api.inspect_image, dangling)
    assert exists(docker_client.api.inspect_image, tagged)
    assert exists(docker_client.api.inspect_image, TEST_IMAGE)


def test_image_prune_all_plans_unused_tagged_images_only(
    ctx: Context, build: Build, make_container: MakeContainer
) -> None:
    unused, used = build(f"{repo()}:unused"), build(f"{repo()}:used")
    make_container(["true"], start=False, image=used)
    _, proposed = plan(ctx, "image prune -a")
    planned = {t.id for t in proposed.targets}
    assert unused in planned and used not in planned
    _, old_only = plan(ctx, "image prune -a --filter until=1h")
    assert unused not in {t.id for t in old_only.targets}


def test_image_rm_removes_untags_and_refuses_images_in_use(
    ctx: Context, build: Build, make_container: MakeContainer, docker_client: docker.DockerClient
) -> None:
    first = repo()
    image_id = build(f"{first}:v1")
    second = repo()
    docker_client.api.tag(image_id, second, "latest")

    # Two tags: removing one by name (no tag means :latest, as docker reads it) only untags.
    command, proposed = plan(ctx, f"image rm {second}")
    assert [(t.name, t.detail, t.refs) for t in proposed.targets] == [
        (f"{second}:latest", "untag only", (f"{second}:latest",))
    ]
    assert command.execute(ctx, proposed).ok
    assert docker_client.api.inspect_image(image_id)["RepoTags"] == [f"{first}:v1"]

    # In use by a container: left alone, said so.
    holder = make_container(["true"], start=False, image=image_id)
    _, proposed = plan(ctx, f"rmi {first}:v1")
    assert proposed.empty and "a container uses it" in proposed.skipped[0].reason
    docker_client.api.remove_container(holder)

    result = outcome(run(ctx, f"image rm {first}:v1"))
    assert result.ok and "Removed 1 image" in result.summary
    assert not exists(docker_client.api.inspect_image, image_id)

    with pytest.raises(NotFound, match="No such image"):
        run(ctx, f"image rm {first}:v1")


def test_pull_from_the_local_registry(ctx: Context, docker_client: docker.DockerClient) -> None:
    result = outcome(run(ctx, f"image pull {REGISTRY_IMAGE}"))
    assert result.summary.startswith(f"Pulled {REGISTRY_IMAGE} (sha256:")
    digest = result.summary.split("(", 1)[1].rstrip(").")
    pulled = docker_client.api.inspect_image(REGISTRY_IMAGE)
    assert pulled["Id"] == docker_client.api.inspect_image(TEST_IMAGE)["Id"]
    assert f"{REGISTRY_IMAGE.rsplit(':', 1)[0]}@{digest}" in pulled["RepoDigests"]


def test_pull_errors_are_clear(ctx: Context) -> None:
    missing = REGISTRY_IMAGE.replace(":latest", f":no-such-tag-{RUN_ID}")
    with pytest.raises(NotFound, match="not found") as caught:
        run(ctx, f"pull {missing}")
    assert "no-such-tag" in caught.value.message and "\n" not in caught.value.message
    with pytest.raises(CommandError, match=r"127\.0\.0\.1:1.*connection refused"):
        run(ctx, "pull 127.0.0.1:1/nothing:latest")  # a registry nobody runs
    with pytest.raises(UsageError, match="not an image name"):
        run(ctx, "pull 'Bad Name'")
