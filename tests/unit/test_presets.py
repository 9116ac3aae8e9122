"""Presets are Compose services: strict validation at load, with key, preset and line; service → spec."""

from __future__ import annotations

from pathlib import Path

import pytest

from commands.compose import to_spec
from commands.errors import PresetError
from commands.presets import PRESET_LABEL, Presets

FULL = """\
version: "3.8"
name: team
x-common: &common
  restart: "no"
services:
  web:
    image: registry.example:5000/team/web:1.2
    container_name: team-web
    command: sh -c 'echo "hello world" && sleep 1'
    entrypoint: ["/bin/tini", "--"]
    environment:
      MODE: prod
      WORKERS: 4
      DEBUG: false
      EMPTY:
    env_file: web.env
    ports:
      - "127.0.0.1:8080:80"
      - "53:53/udp"
      - "80"
      - 9000
    volumes:
      - data:/var/lib/data
      - ./conf:/etc/conf:ro
      - /srv/static:/static
      - /scratch
    networks:
      - backend
    restart: on-failure:3
    labels:
      - team=ops
      - tier=web
    working_dir: /app
    user: 1000
    healthcheck:
      test: wget -q -O- http://localhost/ || exit 1
      interval: 30s
      timeout: 1500ms
      retries: 3
      start_period: 1m30s
    mem_limit: 6m
    cpus: 0.5
  worker:
    image: busybox
    command: ["sleep", "60"]
    environment:
      - A=1
      - B=x=y
    labels:
      owner: me
    networks:
      backend:
    healthcheck:
      disable: true
    mem_limit: 1g
    cpus: "1.5"
volumes:
  data:
networks:
  backend:
"""


@pytest.fixture
def base(tmp_path: Path) -> Path:
    """A presets directory with the env_file the full example refers to."""
    (tmp_path / "web.env").write_text("# comment\nMODE=dev\nFROM_FILE=yes\n\nSECRET=a=b\n")
    return tmp_path


def load(text: str, base: Path) -> Presets:
    path = base / "presets.yml"
    path.write_text(text)
    return Presets.load(path)


def test_full_file_loads(base: Path) -> None:
    """Every supported key is accepted; `x-` extensions are ignored; names are sorted."""
    presets = load(FULL, base)
    assert presets.names() == ["web", "worker"]
    assert presets.base == base
    assert presets.get("web").image == "registry.example:5000/team/web:1.2"


def test_full_service_to_spec(base: Path) -> None:
    """Ports, volumes, env, restart, healthcheck, limits and labels become the engine's spec."""
    spec = to_spec("web", load(FULL, base).get("web"), base=base)
    assert spec.image == "registry.example:5000/team/web:1.2"
    assert spec.name == "team-web"
    assert spec.command == ["sh", "-c", 'echo "hello world" && sleep 1']
    assert spec.entrypoint == ["/bin/tini", "--"]
    assert spec.environment == {
        "MODE": "prod",  # `environment` wins over env_file, as in Compose
        "FROM_FILE": "yes",
        "SECRET": "a=b",
        "WORKERS": "4",
        "DEBUG": "false",
        "EMPTY": "",
    }
    assert spec.ports == {
        "80/tcp": [("127.0.0.1", 8080), ("", None)],
        "53/udp": [("", 53)],
        "9000/tcp": [("", None)],
    }
    assert spec.binds == {
        "data": {"bind": "/var/lib/data", "mode": "rw"},
        str((base / "conf").resolve()): {"bind": "/etc/conf", "mode": "ro"},
        "/srv/static": {"bind": "/static", "mode": "rw"},
    }
    assert spec.named_volumes == ("data",)
    assert spec.anonymous_volumes == ("/scratch",)
    assert spec.networks == ("backend",)
    assert spec.restart == {"Name": "on-failure", "MaximumRetryCount": 3}
    assert spec.labels == {"team": "ops", "tier": "web", PRESET_LABEL: "web"}
    assert spec.working_dir == "/app"
    assert spec.user == "1000"
    assert spec.healthcheck == {
        "test": ["CMD-SHELL", "wget -q -O- http://localhost/ || exit 1"],
        "retries": 3,
        "interval": 30_000_000_000,
        "timeout": 1_500_000_000,
        "start_period": 90_000_000_000,
    }
    assert spec.mem_limit == 6 * 1024 * 1024
    assert spec.nano_cpus == 500_000_000


