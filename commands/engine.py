"""The one gateway to the Docker engine: the only module that imports `docker`.

Every call is a single bounded request where docker-py offers a slower convenience (no per-container
inspect when listing, `tail` always an int, log reads capped in bytes), and every docker error leaves this
module as a `commands.errors` error with a short human message.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

import docker
import docker.errors
import requests.exceptions
import urllib3
from docker.transport.unixconn import UnixHTTPConnectionPool
from docker.utils import parse_repository_tag

from commands.errors import Ambiguous, CommandError, Conflict, EngineError, EngineUnavailable, NotFound
from commands.models import ContainerInfo, ContainerSpec, EngineEvent, Failure, ImageInfo

POOL_SIZE = 8
MAX_LOG_BYTES = 16 * 1024 * 1024
_ANONYMOUS_VOLUME = re.compile(r"^[0-9a-f]{64}$")


class Engine:
    """A thread-safe handle on one Docker engine, connected lazily so a down engine is a reply, not a crash."""

    def __init__(self, *, base_url: str | None = None, timeout: int = 60, max_pool_size: int = 16) -> None:
        self._base_url = base_url
        self.where = base_url or docker.utils.kwargs_from_env().get("base_url") or "unix:///var/run/docker.sock"
        """The engine address as the docker CLI would name it (read once: listing and removal consult it)."""
        self._timeout = timeout
        self._max_pool_size = max_pool_size
        self._client: docker.DockerClient | None = None
        self._pool: UnixHTTPConnectionPool | None = None
        self._lock = threading.Lock()


    @property
    def api(self) -> docker.APIClient:
        with self._lock:
            if self._client is None:
                with self._translated():
                    self._client = self._connect()
            return self._client.api

    def _connect(self) -> docker.DockerClient:
        if self._base_url:
            return docker.DockerClient(
                base_url=self._base_url, timeout=self._timeout, max_pool_size=self._max_pool_size
            )
        return docker.from_env(timeout=self._timeout, max_pool_size=self._max_pool_size)

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None
            if self._pool is not None:
                self._pool.close()
                self._pool = None

    # -- errors -----------------------------------------------------------------------------------------

    @contextmanager
    def _translated(self, subject: str = "") -> Iterator[None]:
        """Turn whatever docker-py or requests raise into one of our errors, in this one place."""
        try:
            yield
        except CommandError:
            raise
        except docker.errors.NotFound as err:
            raise NotFound(_short(err) if not subject else f"No such {subject}.") from err
        except docker.errors.APIError as err:
            if err.status_code == 409:
                raise Conflict(_short(err)) from err
            raise EngineError(_short(err)) from err
        except docker.errors.InvalidArgument as err:
            raise EngineError(_first_line(str(err))) from err
        except (
            requests.exceptions.ConnectionError,
            docker.errors.DockerException,
            urllib3.exceptions.HTTPError,
        ) as err:
            if isinstance(err, requests.exceptions.ReadTimeout | urllib3.exceptions.ReadTimeoutError):
                raise EngineError(f"The Docker engine did not answer within {self._timeout} s.") from err
            raise EngineUnavailable(
                f"Cannot connect to the Docker daemon at {self.where}. Is the docker daemon running?"
            ) from err

    # -- system -----------------------------------------------------------------------------------------

    def ping(self) -> bool:
        try:
            with self._translated():
                return bool(self.api.ping())
        except CommandError:
            return False

    def version(self) -> dict[str, Any]:
        with self._translated():
            return dict(self.api.version())

    def events(
        self, *, since_ns: int | None = None, until_ns: int | None = None, filters: dict[str, list[str]] | None = None
    ) -> EventStream:
        """`docker events` from `since_ns` (inclusive, nanoseconds: a float cannot resume exactly) on.

        Without `until_ns` the stream never ends by itself, and ends silently when the daemon restarts:
        callers reconnect with the last `time_ns` they saw, and `close()` it from another thread to stop.
        """
        with self._translated():
            raw = self.api.events(
                since=_nano_param(since_ns), until=_nano_param(until_ns), filters=filters or None, decode=True
            )
        return EventStream(raw, self.where)

    # -- containers -------------------------------------------------------------------------------------

    def containers(
        self, *, all: bool = False, filters: dict[str, list[str]] | None = None, limit: int | None = None
    ) -> list[ContainerInfo]:
        """`docker ps` in one request: docker-py's `containers.list` would inspect every container."""
        with self._translated():
            pool = self._socket_pool()
            if pool is None:
                rows = self.api.containers(all=all, filters=filters or None, limit=limit or -1)
            else:
                query = {"all": int(all), "limit": limit or -1} | ({"filters": json.dumps(filters)} if filters else {})
                rows = self._call(pool, "GET", f"/containers/json?{urlencode(query)}")
        return [_container_info(row) for row in rows]

    def find_containers(self, refs: list[str]) -> list[ContainerInfo]:
        """Resolve names, full ids or unique id prefixes the way docker does, with one listing for all."""
        everything = self.containers(all=True)
        found: dict[str, ContainerInfo] = {}
        missing = []
        for ref in refs:
            container = _resolve(ref, everything)
            if container is None:
                missing.append(ref)
            else:
                found.setdefault(container.id, container)
        if missing:
            raise NotFound(f"No such container: {', '.join(missing)}")
        return list(found.values())

    def inspect_container(self, container_id: str) -> dict[str, Any]:
        with self._translated("container"):
            return dict(self.api.inspect_container(container_id))

    def logs(
        self, container_id: str, *, tail: int, since: datetime | None = None, timestamps: bool = False
    ) -> tuple[bytes, bool]:
        """The last `tail` lines, read as a stream and cut at MAX_LOG_BYTES; returns (data, truncated)."""
        chunks: list[bytes] = []
        size = 0
        with self._translated("container"):
            stream = self.api.logs(
                container_id,
                stream=True,
                follow=False,
                tail=int(tail),
                since=since.timestamp() if since and since.timestamp() > 0 else None,
                timestamps=timestamps,
            )
            try:
                for chunk in stream:
                    chunks.append(chunk)
                    size += len(chunk)
                    if size >= MAX_LOG_BYTES:
                        return b"".join(chunks)[:MAX_LOG_BYTES], True
            finally:
                stream.close()
        return b"".join(chunks), False

    def stop(self, container_ids: list[str], *, timeout: int | None = None) -> list[Failure]:
        return self._each(container_ids, lambda cid: self.api.stop(cid, timeout=timeout))

    def start(self, container_ids: list[str]) -> list[Failure]:
        return self._each(container_ids, self.api.start)

    def restart(self, container_ids: list[str], *, timeout: int | None = None) -> list[Failure]:
        return self._each(container_ids, lambda cid: self.api.restart(cid, timeout=10 if timeout is None else timeout))

    def remove_containers(
        self, container_ids: list[str], *, force: bool = False, volumes: bool = False
    ) -> list[Failure]:
        """`volumes` takes anonymous volumes along, as `docker rm -v` does; named ones are never removed."""
        pool = self._socket_pool()
        if pool is None:
            return self._each(container_ids, lambda cid: self.api.remove_container(cid, v=volumes, force=force))
        query = f"v={int(volumes)}&force={int(force)}"
        return self._each(container_ids, lambda cid: self._call(pool, "DELETE", f"/containers/{quote(cid)}?{query}"))

    def _socket_pool(self) -> UnixHTTPConnectionPool | None:
        """docker-py's own unix-socket transport without requests on top, for the hot paths (listing, bulk
        removal): a third less CPU per request and one read of the body, which on 2 cores is what keeps
        `ps -a` and `cleanup` of hundreds of containers well ahead of the CLI."""
        if not self.where.startswith("unix://"):
            return None
        with self._lock:
            if self._pool is None:
                path = self.where.removeprefix("unix://")
                self._pool = UnixHTTPConnectionPool(
                    "http+docker://localhost", path, timeout=urllib3.Timeout(self._timeout), maxsize=POOL_SIZE
                )
            return self._pool

    def _call(self, pool: UnixHTTPConnectionPool, method: str, path: str) -> Any:
        """One request over the socket pool; the engine's refusals become our errors as in `_translated`."""
        # One retry: a pooled keep-alive connection can be stale after the daemon restarted (both verbs used
        # here are idempotent: a removal that already happened answers 404, which counts as done).
        response = pool.urlopen(method, f"/v{self.api.api_version}{path}", retries=urllib3.Retry(1, redirect=False))
        if response.status < 400:
            return json.loads(response.data) if response.data else None
        try:
            message = str(json.loads(response.data)["message"])
        except (ValueError, KeyError, TypeError):
            message = response.reason or f"HTTP {response.status}"
        raise {404: NotFound, 409: Conflict}.get(response.status, EngineError)(_first_line(message))

    def _each(self, targets: list[str], call: Callable[[str], object]) -> list[Failure]:
        """Apply `call` to every target on a small pool (the engine works on them concurrently); a target
        that vanished meanwhile counts as done, any other refusal is reported, not raised."""

        def one(target: str) -> Failure | None:
            try:
                with self._translated():
                    call(target)
            except NotFound:
                return None
            except CommandError as err:
                return Failure(target, err.message)
            return None

        if len(targets) <= 1:
            outcomes = [one(target) for target in targets]
        else:
            with ThreadPoolExecutor(max_workers=min(POOL_SIZE, len(targets))) as pool:
                outcomes = list(pool.map(one, targets))
        return [failure for failure in outcomes if failure is not None]

    def create_and_start(self, spec: ContainerSpec) -> str:
        """`docker run -d` for a validated spec: networks and named volumes first, the image if missing."""
        with self._translated():
            for network in spec.networks:
                self._ensure_network(network, spec.labels)
            for volume in spec.named_volumes:
                self._ensure_volume(volume, spec.labels)
            if not self.api.images(name=spec.image, quiet=True):
                self.pull(spec.image)
            container = self.api.create_container(
                image=spec.image,
                name=spec.name,
                command=spec.command,
                entrypoint=spec.entrypoint,
                environment=dict(spec.environment),
                ports=[_port_key(key) for key in spec.ports],
                volumes=list(spec.anonymous_volumes) or None,
                labels=dict(spec.labels),
                working_dir=spec.working_dir,
                user=spec.user,
                healthcheck=dict(spec.healthcheck) if spec.healthcheck else None,
                host_config=self._host_config(spec),
                networking_config=self._networking_config(spec),
                detach=True,
            )
            container_id = str(container["Id"])
            for network in spec.networks[1:]:
                self.api.connect_container_to_network(container_id, network, aliases=[spec.name])
            self.api.start(container_id)
            return container_id

    def _host_config(self, spec: ContainerSpec) -> dict[str, Any]:
        return dict(
            self.api.create_host_config(
                port_bindings={key: list(bindings) for key, bindings in spec.ports.items()},
                binds={source: dict(target) for source, target in spec.binds.items()},
                restart_policy=dict(spec.restart) if spec.restart else None,
                mem_limit=spec.mem_limit,
                nano_cpus=spec.nano_cpus,
                network_mode=spec.networks[0] if spec.networks else None,
            )
        )

    def _networking_config(self, spec: ContainerSpec) -> dict[str, Any] | None:
        if not spec.networks:
            return None
        endpoint = self.api.create_endpoint_config(aliases=[spec.name])
        return dict(self.api.create_networking_config({spec.networks[0]: endpoint}))

    def _ensure_network(self, name: str, labels: dict[str, str] | Any) -> None:
        # The engine's `name` filter matches substrings: `web` finds `web-2`; only an exact name counts.
        if not any(n.get("Name") == name for n in self.api.networks(names=[name])):
            self.api.create_network(name, driver="bridge", labels=dict(labels), check_duplicate=True)

    def _ensure_volume(self, name: str, labels: dict[str, str] | Any) -> None:
        try:
            self.api.inspect_volume(name)
        except docker.errors.NotFound:
            self.api.create_volume(name, labels=dict(labels))

    # -- images -----------------------------------------------------------------------------------------

    def images(self, *, repository: str | None = None, dangling: bool | None = None) -> list[ImageInfo]:
        filters = {"dangling": [str(dangling).lower()]} if dangling is not None else None
        with self._translated():
            rows = self.api.images(name=repository, filters=filters)
        return [_image_info(row) for row in rows]

    def inspect_image(self, ref: str) -> ImageInfo:
        with self._translated():
            try:
                data = self.api.inspect_image(ref)
            except docker.errors.NotFound:
                raise NotFound(f"No such image: {ref}") from None
        return _image_info({**data, "Created": _parse_time(data["Created"]).timestamp()})

    def image_ids_in_use(self) -> set[str]:
        """Images some container (running or not) was created from: prune must keep them."""
        with self._translated():
            return {str(row["ImageID"]) for row in self.api.containers(all=True)}

    def remove_images(self, refs: list[str]) -> list[Failure]:
        return self._each(refs, self.api.remove_image)

    def pull(self, ref: str, on_message: Callable[[dict[str, Any]], None] | None = None) -> str:
        """Pull an image, surfacing the stream's errors (docker-py does not raise them); returns the digest."""
        repository, tag = parse_repository_tag(ref)
        digest = ""
        with self._translated():
            for message in self.api.pull(repository, tag=tag or "latest", stream=True, decode=True):
                if "error" in message:
                    raise EngineError(_first_line(str(message.get("error"))))
                status = str(message.get("status", ""))
                if status.startswith("Digest: "):
                    digest = status.removeprefix("Digest: ")
                if on_message is not None:
                    on_message(message)
        return digest


