"""Container commands against the real engine: ps, logs, stop/start/restart, rm, inspect, cleanup, names.

Every assertion about state is checked with a plain docker-py client (`docker_client`), not with dockbot.
Destructive commands are planned, the plan is checked, and only plans made of our own containers are executed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import docker
import pytest

from commands import Context
from commands.engine import Engine, _resolve
from commands.errors import Ambiguous, Conflict, NotFound, UsageError
from commands.models import ContainerInfo
from commands.results import Plan
from tests.engine.conftest import MakeContainer
from tests.engine.helpers import column, exists, field, outcome, plan, run, status, table, text, unique, wait_until
from tests.testbed import RUN_ID, TEST_IMAGE, TEST_LABEL

pytestmark = pytest.mark.engine

SLEEPER = ["sleep", "300"]


def only(plan_: Plan, ids: set[str]) -> Plan:
    """The same plan restricted to targets we created: never execute a plan that touches others' things."""
    return dataclasses.replace(plan_, targets=tuple(t for t in plan_.targets if t.id in ids))


def cid(client: docker.DockerClient, name: str) -> str:
    return str(client.api.inspect_container(name)["Id"])


# -- ps ---------------------------------------------------------------------------------------------


def test_ps_running_all_filters_and_last(
    ctx: Context, make_container: MakeContainer, exited: Callable[[str], Any]
) -> None:
    up = make_container(SLEEPER, kind="ps-up")
    done = make_container(["true"], kind="ps-done")
    exited(done)
    mine = f"-f label={TEST_LABEL}={RUN_ID}"

    assert up in column(run(ctx, f"ps {mine}"), "NAME")
    assert done not in column(run(ctx, f"ps {mine}"), "NAME")
    assert {up, done} <= set(column(run(ctx, f"ps -a {mine}"), "NAME"))

    only_exited = column(run(ctx, f"ps -a {mine} -f status=exited"), "NAME")
    assert done in only_exited and up not in only_exited

    by_name = table(run(ctx, f"ps -f name={up}"))
    assert [row[0] for row in by_name.rows] == [up]
    assert by_name.rows[0][1] == TEST_IMAGE and by_name.rows[0][2].startswith("Up")

    newest = column(run(ctx, f"ps -n 1 {mine}"), "NAME")  # -n includes stopped ones, like docker
    assert newest == [done]
    assert len(column(run(ctx, "ps -n 2"), "NAME")) <= 2


def test_ps_alias_and_empty_message(ctx: Context) -> None:
    result = table(run(ctx, f"container ls -f label={TEST_LABEL}=nobody-{RUN_ID}"))
    assert result.rows == ()
    assert "ps -a" in result.empty


# -- logs -------------------------------------------------------------------------------------------


def test_logs_tail_returns_exactly_the_last_lines(
    ctx: Context, make_container: MakeContainer, exited: Callable[[str], Any], docker_client: docker.DockerClient
) -> None:
    name = make_container(["seq", "1", "1000"], kind="seq")
    exited(name)

    result = text(run(ctx, f"logs {name} --tail 5"))
    assert result.body == "996\n997\n998\n999\n1000"
    assert "last 5 lines" in result.title

    assert text(run(ctx, f"logs {name} -n 1")).body == "1000"
    assert text(run(ctx, f"logs {name} --tail=3")).body.splitlines() == ["998", "999", "1000"]
    default = text(run(ctx, f"logs {name}")).body.splitlines()  # default: the last 100
    assert default == [str(n) for n in range(901, 1001)]
    full = text(run(ctx, f"logs {cid(docker_client, name)} --tail 10000")).body.splitlines()
    assert full == [str(n) for n in range(1, 1001)]