def test_second_service_to_spec(base: Path) -> None:
    """List env, map labels, map networks, disabled healthcheck, `--name` override, string cpus."""
    spec = to_spec("worker", load(FULL, base).get("worker"), base=base, container_name="w2")
    assert spec.name == "w2"
    assert spec.command == ["sleep", "60"]
    assert spec.entrypoint is None
    assert spec.environment == {"A": "1", "B": "x=y"}
    assert spec.labels == {"owner": "me", PRESET_LABEL: "worker"}
    assert spec.networks == ("backend",)
    assert spec.healthcheck == {"test": ["NONE"]}
    assert spec.restart is None
    assert spec.mem_limit == 1024**3
    assert spec.nano_cpus == 1_500_000_000
    assert spec.ports == {}
    assert spec.binds == {}


def test_minimal_service_defaults(tmp_path: Path) -> None:
    """Only `image`: the container is named after the preset and carries the preset label."""
    presets = Presets.parse("services:\n  redis:\n    image: redis:7\n", base=tmp_path)
    spec = to_spec("redis", presets.get("redis"), base=tmp_path)
    assert (spec.name, spec.image, spec.labels) == ("redis", "redis:7", {PRESET_LABEL: "redis"})
    assert spec.restart is None
    assert spec.healthcheck is None
    assert spec.mem_limit is None
    assert spec.nano_cpus is None
    assert spec.environment == {}


def test_restart_no_means_no_policy(tmp_path: Path) -> None:
    """`restart: "no"` sends no policy at all."""
    presets = Presets.parse('services:\n  a:\n    image: a\n    restart: "no"\n', base=tmp_path)
    assert to_spec("a", presets.get("a"), base=tmp_path).restart is None


def test_unknown_preset(tmp_path: Path) -> None:
    """`run nosuch` names what exists."""
    presets = Presets.parse("services:\n  b:\n    image: b\n  a:\n    image: a\n", base=tmp_path)
    with pytest.raises(PresetError, match=r"^No preset `nosuch`\. Presets: a, b\.$"):
        presets.get("nosuch")
    with pytest.raises(PresetError, match="none are configured"):
        Presets.empty().get("x")


def test_missing_env_file_is_reported(tmp_path: Path) -> None:
    """A missing env_file is a PresetError naming the file, not an OSError."""
    presets = Presets.parse("services:\n  a:\n    image: a\n    env_file: nope.env\n", base=tmp_path)
    with pytest.raises(PresetError, match=r"Cannot read env_file .*nope\.env: No such file or directory"):
        to_spec("a", presets.get("a"), base=tmp_path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "services:\n  web:\n    image: nginx\n    privileged: true\n",
            "presets line 4: preset `web`: unknown key `privileged` (not a supported Compose key).",
        ),
        (
            "services:\n  web:\n    image: nginx\n    healthcheck:\n      test: x\n      intervall: 5s\n",
            "presets line 6: preset `web`: unknown key `intervall` (not a supported Compose key).",
        ),
        ("configs: {}\nservices:\n  a:\n    image: a\n", "presets line 1: unknown key `configs`"),
        (
            "services:\n  web:\n    image: nginx\n    ports:\n      - '80:80'\n      - 'eighty:80'\n",
            "presets line 4: preset `web`: `ports`: `eighty:80` is not a port mapping",
        ),
        ("services:\n  web:\n    image: a\n    ports: ['70000:80']\n", "`70000:80` is not a port mapping"),
        ("services:\n  web:\n    image: a\n    ports: ['0:80']\n", "`0:80` is not a port mapping"),
        ("services:\n  web:\n    image: a\n    ports: ['80/icmp']\n", "`80/icmp` is not a port mapping"),
        ("services:\n  web:\n    container_name: w\n", "presets line 2: preset `web`: missing `image`."),
        (
            "services:\n  web:\n    image: a\n    restart: sometimes\n",
            "presets line 4: preset `web`: `restart`: `sometimes` is not a restart policy",
        ),
        ("services:\n  web:\n    image: a\n    restart: on-failure:x\n", "`on-failure:x` is not a restart policy"),
        (
            "services:\n  web:\n    image: a\n    volumes:\n      - data\n",
            "presets line 4: preset `web`: `volumes`: `data` is not a volume",
        ),
        ("services:\n  web:\n    image: a\n    volumes: ['a:b:c:d']\n", "`a:b:c:d` is not a volume"),
        ("services:\n  web:\n    image: a\n    volumes: ['data:relative']\n", "`data:relative` is not a volume"),
        ("services:\n  web:\n    image: a\n    mem_limit: lots\n", "`lots` is not a memory size"),
        (
            "services:\n  web:\n    image: a\n    healthcheck:\n      interval: soon\n",
            "preset `web`: `healthcheck.interval`: `soon` is not a duration",
        ),
        ("services:\n  'bad name':\n    image: a\n", "preset name `bad name` may only use letters"),
        ("volumes: {}\n", "presets: missing `services`."),
        ("- a\n- b\n", "expected a Compose file with a top-level `services:` map"),
        ("", "expected a Compose file with a top-level `services:` map"),
        ("just text\n", "expected a Compose file with a top-level `services:` map"),
        ("services:\n  web: [\n", "presets line 3: not valid YAML: expected the node content"),
        ("services:\n  web:\n    image: a\n   bad: indent\n", "presets line 4: not valid YAML: expected <block end>"),
        (
            "services:\n  a:\n    image: a\n    cpus: lots\n",
            "presets line 4: preset `a`: `cpus`: Input should be a valid number",
        ),
    ],
)
def test_invalid_files(text: str, message: str, tmp_path: Path) -> None:
    """Each problem is one PresetError naming the key, the preset and the line where known."""
    with pytest.raises(PresetError) as caught:
        Presets.parse(text, base=tmp_path)
    assert message in caught.value.message
    assert "\n" not in caught.value.message


