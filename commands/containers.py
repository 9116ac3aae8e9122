"""Container commands: ps, logs, stop/start/restart, rm, inspect, cleanup (one small class each)."""

from __future__ import annotations

from abc import abstractmethod
from typing import Annotated, ClassVar

from pydantic import Field, field_validator

from commands import humanize
from commands.base import Access, Arg, Command, Context, DestructiveCommand, Opt
from commands.errors import Conflict
from commands.filters import check_until, created_before, filter_map
from commands.inspection import summarize
from commands.models import ContainerInfo, Failure
from commands.results import Outcome, Plan, Result, Skipped, Table, Target, Text

MAX_TAIL = 10_000
PS_FILTERS = {"id", "name", "label", "status", "ancestor", "exited", "health", "network", "volume", "before", "since"}
PROTECTED_LABEL = "dockbot.protected"
RUNNING = "running; stop it first or use -f"
STATES = {"created", "restarting", "running", "removing", "paused", "exited", "dead"}

Containers = Annotated[tuple[str, ...], Arg("CONTAINER"), Field(min_length=1)]
StopTimeout = Annotated[
    int | None, Opt(("-t", "--time"), "seconds to wait before killing", "SECONDS"), Field(ge=0, le=600)
]


class Ps(Command):
    words = ("ps",)
    aliases = (("container", "ls"), ("container", "ps"), ("container", "list"))
    summary = "List containers (running ones; -a for all)"

    all: Annotated[bool, Opt(("-a", "--all"), "show all containers, not only running ones")] = False
    filters: Annotated[
        tuple[str, ...], Opt(("-f", "--filter"), "e.g. status=exited, name=web, label=team=ops", "KEY=VALUE")
    ] = ()
    last: Annotated[
        int | None, Opt(("-n", "--last"), "the N most recently created, in any state", "N"), Field(ge=1, le=1000)
    ] = None

    @field_validator("filters")
    @classmethod
    def _known_filters(cls, filters: tuple[str, ...]) -> tuple[str, ...]:
        for item in filters:
            key, eq, value = item.partition("=")
            if key not in PS_FILTERS or not eq or not value:
                raise ValueError(
                    f"`{item}` is not a filter; use KEY=VALUE with KEY one of {', '.join(sorted(PS_FILTERS))}"
                )
            if key == "status" and value not in STATES:
                raise ValueError(f"status must be one of {', '.join(sorted(STATES))}")
        return filters

    def run(self, ctx: Context) -> Result:
        found = ctx.engine.containers(
            all=self.all or self.last is not None, filters=filter_map(self.filters), limit=self.last
        )
        rows = tuple((c.name, c.image, c.status, c.ports, c.short_id) for c in found)
        hint = "" if self.all else " Use `ps -a` to include stopped ones."
        return Table(("NAME", "IMAGE", "STATUS", "PORTS", "CONTAINER ID"), rows, empty=f"No containers.{hint}")


class Logs(Command):
    words = ("logs",)
    aliases = (("container", "logs"),)
    summary = "Show the last lines a container wrote"

    container: Annotated[str, Arg("CONTAINER")]
    tail: Annotated[
        int, Opt(("--tail", "-n"), f"lines from the end (at most {MAX_TAIL})", "N"), Field(ge=0, le=MAX_TAIL)
    ] = 100
    since: Annotated[str | None, Opt(("--since",), "only lines after this: 10m, 2h or a date", "WHEN")] = None
    timestamps: Annotated[bool, Opt(("-t", "--timestamps"), "show the time of each line")] = False

    @field_validator("since")
    @classmethod
    def _moment(cls, since: str | None) -> str | None:
        if since is not None:
            humanize.parse_moment(since)
        return since

    def run(self, ctx: Context) -> Result:
        (container,) = ctx.engine.find_containers([self.container])
        since = humanize.parse_moment(self.since) if self.since else None
        data, cut = ctx.engine.logs(container.id, tail=self.tail, since=since, timestamps=self.timestamps)
        body = data.decode("utf-8", errors="replace").rstrip("\n")
        lines = body.count("\n") + 1 if body else 0
        note = " (cut at the size limit)" if cut else ""
        title = f"Logs of {container.name}: last {lines} line{'s' if lines != 1 else ''}{note}"
        return Text(body or "No log lines.", title=title, monospace=bool(body), filename=f"{container.name}-logs.txt")


class _ContainerAction(Command):
    """stop/start/restart: the same shape, one engine call per container, run side by side."""

    access: ClassVar[Access] = Access.WRITE
    past: ClassVar[str]
    guarded: ClassVar[bool] = True
    """Whether protected containers are refused (starting one is harmless)."""
    claims: ClassVar[bool] = True

    containers: Containers

    def run(self, ctx: Context) -> Result:
        found = ctx.engine.find_containers(list(self.containers))
        refused = [
            Skipped(container_target(c), reason) for c in found if self.guarded and (reason := protection(c, ctx))
        ]
        if refused:
            raise Conflict(refusal(refused) + " Nothing was done.")
        ctx.claim(self.words[0], tuple(c.id for c in found))
        failures = self.act(ctx, [c.id for c in found])
        return outcome(self.past, tuple(container_target(c) for c in found), failures)

    @abstractmethod
    def act(self, ctx: Context, ids: list[str]) -> list[Failure]:
        """Ask the engine to do this action to every container; return what it refused."""


class Stop(_ContainerAction):
    words = ("stop",)
    aliases = (("container", "stop"),)
    summary = "Stop running containers"
    past = "Stopped"
    timeout: StopTimeout = None

    def act(self, ctx: Context, ids: list[str]) -> list[Failure]:
        return ctx.engine.stop(ids, timeout=self.timeout)