def test_logs_since_and_timestamps(
    ctx: Context, make_container: MakeContainer, docker_client: docker.DockerClient
) -> None:
    # Writes `early`, then `late` only once we create /go: a gap we control, with no sleeping here.
    script = "echo early; while [ ! -e /go ]; do sleep 0.05; done; echo late; exec sleep 300"
    name = make_container(["sh", "-c", script], kind="since")
    wait_until(lambda: b"early" in docker_client.api.logs(name), what="the first line")
    docker_client.api.exec_start(docker_client.api.exec_create(name, ["touch", "/go"]))
    wait_until(lambda: b"late" in docker_client.api.logs(name), what="the second line")

    stamped = text(run(ctx, f"logs {name} -t")).body.splitlines()
    assert [line.split(" ", 1)[1] for line in stamped] == ["early", "late"]
    late_at = stamped[1].split(" ", 1)[0]
    moment = datetime.fromisoformat(late_at[:26] + "+00:00")  # the engine's nanoseconds, cut to micro
    assert abs((datetime.now(UTC) - moment).total_seconds()) < 60

    assert text(run(ctx, f"logs {name} --since 10m")).body == "early\nlate"
    iso = moment.strftime("%Y-%m-%dT%H:%M:%S.%f")
    assert text(run(ctx, f"logs {name} --since {iso}")).body == "late"
    future = text(run(ctx, f"logs {name} --since 2999-01-01"))
    assert future.body == "No log lines." and "last 0 lines" in future.title
    # A date before the epoch is simply "everything", not a confusing engine error.
    assert text(run(ctx, f"logs {name} --since 1960-01-01")).body == "early\nlate"


def test_logs_of_a_missing_container(ctx: Context) -> None:
    with pytest.raises(NotFound, match="No such container"):
        run(ctx, f"logs {unique('missing')}")
    with pytest.raises(UsageError, match="whole number"):
        run(ctx, "logs x --tail many")


# -- stop / start / restart -------------------------------------------------------------------------


def test_stop_start_restart_several_at_once(
    ctx: Context, make_container: MakeContainer, docker_client: docker.DockerClient
) -> None:
    a, b = make_container(SLEEPER, kind="multi"), make_container(SLEEPER, kind="multi")

    done = outcome(run(ctx, f"stop -t 0 {a} {b}"))
    assert done.ok and a in done.summary and b in done.summary
    assert status(docker_client, a) == status(docker_client, b) == "exited"

    assert outcome(run(ctx, f"start {a} {b}")).ok
    assert status(docker_client, a) == status(docker_client, b) == "running"

    started = {n: docker_client.api.inspect_container(n)["State"]["StartedAt"] for n in (a, b)}
    assert outcome(run(ctx, f"restart -t 0 {a} {b}")).ok
    for n in (a, b):
        state = docker_client.api.inspect_container(n)["State"]
        assert state["Status"] == "running"
        assert state["StartedAt"] != started[n], f"{n} was not restarted"

    assert outcome(run(ctx, f"container stop --time 0 {a}")).ok
    assert (status(docker_client, a), status(docker_client, b)) == ("exited", "running")


def test_action_on_a_missing_container_touches_nothing(
    ctx: Context, make_container: MakeContainer, docker_client: docker.DockerClient
) -> None:
    a = make_container(SLEEPER, kind="keep")
    missing = unique("missing")
    with pytest.raises(NotFound, match=missing):
        run(ctx, f"stop -t 0 {a} {missing}")
    assert status(docker_client, a) == "running"


# -- rm ---------------------------------------------------------------------------------------------


def test_rm_refuses_a_running_container_without_force(
    ctx: Context, make_container: MakeContainer, docker_client: docker.DockerClient
) -> None:
    up = make_container(SLEEPER, kind="rm-up")
    with pytest.raises(Conflict, match="cannot remove a running container"):
        run(ctx, f"rm {up}")
    assert status(docker_client, up) == "running"

    # Mixed: the stopped one goes, the running one is left alone and said so.
    down = make_container(["true"], kind="rm-down", start=False)
    command, proposed = plan(ctx, f"rm {up} {down}")
    assert [t.name for t in proposed.targets] == [down]
    assert [s.target.name for s in proposed.skipped] == [up]
    assert command.execute(ctx, proposed).ok
    assert not exists(docker_client.api.inspect_container, down)
    assert status(docker_client, up) == "running"


