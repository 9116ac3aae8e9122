"""What every test tier shares about the test bed (DESIGN.md section 6).

The image and registry are prepared by scripts/test-fixtures.sh (`make test` runs it). Everything a
test creates on the engine carries the label ``dockbot.test=<RUN_ID>`` and is removed by
:func:`remove_labelled` at the end of the session (tests/conftest.py), also after a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import docker
import docker.errors

TEST_IMAGE = "dockbot-test/busybox:latest"
REGISTRY = "127.0.0.1:5000"
REGISTRY_IMAGE = f"{REGISTRY}/{TEST_IMAGE}"
TEST_LABEL = "dockbot.test"

# One id per session. Exported so subprocesses (e.g. a bot started by a test) label with the same id.
RUN_ID = os.environ.get("DOCKBOT_TEST_RUN") or uuid.uuid4().hex[:8]
os.environ["DOCKBOT_TEST_RUN"] = RUN_ID


def _try_all(remove: Callable[[Any], object], items: Iterable[Any], what: str, threads: int = 1) -> list[str]:
    """Apply ``remove`` to every item; collect failures instead of stopping at the first one."""

    def one(item: Any) -> str | None:
        try:
            remove(item)
        except docker.errors.NotFound:
            pass  # already gone: fine
        except docker.errors.APIError as exc:
            return f"{what} {item}: {exc.explanation or exc}"
        return None

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return [err for err in pool.map(one, items) if err]


def remove_labelled(client: docker.DockerClient, run_id: str = RUN_ID) -> list[str]:
    """Remove containers, then networks, volumes and images labelled ``dockbot.test=<run_id>``.

    Only resources carrying exactly that label are touched. Returns what could not be removed.
    Order matters: containers hold networks, volumes and images. Uses the one-request list calls
    and a small thread pool for containers (DESIGN.md section 5: as fast as the CLI).
    """
    api = client.api
    flt = {"label": f"{TEST_LABEL}={run_id}"}
    errors = _try_all(
        lambda cid: api.remove_container(cid, force=True, v=True),
        [c["Id"] for c in api.containers(all=True, filters=flt)],
        "container",
        threads=8,
    )
    errors += _try_all(api.remove_network, [n["Id"] for n in api.networks(filters=flt)], "network")
    volumes = api.volumes(filters=flt).get("Volumes") or []
    errors += _try_all(lambda name: api.remove_volume(name, force=True), [v["Name"] for v in volumes], "volume")
    errors += _try_all(
        lambda iid: api.remove_image(iid, force=True), [i["Id"] for i in api.images(filters=flt)], "image"
    )
    return errors