class EventStream:
    """An open events stream: iterate for `EngineEvent`s; `close()` (any thread) ends the iteration quietly."""

    def __init__(self, raw: Any, where: str) -> None:
        self._raw = raw
        self._where = where
        self._closed = threading.Event()

    def __iter__(self) -> Iterator[EngineEvent]:
        try:
            for item in self._raw:
                yield _engine_event(item)
        except Exception as err:  # a cut stream surfaces as urllib3, requests or socket errors alike
            if self._closed.is_set():
                return
            raise EngineUnavailable(f"The events stream from the Docker engine at {self._where} broke.") from err

    def close(self) -> None:
        self._closed.set()
        self._raw.close()


def _engine_event(item: dict[str, Any]) -> EngineEvent:
    actor = item.get("Actor") or {}
    return EngineEvent(
        type=str(item.get("Type", "")),
        action=str(item.get("Action", "")),
        id=str(actor.get("ID") or item.get("id", "")),
        time_ns=int(item.get("timeNano") or int(item.get("time", 0)) * 1_000_000_000),
        attributes={str(k): str(v) for k, v in (actor.get("Attributes") or {}).items()},
    )


def _nano_param(time_ns: int | None) -> str | None:
    """The engine's `seconds.nanoseconds` form of a timestamp."""
    return None if time_ns is None else f"{time_ns // 1_000_000_000}.{time_ns % 1_000_000_000:09d}"