def test_rm_force_removes_a_running_container(
    ctx: Context, make_container: MakeContainer, docker_client: docker.DockerClient
) -> None:
    up = make_container(SLEEPER, kind="rm-f")
    result = outcome(run(ctx, f"rm -f {up}"))
    assert result.ok and up in result.summary
    assert not exists(docker_client.api.inspect_container, up)


def test_rm_v_removes_the_anonymous_volume_and_plain_rm_keeps_it(
    ctx: Context, make_container: MakeContainer, docker_client: docker.DockerClient
) -> None:
    def anonymous_volume(name: str) -> str:
        (mount,) = docker_client.api.inspect_container(name)["Mounts"]
        assert mount["Destination"] == "/data" and mount["Type"] == "volume"
        return str(mount["Name"])

    with_v = make_container(["true"], kind="rm-v", start=False, anonymous_volumes=["/data"])
    without = make_container(["true"], kind="rm-nov", start=False, anonymous_volumes=["/data"])
    vol_v, vol_kept = anonymous_volume(with_v), anonymous_volume(without)

    _, proposed = plan(ctx, f"rm -v {with_v}")
    assert any("1 anonymous volume goes with them" in note for note in proposed.notes)
    assert outcome(run(ctx, f"rm -v {with_v}")).ok
    assert not exists(docker_client.api.inspect_container, with_v)
    assert not exists(docker_client.api.inspect_volume, vol_v)

    _, proposed = plan(ctx, f"rm {without}")
    assert any("add -v" in note for note in proposed.notes)
    assert outcome(run(ctx, f"container rm {without}")).ok
    assert not exists(docker_client.api.inspect_container, without)
    try:
        assert exists(docker_client.api.inspect_volume, vol_kept)
    finally:
        docker_client.api.remove_volume(vol_kept)  # anonymous volumes carry no label: remove it ourselves


# -- cleanup ----------------------------------------------------------------------------------------


def test_cleanup_removes_exited_containers_and_anonymous_volumes_only(
    ctx: Context,
    make_container: MakeContainer,
    docker_client: docker.DockerClient,
    exited: Callable[[str], Any],
    test_labels: dict[str, str],
) -> None:
    named = docker_client.volumes.create(unique("named"), labels=test_labels).name
    try:
        gone_anon = make_container(["true"], kind="cl-anon", anonymous_volumes=["/data"])
        gone_named = make_container(["true"], kind="cl-named", binds={named: {"bind": "/data", "mode": "rw"}})
        up = make_container(SLEEPER, kind="cl-up")
        for name in (gone_anon, gone_named):
            exited(name)
        anon = docker_client.api.inspect_container(gone_anon)["Mounts"][0]["Name"]
        ids = {cid(docker_client, n): n for n in (gone_anon, gone_named, up)}

        command, proposed = plan(ctx, "container prune")
        planned = {t.id for t in proposed.targets} & set(ids)
        assert {ids[i] for i in planned} == {gone_anon, gone_named}  # the running one is not in the plan
        assert any("named volumes are kept" in note for note in proposed.notes)

        result = command.execute(ctx, only(proposed, set(ids)))
        assert result.ok and gone_anon in result.summary and gone_named in result.summary
        assert not exists(docker_client.api.inspect_container, gone_anon)
        assert not exists(docker_client.api.inspect_container, gone_named)
        assert not exists(docker_client.api.inspect_volume, anon)
        assert exists(docker_client.api.inspect_volume, named)
        assert status(docker_client, up) == "running"
    finally:
        docker_client.api.remove_volume(named, force=True)