class Start(_ContainerAction):
    words = ("start",)
    aliases = (("container", "start"),)
    summary = "Start stopped containers"
    past = "Started"
    guarded = False
    claims = False

    def act(self, ctx: Context, ids: list[str]) -> list[Failure]:
        return ctx.engine.start(ids)


class Restart(_ContainerAction):
    words = ("restart",)
    aliases = (("container", "restart"),)
    summary = "Restart containers"
    past = "Restarted"
    timeout: StopTimeout = None

    def act(self, ctx: Context, ids: list[str]) -> list[Failure]:
        return ctx.engine.restart(ids, timeout=self.timeout)


class Rm(DestructiveCommand):
    words = ("rm",)
    aliases = (("container", "rm"),)
    summary = "Remove containers (a running one only with -f)"
    claims = True

    force: Annotated[bool, Opt(("-f", "--force"), "also remove running containers (kills them)")] = False
    volumes: Annotated[bool, Opt(("-v", "--volumes"), "also remove their anonymous volumes")] = False
    containers: Containers

    def plan(self, ctx: Context) -> Plan:
        found = ctx.engine.find_containers(list(self.containers))
        skipped = []
        for container in found:
            live = container.state in ("running", "restarting", "paused") and not self.force
            reason = protection(container, ctx) or (RUNNING if live else None)
            if reason:
                skipped.append(Skipped(container_target(container), reason))
        if len(skipped) == len(found):
            raise Conflict(refusal(skipped))
        left_alone = {s.target.id for s in skipped}
        kept = [c for c in found if c.id not in left_alone]
        targets = tuple(container_target(c) for c in kept)
        return Plan("Remove", targets, tuple(skipped), notes=volume_notes(kept, taken=self.volumes))

    def execute(self, ctx: Context, plan: Plan) -> Outcome:
        ctx.claim("rm", tuple(t.id for t in plan.targets))
        failures = ctx.engine.remove_containers([t.id for t in plan.targets], force=self.force, volumes=self.volumes)
        return outcome("Removed", plan.targets, failures)


class Cleanup(DestructiveCommand):
    words = ("cleanup",)
    aliases = (("container", "prune"),)
    summary = "Remove exited containers and their anonymous volumes"
    claims = True

    filters: Annotated[
        tuple[str, ...], Opt(("--filter",), "only those created before, e.g. until=24h", "until=WHEN")
    ] = ()

    _until = field_validator("filters")(check_until)

    def plan(self, ctx: Context) -> Plan:
        exited = ctx.engine.containers(all=True, filters={"status": ["exited"]})
        cutoff = created_before(self.filters)
        exited = [c for c in exited if cutoff is None or c.created < cutoff]
        skipped = tuple(Skipped(container_target(c), reason) for c in exited if (reason := protection(c, ctx)))
        left_alone = {s.target.id for s in skipped}
        kept = [c for c in exited if c.id not in left_alone]
        targets = tuple(container_target(c) for c in kept)
        return Plan("Remove", targets, skipped, notes=volume_notes(kept, taken=True))

    def execute(self, ctx: Context, plan: Plan) -> Outcome:
        ctx.claim("rm", tuple(t.id for t in plan.targets))
        failures = ctx.engine.remove_containers([t.id for t in plan.targets], volumes=True)
        return outcome("Removed", plan.targets, failures)


class Inspect(Command):
    words = ("inspect",)
    aliases = (("container", "inspect"),)
    summary = "A readable summary of one container (environment values hidden)"

    container: Annotated[str, Arg("CONTAINER")]

    def run(self, ctx: Context) -> Result:
        (container,) = ctx.engine.find_containers([self.container])
        return summarize(ctx.engine.inspect_container(container.id))


def protection(container: ContainerInfo, ctx: Context) -> str | None:
    """Why dockbot must leave this container alone, or None: itself, or anything labelled protected."""
    if ctx.own_container and container.id == ctx.own_container:
        return "dockbot's own container"
    if container.labels.get(PROTECTED_LABEL, "").lower() == "true":
        return f"protected by the label {PROTECTED_LABEL}=true"
    return None


def refusal(skipped: list[Skipped]) -> str:
    """One line for a command that can touch none of its containers; docker's own words when all run."""
    if all(s.reason == RUNNING for s in skipped):
        names = ", ".join(s.target.name for s in skipped)
        return f"You cannot remove a running container: {names}. Stop it first, or use `rm -f`."
    return "Refused: " + "; ".join(f"{s.target.name} is {s.reason}" for s in skipped) + "."


def container_target(container: ContainerInfo) -> Target:
    return Target("container", container.id, container.name, f"{container.image} · {container.status}")


def volume_notes(containers: list[ContainerInfo], *, taken: bool) -> tuple[str, ...]:
    count = sum(len(c.anonymous_volumes) for c in containers)
    if not count:
        return ()
    volumes = f"{count} anonymous volume{'s' if count != 1 else ''}"
    if taken:
        return (f"{volumes} {'go' if count != 1 else 'goes'} with them; named volumes are kept.",)
    return (f"{volumes} {'stay' if count != 1 else 'stays'}; add -v to remove them too.",)


def outcome(verb: str, targets: tuple[Target, ...], failures: list[Failure]) -> Outcome:
    """`Stopped web, db.` plus one line per container the engine refused."""
    failed = {f.target for f in failures}
    names = {t.id: t.name for t in targets}
    done = tuple(t for t in targets if t.id not in failed)
    summary = f"{verb} {', '.join(t.name for t in done)}." if done else f"Nothing was {verb.lower()}."
    return Outcome(summary, tuple(f"{names.get(f.target, f.target)}: {f.reason}" for f in failures), done)
