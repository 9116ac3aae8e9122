"""`run PRESET` from a Compose presets file, checked against what docker reports; `presets`, `version`, `help`.

The presets file is written per test with this run's unique container, volume and network names, and
labels `dockbot.test=<RUN_ID>`, so the volume and network dockbot creates for it are labelled too.
"""

from __future__ import annotations

import contextlib
import re
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import version as package_version
from pathlib import Path

import docker
import docker.errors
import pytest
import yaml

from commands import COMMANDS, Context
from commands.engine import Engine
from commands.errors import Conflict, PresetError, UsageError
from commands.presets import PRESET_LABEL, Presets
from tests.engine.helpers import column, exists, field, free_port, outcome, run, table, text, unique, wait_until
from tests.testbed import RUN_ID, TEST_IMAGE, TEST_LABEL

pytestmark = pytest.mark.engine


@dataclass(frozen=True)
class Bed:
    """A presets file and the engine objects its presets will create."""

    ctx: Context
    web: str
    client: str
    volume: str
    network: str
    port: int


@pytest.fixture
def bed(tmp_path: Path, engine: Engine, docker_client: docker.DockerClient) -> Iterator[Bed]:
    web, client, volume, network = unique("web"), unique("client"), unique("data"), unique("net")
    port = free_port()
    # `$$` is Compose's escape for a literal `$`: presets substitute `${VAR}` from the environment.
    serve = "mkdir -p /www && echo hi from $$GREETING > /www/index.html && exec httpd -f -p 80 -h /www"
    # busybox's static wget crashes on name lookups; its nc resolves names through the engine's DNS fine.
    fetch = (
        "for i in $$(seq 100); do"
        f" out=$$(printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 {web} 80) && [ -n \"$$out\" ]"
        ' && echo "$$out" | tail -n 1 && exit 0; sleep 0.1; done; exit 1'
    )
    labels = {TEST_LABEL: RUN_ID}
    compose = {
        "services": {
            "web": {
                "image": TEST_IMAGE,
                "container_name": web,
                "command": ["sh", "-c", serve],
                "environment": {"GREETING": "dockbot", "API_TOKEN": "s3cret-value"},
                "ports": [f"127.0.0.1:{port}:80"],
                "volumes": [f"{volume}:/data", "/cache"],
                "networks": [network],
                "labels": labels,
            },
            "client": {
                "image": TEST_IMAGE,
                "container_name": client,
                "command": ["sh", "-c", fetch],
                "networks": [network],
                "labels": labels,
            },
            "plain": {
                "image": TEST_IMAGE,
                "command": "sleep 300",
                "environment": ["MODE=test"],
                "labels": [f"{TEST_LABEL}={RUN_ID}"],
            },
        },
        "volumes": {volume: None},
        "networks": {network: None},
    }
    path = tmp_path / "presets.yml"
    path.write_text(yaml.safe_dump(compose, sort_keys=False))
    presets = Presets.load(path)
    yield Bed(Context(engine, presets, visible=COMMANDS), web, client, volume, network, port)
    api = docker_client.api
    for name in (web, client):
        with contextlib.suppress(docker.errors.NotFound):
            api.remove_container(name, force=True, v=True)
    for remove, key in ((api.remove_network, network), (api.remove_volume, volume)):
        with contextlib.suppress(docker.errors.NotFound):
            remove(key)


def test_run_a_preset_with_env_port_volumes_and_network(bed: Bed, docker_client: docker.DockerClient) -> None:
    result = outcome(run(bed.ctx, "run web"))
    assert result.summary.startswith(f"Started {bed.web} (") and "from preset web" in result.summary

    data = docker_client.api.inspect_container(bed.web)
    assert data["State"]["Status"] == "running"
    assert {"GREETING=dockbot", "API_TOKEN=s3cret-value"} <= set(data["Config"]["Env"])
    assert data["Config"]["Labels"][TEST_LABEL] == RUN_ID
    assert data["Config"]["Labels"][PRESET_LABEL] == "web"
    assert data["HostConfig"]["PortBindings"] == {"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": str(bed.port)}]}
    assert data["NetworkSettings"]["Ports"]["80/tcp"] == [{"HostIp": "127.0.0.1", "HostPort": str(bed.port)}]
    mounts = {m["Destination"]: m for m in data["Mounts"]}
    assert mounts["/data"]["Type"] == "volume" and mounts["/data"]["Name"] == bed.volume
    assert mounts["/cache"]["Type"] == "volume" and len(mounts["/cache"]["Name"]) == 64  # anonymous
    assert list(data["NetworkSettings"]["Networks"]) == [bed.network]

    # The volume and network dockbot created carry the preset's labels (so they are cleaned by label).
    assert docker_client.api.inspect_volume(bed.volume)["Labels"][TEST_LABEL] == RUN_ID
    assert docker_client.api.inspect_network(bed.network)["Labels"][TEST_LABEL] == RUN_ID

    # The port binding works from the host.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def fetch() -> bytes | None:
        try:
            with opener.open(f"http://127.0.0.1:{bed.port}/", timeout=2) as response:
                return bytes(response.read())
        except OSError:
            return None

    assert wait_until(fetch, what="the published port to answer") == b"hi from dockbot\n"

    summary = table(run(bed.ctx, f"inspect {bed.web}"))
    assert "API_TOKEN=***" in field(summary, "Environment") and "s3cret" not in repr(summary)
    assert f"127.0.0.1:{bed.port}->80/tcp" == field(summary, "Ports")
    assert bed.network in field(summary, "Networks")
    assert f"volume {bed.volume} → /data" in field(summary, "Mounts")

    listed = table(run(bed.ctx, f"ps -f name={bed.web}"))
    assert [(row[0], row[3]) for row in listed.rows] == [(bed.web, f"127.0.0.1:{bed.port}->80/tcp")]