def test_error_names_the_file(tmp_path: Path) -> None:
    """Loading from a path names that path in the error."""
    path = tmp_path / "compose.yml"
    path.write_text("services:\n  a:\n    image: a\n    build: .\n")
    with pytest.raises(PresetError, match=rf"^{path} line 4: preset `a`: unknown key `build`"):
        Presets.load(path)


@pytest.mark.parametrize(
    ("name", "reason"),
    [("missing.yml", "No such file or directory"), (".", "Is a directory"), ("binary.yml", "not UTF-8 text")],
)
def test_unreadable_file(name: str, reason: str, tmp_path: Path) -> None:
    """A missing file, a directory or a binary file is a PresetError with the reason."""
    (tmp_path / "binary.yml").write_bytes(b"\xff\xfe\x00services")
    with pytest.raises(PresetError, match=rf"^Cannot read the presets file {tmp_path}/?.*: {reason}\.$"):
        Presets.load(tmp_path / name)


def test_extension_keys_are_accepted(tmp_path: Path) -> None:
    """`x-` keys at the top level (Compose extensions, often YAML anchors) are ignored."""
    text = "x-base: &base\n  image: busybox\nx-other: 1\nservices:\n  a:\n    <<: *base\n    command: sleep 1\n"
    service = Presets.parse(text, base=tmp_path).get("a")
    assert (service.image, service.command) == ("busybox", "sleep 1")


def test_extension_keys_inside_a_service_are_accepted(tmp_path: Path) -> None:
    """Compose allows `x-` keys in services and nested mappings too."""
    text = "services:\n  a:\n    image: a\n    x-note: hi\n    healthcheck:\n      x-why: because\n      retries: 2\n"
    service = Presets.parse(text, base=tmp_path).get("a")
    assert service.healthcheck is not None
    assert service.healthcheck.retries == 2


@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        ("6m", 6 * 1024**2),
        ("512mb", 512 * 1024**2),
        ("1.5g", 1536 * 1024**2),
        ("2GB", 2 * 1024**3),
        ("100k", 102400),
        ("64b", 64),
        (4096, 4096),
    ],
)
def test_mem_limit_units(limit: str | int, expected: int, tmp_path: Path) -> None:
    """Compose byte values: b, k/kb, m/mb, g/gb, or a plain number of bytes."""
    presets = Presets.parse(f"services:\n  a:\n    image: a\n    mem_limit: {limit}\n", base=tmp_path)
    assert to_spec("a", presets.get("a"), base=tmp_path).mem_limit == expected


def test_unquoted_version_is_accepted(tmp_path: Path) -> None:
    """`version: 3.8` (a YAML float) is as obsolete, and as harmless, as the quoted form."""
    assert Presets.parse("version: 3.8\nservices:\n  a:\n    image: a\n", base=tmp_path).names() == ["a"]


def test_example_file_loads_if_present() -> None:
    """The shipped example, when it exists, is a valid presets file with the classic four."""
    path = Path(__file__).parents[2] / "presets.example.yml"
    if not path.exists():
        pytest.skip("presets.example.yml not written yet")
    presets = Presets.load(path)
    assert {"ubuntu", "redis", "mysql", "wordpress"} <= set(presets.names())
    assert to_spec("redis", presets.get("redis"), base=presets.base).ports == {"6379/tcp": [("", 1234)]}
