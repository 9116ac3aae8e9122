"""What the benchmark creates on the engine, and how it removes exactly that again.

Every container and image carries the label ``dockbot.bench=<run id>``; `Bed.remove_all` removes by that
label only, so nothing the tests, other sessions or people made is ever touched.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import docker
import docker.errors

from tests.testbed import TEST_IMAGE

LABEL = "dockbot.bench"
THREADS = 8


class Bed:
    """Labelled containers and images for one benchmark run, made and removed through the API in parallel."""

    def __init__(self, run_id: str | None = None) -> None:
        self.run_id = run_id or uuid.uuid4().hex[:8]
        self.client = docker.from_env(max_pool_size=THREADS * 2, timeout=300)
        self.api: docker.APIClient = self.client.api

    @property
    def label(self) -> str:
        """`dockbot.bench=<run id>`, as a docker filter takes it."""
        return f"{LABEL}={self.run_id}"

    def name(self, kind: str, i: int | str = "") -> str:
        return f"dockbot-bench-{self.run_id}-{kind}{'-' if i != '' else ''}{i}"

    def engine_version(self) -> str:
        info = self.api.version()
        return f"Docker Engine {info.get('Version')} (API {info.get('ApiVersion')})"

    def _parallel(self, call: Callable[[Any], Any], items: Iterable[Any]) -> list[Any]:
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            return list(pool.map(call, items))

    def create(self, kind: str, count: int, command: list[str], *, network: bool = True) -> list[str]:
        """`count` containers, created (not started); returns their ids. Without `network` they start
        several times faster (no bridge endpoint to set up)."""
        labels = {LABEL: self.run_id, f"{LABEL}.kind": kind}
        host_config = None if network else self.api.create_host_config(network_mode="none")

        def one(i: int) -> str:
            made = self.api.create_container(
                TEST_IMAGE, command=command, name=self.name(kind, i), labels=labels, host_config=host_config
            )
            return str(made["Id"])

        return self._parallel(one, range(count))

    def create_exited(self, kind: str, count: int) -> list[str]:
        """`count` containers that ran `true` and exited; waits until the engine lists them as exited."""
        ids = self.create(kind, count, ["true"], network=False)
        self._parallel(self.api.start, ids)
        self.wait_exited(ids)
        return ids

    def wait_exited(self, ids: list[str], timeout: float = 600) -> None:
        wanted = set(ids)
        deadline = time.monotonic() + timeout
        filters = {"label": [self.label], "status": ["exited"]}
        while wanted - {c["Id"] for c in self.api.containers(all=True, filters=filters)}:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(ids)} bench containers did not all exit within {timeout} s")
            time.sleep(0.1)

    def remove_containers(self, kind: str | None = None) -> None:
        """Remove this run's containers (of one kind, or all), with their anonymous volumes."""
        labels = [self.label] + ([f"{LABEL}.kind={kind}"] if kind else [])
        ids = [c["Id"] for c in self.api.containers(all=True, filters={"label": labels})]

        def one(cid: str) -> None:
            with contextlib.suppress(docker.errors.NotFound):
                self.api.remove_container(cid, force=True, v=True)

        self._parallel(one, ids)

    def commit_images(self, count: int) -> list[str]:
        """`count` distinct tiny images on top of the test image: one unstarted container committed with a
        different label and tag each time (an empty layer; no build context, no RUN)."""
        (source,) = self.create("image-source", 1, ["true"])
        repository = f"dockbot-bench-{self.run_id}/image"

        def one(i: int) -> str:
            changes = [f'LABEL {LABEL}="{self.run_id}" {LABEL}.n="{i}"']
            made = self.api.commit(source, repository=repository, tag=f"v{i}", changes=changes)
            return str(made["Id"])

        try:
            return self._parallel(one, range(count))
        finally:
            self.remove_containers("image-source")

    def remove_images(self) -> None:
        """Remove this run's images (found by label, each by its id, forced: tags go with it)."""
        ids = [i["Id"] for i in self.api.images(filters={"label": [self.label]})]

        def one(image_id: str) -> None:
            with contextlib.suppress(docker.errors.NotFound):
                self.api.remove_image(image_id, force=True)

        self._parallel(one, ids)

    def remove_all(self) -> list[str]:
        """Everything this run made, containers before images; returns what could not be removed."""
        problems = []
        for step in (self.remove_containers, self.remove_images):
            try:
                step()
            except docker.errors.APIError as err:
                problems.append(f"{step.__name__}: {err}")
        return problems

    def close(self) -> None:
        self.client.close()