def test_presets_on_one_network_reach_each_other_by_name(bed: Bed, docker_client: docker.DockerClient) -> None:
    assert outcome(run(bed.ctx, "run web")).ok
    assert outcome(run(bed.ctx, "run client")).ok

    def finished() -> dict[str, object] | None:
        state = docker_client.api.inspect_container(bed.client)["State"]
        return state if state["Status"] == "exited" else None

    assert wait_until(finished, what="the client to finish")["ExitCode"] == 0
    assert text(run(bed.ctx, f"logs {bed.client}")).body == "hi from dockbot"


def test_named_volume_outlives_the_container(bed: Bed, docker_client: docker.DockerClient) -> None:
    assert outcome(run(bed.ctx, "run web")).ok
    docker_client.api.exec_start(docker_client.api.exec_create(bed.web, ["sh", "-c", "echo kept > /data/f"]))
    assert outcome(run(bed.ctx, f"rm -f -v {bed.web}")).ok
    assert not exists(docker_client.api.inspect_container, bed.web)
    assert exists(docker_client.api.inspect_volume, bed.volume)  # rm -v takes anonymous volumes only

    assert outcome(run(bed.ctx, "run web")).ok
    out = docker_client.api.exec_start(docker_client.api.exec_create(bed.web, ["cat", "/data/f"]))
    assert out == b"kept\n"


def test_run_with_a_name_and_a_taken_name(bed: Bed, docker_client: docker.DockerClient) -> None:
    name = unique("plain")
    try:
        assert outcome(run(bed.ctx, f"run plain --name {name}")).summary.startswith(f"Started {name} (")
        data = docker_client.api.inspect_container(name)
        assert data["State"]["Status"] == "running"
        assert "MODE=test" in data["Config"]["Env"]
        assert data["Config"]["Cmd"] == ["sleep", "300"]
        with pytest.raises(Conflict, match="already in use"):
            run(bed.ctx, f"run plain --name {name}")
    finally:
        docker_client.api.remove_container(name, force=True)


def test_run_creates_a_network_whose_name_prefixes_another(
    bed: Bed, docker_client: docker.DockerClient, test_labels: dict[str, str]
) -> None:
    # The engine's network `name` filter matches substrings: an existing `<net>-other` must not pass for `<net>`.
    longer = docker_client.networks.create(f"{bed.network}-other", labels=test_labels)
    try:
        assert outcome(run(bed.ctx, "run client")).ok
        networks = docker_client.api.inspect_container(bed.client)["NetworkSettings"]["Networks"]
        assert list(networks) == [bed.network]
    finally:
        docker_client.api.remove_container(bed.client, force=True)
        longer.remove()


def test_unknown_preset_and_bad_name(bed: Bed) -> None:
    with pytest.raises(PresetError, match=re.escape("No preset `nope`. Presets: client, plain, web.")):
        run(bed.ctx, "run nope")
    with pytest.raises(UsageError, match="letters, digits"):
        run(bed.ctx, "run plain --name 'bad name'")


def test_presets_lists_them(bed: Bed) -> None:
    listed = table(run(bed.ctx, "presets"))
    assert column(listed, "PRESET") == ["client", "plain", "web"]
    web = dict(zip(listed.columns, listed.rows[2], strict=True))
    assert web["IMAGE"] == TEST_IMAGE
    assert web["PORTS"] == f"127.0.0.1:{bed.port}:80"
    assert web["VOLUMES"] == f"{bed.volume}:/data, /cache"
    assert "CHATOPS_PRESETS_FILE" in table(run(Context(bed.ctx.engine, Presets.empty()), "presets")).empty


def test_version_reports_the_engine(ctx: Context, docker_client: docker.DockerClient) -> None:
    rows = dict(table(run(ctx, "version")).rows)
    engine = docker_client.version()
    assert rows["Docker engine"] == engine["Version"]
    assert rows["Engine API"] == engine["ApiVersion"]
    assert rows["dockbot"] == package_version("dockbot")


def test_help_lists_every_command_and_details_one(ctx: Context) -> None:
    usages = column(run(ctx, "help"), "COMMAND")
    assert usages == [cls.usage() for cls in COMMANDS]
    detail = text(run(ctx, "help logs"))
    assert detail.body.startswith("Usage: logs CONTAINER [--tail N] [--since WHEN] [-t]")
    assert "Also: container logs" in detail.body
    assert text(run(ctx, "help image prune")).title == "image prune"
    with pytest.raises(UsageError, match="No command `frobnicate`"):
        run(ctx, "help frobnicate")