def parse_time(text: str) -> datetime:
    """The engine's RFC 3339 times (nanoseconds and all) as an aware datetime."""
    return _parse_time(text)


def _resolve(ref: str, containers: list[ContainerInfo]) -> ContainerInfo | None:
    name = ref.removeprefix("/")
    for container in containers:
        if container.id == ref or container.name == name:
            return container
    matches = [c for c in containers if c.id.startswith(ref.lower())] if ref else []
    if len(matches) > 1:
        names = ", ".join(sorted(f"{c.name} ({c.short_id})" for c in matches))
        raise Ambiguous(f"`{ref}` matches {len(matches)} containers: {names}. Use more of the id.")
    return matches[0] if matches else None


def _container_info(row: dict[str, Any]) -> ContainerInfo:
    names = row.get("Names") or ["/"]
    return ContainerInfo(
        id=row["Id"],
        name=names[0].removeprefix("/"),
        image=row.get("Image", ""),
        command=row.get("Command", ""),
        created=datetime.fromtimestamp(row.get("Created", 0), UTC),
        state=row.get("State", ""),
        status=row.get("Status", ""),
        ports=format_ports(row.get("Ports") or []),
        labels=row.get("Labels") or {},
        anonymous_volumes=tuple(
            m["Name"]
            for m in row.get("Mounts") or []
            if m.get("Type") == "volume" and _ANONYMOUS_VOLUME.match(m.get("Name", ""))
        ),
    )


