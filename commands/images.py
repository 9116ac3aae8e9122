"""Image commands: images, pull, image prune, image rm."""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar

from pydantic import Field, field_validator

from commands import humanize
from commands.base import Access, Arg, Command, Context, DestructiveCommand, Opt
from commands.filters import check_until, created_before
from commands.models import Failure, ImageInfo
from commands.results import Outcome, Plan, Result, Skipped, Table, Target

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
IMAGE_REF = re.compile(
    rf"^(?:[a-zA-Z0-9.-]+(?::\d+)?/)?{_COMPONENT}(?:/{_COMPONENT})*(?::[\w][\w.-]{{0,127}})?(?:@sha256:[0-9a-f]{{64}})?$"
)


def _check_ref(ref: str) -> str:
    if not IMAGE_REF.match(ref):
        raise ValueError(f"`{ref}` is not an image name; use NAME[:TAG], like redis:7")
    return ref


ImageRef = Annotated[str, Arg("IMAGE")]


def _as_tag(ref: str, image: ImageInfo) -> str:
    """`redis` names the tag `redis:latest`, as docker reads it; anything else (an id, a digest) stays."""
    return f"{ref}:latest" if ref not in image.tags and f"{ref}:latest" in image.tags else ref


class Images(Command):
    words = ("images",)
    aliases = (("image", "ls"), ("image", "list"))
    summary = "List images"

    repository: Annotated[str | None, Arg("REPOSITORY")] = None

    def run(self, ctx: Context) -> Result:
        rows = []
        for image in ctx.engine.images(repository=self.repository):
            for tag in image.tags or ("<none>:<none>",):
                repo, _, version = tag.rpartition(":")
                rows.append((repo, version, image.short_id, humanize.ago(image.created), humanize.size(image.size)))
        return Table(("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"), tuple(rows), empty="No images.")


class Pull(Command):
    words = ("pull",)
    aliases = (("image", "pull"),)
    summary = "Pull an image from its registry"
    access: ClassVar[Access] = Access.WRITE

    image: ImageRef

    _ref = field_validator("image")(_check_ref)

    def run(self, ctx: Context) -> Result:
        tracker = PullProgress(ctx.progress)
        digest = ctx.engine.pull(self.image, tracker.update)
        pulled = Target("image", digest or self.image, self.image)
        return Outcome(f"Pulled {self.image}" + (f" ({digest})." if digest else "."), changed=(pulled,))


class PullProgress:
    """Folds the per-layer pull stream into one line: `Downloading: 2 of 5 layers done, 12.3MB of 40MB`."""

    def __init__(self, report: Any) -> None:
        self._report = report
        self._layers: dict[str, tuple[str, int, int]] = {}

    def update(self, message: dict[str, Any]) -> None:
        layer = message.get("id")
        status = str(message.get("status", ""))
        if not layer or not status or status.startswith(("Pulling from", "Digest", "Status")):
            return
        detail = message.get("progressDetail") or {}
        _, done, total = self._layers.get(layer, ("", 0, 0))
        self._layers[layer] = (status, int(detail.get("current", done)), int(detail.get("total", total)))
        self._report(self.line())

    def line(self) -> str:
        finished = sum(1 for status, _, _ in self._layers.values() if status in ("Pull complete", "Already exists"))
        done = sum(d for _, d, _ in self._layers.values())
        total = sum(t for _, _, t in self._layers.values())
        size = f", {humanize.size(done)} of {humanize.size(total)}" if total else ""
        return f"Pulling: {finished} of {len(self._layers)} layers done{size}"


def image_target(image: ImageInfo, *, refs: tuple[str, ...] = ()) -> Target:
    return Target("image", image.id, image.label, humanize.ago(image.created), image.size, refs or image.tags)


def removal_outcome(plan: Plan, failures: list[Failure]) -> Outcome:
    failed = {f.target for f in failures}
    removed = [t for t in plan.targets if not failed.intersection(t.refs or (t.id,))]
    reclaimed = sum(t.size for t in removed)
    summary = f"Removed {len(removed)} image{'s' if len(removed) != 1 else ''}"
    summary += f", reclaimed about {humanize.size(reclaimed)}." if reclaimed else "."
    return Outcome(summary, tuple(f"{f.target}: {f.reason}" for f in failures), tuple(removed))


class ImagePrune(DestructiveCommand):
    words = ("image", "prune")
    summary = "Remove dangling images (-a: every image no container uses)"

    all: Annotated[bool, Opt(("-a", "--all"), "every unused image, not only dangling ones")] = False
    filters: Annotated[
        tuple[str, ...], Opt(("--filter",), "only those created before, e.g. until=24h", "until=WHEN")
    ] = ()

    _until = field_validator("filters")(check_until)

    def plan(self, ctx: Context) -> Plan:
        in_use = ctx.engine.image_ids_in_use()
        candidates = [i for i in ctx.engine.images(dangling=None if self.all else True) if i.id not in in_use]
        cutoff = created_before(self.filters)
        candidates = [i for i in candidates if cutoff is None or i.created < cutoff]
        targets = tuple(image_target(i, refs=i.tags or (i.id,)) for i in candidates)
        return Plan("Remove", targets, reclaim_bytes=sum(t.size for t in targets))

    def execute(self, ctx: Context, plan: Plan) -> Outcome:
        return removal_outcome(plan, ctx.engine.remove_images([r for t in plan.targets for r in t.refs]))


class ImageRm(DestructiveCommand):
    words = ("image", "rm")
    aliases = (("image", "rmi"), ("rmi",), ("image", "remove"))
    summary = "Remove images by name or id"

    images: Annotated[tuple[str, ...], Arg("IMAGE"), Field(min_length=1)]

    @field_validator("images")
    @classmethod
    def _refs(cls, images: tuple[str, ...]) -> tuple[str, ...]:
        for ref in images:
            if not re.fullmatch(r"(sha256:)?[0-9a-f]{4,64}", ref):
                _check_ref(ref)
        return images

    def plan(self, ctx: Context) -> Plan:
        in_use = ctx.engine.image_ids_in_use()
        targets, skipped = [], []
        for ref in dict.fromkeys(self.images):
            image = ctx.engine.inspect_image(ref)
            ref = _as_tag(ref, image)
            untag_only = ref in image.tags and len(image.tags) > 1
            target = image_target(image, refs=(ref if untag_only or ref in image.tags else image.id,))
            if image.id in in_use and not untag_only:
                skipped.append(Skipped(target, "a container uses it; remove the container first"))
            else:
                targets.append(target if not untag_only else Target("image", image.id, ref, "untag only", 0, (ref,)))
        return Plan("Remove", tuple(targets), tuple(skipped), reclaim_bytes=sum(t.size for t in targets))

    def execute(self, ctx: Context, plan: Plan) -> Outcome:
        return removal_outcome(plan, ctx.engine.remove_images([r for t in plan.targets for r in t.refs]))