def test_cleanup_until_leaves_recent_containers(
    ctx: Context, make_container: MakeContainer, docker_client: docker.DockerClient
) -> None:
    fresh = make_container(["true"], kind="cl-fresh", start=False)  # "created" is not "exited" either
    fresh_id = cid(docker_client, fresh)
    docker_client.api.start(fresh)
    wait_until(lambda: status(docker_client, fresh) == "exited", what="exit")
    _, recent = plan(ctx, "cleanup")
    assert fresh_id in {t.id for t in recent.targets}
    _, old_only = plan(ctx, "cleanup --filter until=1h")
    assert fresh_id not in {t.id for t in old_only.targets}
    with pytest.raises(UsageError, match="until="):
        run(ctx, "cleanup --filter label=x")


# -- inspect ----------------------------------------------------------------------------------------


def test_inspect_masks_environment_values(
    ctx: Context, docker_client: docker.DockerClient, test_labels: dict[str, str]
) -> None:
    name = unique("inspect")
    docker_client.api.create_container(
        TEST_IMAGE, SLEEPER, name=name, labels=test_labels, environment={"DB_PASSWORD": "hunter2", "MODE": "prod"}
    )
    try:
        docker_client.api.start(name)
        summary = table(run(ctx, f"inspect {name}"))
        env = field(summary, "Environment")
        assert "DB_PASSWORD=***" in env and "MODE=***" in env
        assert "hunter2" not in repr(summary) and "prod" not in env
        assert field(summary, "Name") == name
        assert field(summary, "State").startswith("running")
        assert field(summary, "Image") == TEST_IMAGE
        assert f"{TEST_LABEL}={RUN_ID}" in field(summary, "Labels")
        assert field(summary, "Command") == "sleep 300"
    finally:
        docker_client.api.remove_container(name, force=True)


# -- names ------------------------------------------------------------------------------------------


def test_container_found_by_name_full_id_and_unique_prefix(
    ctx: Context, make_container: MakeContainer, docker_client: docker.DockerClient
) -> None:
    name = make_container(["true"], kind="names", start=False)
    full = cid(docker_client, name)
    everyone = {c["Id"] for c in docker_client.api.containers(all=True)}
    prefix = next(full[:n] for n in range(4, 65) if sum(i.startswith(full[:n]) for i in everyone) == 1)

    for ref in (name, f"/{name}", full, prefix, full[:12]):
        assert field(run(ctx, f"inspect {ref}"), "ID") == full[:12], ref
    with pytest.raises(NotFound, match="No such container"):
        run(ctx, f"inspect {unique('nobody')}")


def test_an_ambiguous_prefix_lists_the_candidates() -> None:
    # Real colliding ids cannot be made on purpose; the resolver sees exactly what the engine listing gives.
    def info(cid_: str, name: str) -> ContainerInfo:
        return ContainerInfo(cid_, name, TEST_IMAGE, "sh", datetime.now(UTC), "exited", "Exited (0)", "")

    a, b = info("abc1" + "0" * 60, "alpha"), info("abc2" + "0" * 60, "beta")
    with pytest.raises(Ambiguous) as caught:
        _resolve("abc", [a, b])
    assert "alpha (abc100000000)" in caught.value.message and "beta (abc200000000)" in caught.value.message
    assert _resolve("abc2", [a, b]) == b
    assert _resolve("beta", [a, b]) == b
    assert _resolve("abd", [a, b]) is None


def test_bulk_removal_reports_refusals_and_counts_vanished_as_done(
    engine: Engine, make_container: MakeContainer, docker_client: docker.DockerClient
) -> None:
    """Removal goes over the socket without requests on top: the engine's own refusal still comes back."""
    running, stopped = (
        make_container(["sleep", "300"], kind="bulk-run"),
        make_container(["true"], kind="bulk-new", start=False),
    )
    failures = engine.remove_containers([running, stopped, "0" * 64])
    assert [f.target for f in failures] == [running]
    assert "cannot remove a running container" in failures[0].reason.lower()
    assert docker_client.containers.get(running).status == "running"
    with pytest.raises(docker.errors.NotFound):
        docker_client.containers.get(stopped)