def _image_info(row: dict[str, Any]) -> ImageInfo:
    tags = tuple(t for t in row.get("RepoTags") or [] if t != "<none>:<none>")
    return ImageInfo(
        id=row["Id"],
        tags=tags,
        size=int(row.get("Size", 0)),
        created=datetime.fromtimestamp(int(row.get("Created", 0)), UTC),
    )


def format_ports(ports: list[dict[str, Any]]) -> str:
    """Like `docker ps`: `0.0.0.0:1234->6379/tcp`, IPv4 and IPv6 twins shown once."""
    seen: list[str] = []
    for port in sorted(ports, key=lambda p: (p.get("PrivatePort", 0), p.get("IP", ""))):
        inner = f"{port.get('PrivatePort')}/{port.get('Type', 'tcp')}"
        text = (
            f"{port['IP'] if ':' not in port['IP'] else '[::]'}:{port['PublicPort']}->{inner}"
            if port.get("PublicPort")
            else inner
        )
        twin = text.replace("[::]", "0.0.0.0")
        if text not in seen and twin not in seen:
            seen.append(text)
    return ", ".join(seen)


def _port_key(key: str) -> tuple[int, str] | int:
    number, _, protocol = key.partition("/")
    return (int(number), protocol) if protocol and protocol != "tcp" else int(number)


def _parse_time(text: str) -> datetime:
    """The engine's RFC 3339 times carry nanoseconds; Python takes microseconds."""
    trimmed = re.sub(r"(\.\d{6})\d+", r"\1", text).replace("Z", "+00:00")
    return datetime.fromisoformat(trimmed)


def _short(err: docker.errors.APIError) -> str:
    explanation = err.explanation if isinstance(err.explanation, str) else str(err)
    return _first_line(explanation)


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else "The Docker engine refused."
    line = line[0].upper() + line[1:]
    return line if len(line) <= 300 else line[:297] + "..."
