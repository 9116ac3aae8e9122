"""The command grammar: every command and alias, its flags, and every way a line can be wrong."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commands import CATALOG, COMMANDS, Command, parse
from commands.base import Arg
from commands.containers import Cleanup, Inspect, Logs, Ps, Restart, Rm, Start, Stop
from commands.errors import UsageError
from commands.grammar import MAX_INPUT, tokenize
from commands.images import ImagePrune, ImageRm, Images, Pull
from commands.system import Help, PresetList, Run, Version


def minimal_line(words: tuple[str, ...], cls: type[Command]) -> str:
    """The shortest valid line for a command: its words plus `redis` for every required positional."""
    required = [p for p in cls.params() if isinstance(p.spec, Arg) and p.required]
    return " ".join([*words, *("redis" for _ in required)])


@pytest.mark.parametrize(
    ("words", "cls"), sorted(CATALOG.items()), ids=lambda v: " ".join(v) if isinstance(v, tuple) else ""
)
def test_every_command_and_alias_parses(words: tuple[str, ...], cls: type[Command]) -> None:
    """Each name and alias in the catalog reaches its own command class."""
    command = parse(minimal_line(words, cls))
    assert type(command) is cls


@pytest.mark.parametrize(
    ("words", "cls"), sorted(CATALOG.items()), ids=lambda v: " ".join(v) if isinstance(v, tuple) else ""
)
def test_command_words_are_case_insensitive(words: tuple[str, ...], cls: type[Command]) -> None:
    """`PS`, `Image Ls`: chat clients capitalise the first letter."""
    assert type(parse(minimal_line(tuple(w.upper() for w in words), cls))) is cls


def test_catalog_covers_every_design_alias() -> None:
    """DESIGN.md section 2's aliases map to the command they stand for."""
    expected = {
        ("container", "ls"): Ps,
        ("container", "rm"): Rm,
        ("container", "prune"): Cleanup,
        ("image", "ls"): Images,
        ("image", "pull"): Pull,
        ("image", "rm"): ImageRm,
        ("rmi",): ImageRm,
        ("image", "prune"): ImagePrune,
    }
    for words, cls in expected.items():
        assert CATALOG[words] is cls
    assert set(CATALOG.values()) == set(COMMANDS)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("ps", Ps()),
        ("ps -a", Ps(all=True)),
        ("ps --all", Ps(all=True)),
        ("ps -af status=exited -n 3", Ps(all=True, filters=("status=exited",), last=3)),
        ("ps -f status=exited -f name=web", Ps(filters=("status=exited", "name=web"))),
        ("ps --filter=label=team=ops", Ps(filters=("label=team=ops",))),
        ("ps -n5", Ps(last=5)),
        ("ps --last=7", Ps(last=7)),
        ("container ls -a", Ps(all=True)),
        ("container ps", Ps()),
        ("run redis", Run(preset="redis")),
        ("run redis --name cache-1", Run(preset="redis", name="cache-1")),
        ("run --name=cache redis", Run(preset="redis", name="cache")),
        ("logs web", Logs(container="web")),
        ("logs web --tail 50 -t --since 10m", Logs(container="web", tail=50, timestamps=True, since="10m")),
        ("logs web --tail=5", Logs(container="web", tail=5)),
        ("logs web -n 0", Logs(container="web", tail=0)),
        (
            "logs --timestamps web --since 2026-11-27T10:00",
            Logs(container="web", timestamps=True, since="2026-11-27T10:00"),
        ),
        ("container logs web", Logs(container="web")),
        ("stop a b c", Stop(containers=("a", "b", "c"))),
        ("stop -t 5 web", Stop(containers=("web",), timeout=5)),
        ("start web", Start(containers=("web",))),
        ("restart --time=0 web db", Restart(containers=("web", "db"), timeout=0)),
        ("rm x", Rm(containers=("x",))),
        ("rm -fv a b", Rm(force=True, volumes=True, containers=("a", "b"))),
        ("rm -f -v a", Rm(force=True, volumes=True, containers=("a",))),
        ("rm --force a", Rm(force=True, containers=("a",))),
        ("container rm -v a", Rm(volumes=True, containers=("a",))),
        ("inspect web", Inspect(container="web")),
        ("images", Images()),
        ("images redis", Images(repository="redis")),
        ("image ls", Images()),
        ("image list busybox", Images(repository="busybox")),
        ("pull redis:7", Pull(image="redis:7")),
        ("pull 127.0.0.1:5000/dockbot-test/busybox:latest", Pull(image="127.0.0.1:5000/dockbot-test/busybox:latest")),
        ("image pull busybox", Pull(image="busybox")),
        ("image prune", ImagePrune()),
        ("image prune -a --filter until=24h", ImagePrune(all=True, filters=("until=24h",))),
        ("image prune --filter=until=2026-11-01", ImagePrune(filters=("until=2026-11-01",))),
        ("image rm redis:7 busybox", ImageRm(images=("redis:7", "busybox"))),
        ("rmi x", ImageRm(images=("x",))),
        ("image rmi sha256:abcdef0123", ImageRm(images=("sha256:abcdef0123",))),
        ("image remove 0123abcd", ImageRm(images=("0123abcd",))),
        ("cleanup", Cleanup()),
        ("cleanup --filter until=1h", Cleanup(filters=("until=1h",))),
        ("container prune", Cleanup()),
        ("presets", PresetList()),
        ("version", Version()),
        ("help", Help()),
        ("help logs", Help(command=("logs",))),
        ("help container ls", Help(command=("container", "ls"))),
    ],
)
def test_parse_binds_fields(line: str, expected: Command) -> None:
    """Flags, clusters, `--flag=value` and positionals land in the right fields."""
    assert parse(line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("logs web -- --tail", None),
        ("rm -f -- -odd-name", Rm(force=True, containers=("-odd-name",))),
        ("stop -- -a -b", Stop(containers=("-a", "-b"))),
    ],
)
def test_double_dash_ends_flags(line: str, expected: Command | None) -> None:
    """After `--` everything is a positional, even what looks like a flag."""
    if expected is None:
        with pytest.raises(UsageError, match="Unexpected argument `--tail`"):
            parse(line)
    else:
        assert parse(line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("logs \u201cmy web\u201d", Logs(container="my web")),
        ("logs \u2018my web\u2019", Logs(container="my web")),
        ('logs "my web"', Logs(container="my web")),
        ("ps -f \u201clabel=team=ops ai\u201d", Ps(filters=("label=team=ops ai",))),
        ("logs\u00a0web", Logs(container="web")),
        ("logs\tweb", Logs(container="web")),
    ],
)
def test_chat_quotes_and_spaces_are_plain(line: str, expected: Command) -> None:
    """Smart quotes and no-break spaces a chat client inserts behave like what the user meant."""
    assert parse(line) == expected


def test_tokenize_is_shell_like_without_a_shell() -> None:
    """Quotes group, `$()` and `;` are just characters."""
    assert tokenize("rm 'a b' $(ls); echo") == ["rm", "a b", "$(ls);", "echo"]


def test_negative_number_is_a_value_not_a_flag() -> None:
    """`-5` after `--tail` is its value, refused by range rather than read as a flag."""
    with pytest.raises(UsageError, match=r"--tail: input should be greater than or equal to 0"):
        parse("logs web --tail -5")


@pytest.mark.parametrize(
    ("line", "message", "usage"),
    [
        ("", "No command given", ""),
        ("   ", "No command given", ""),
        ("frobnicate", "Unknown command `frobnicate`", ""),
        ("container", "Unknown command `container`", ""),
        ("docker ps", "Unknown command `docker`", ""),
        ("logs", "Missing CONTAINER.", Logs.usage()),
        ("run", "Missing PRESET.", Run.usage()),
        ("rm -f", "Missing CONTAINER.", Rm.usage()),
        ("stop", "Missing CONTAINER.", Stop.usage()),
        ("pull", "Missing IMAGE.", Pull.usage()),
        ("rmi", "Missing IMAGE.", ImageRm.usage()),
        ("inspect", "Missing CONTAINER.", Inspect.usage()),
        ("ps web", "Unexpected argument `web`", Ps.usage()),
        ("logs a b", "Unexpected argument `b`", Logs.usage()),
        ("version now", "Unexpected argument `now`", Version.usage()),
        ("images a b", "Unexpected argument `b`", Images.usage()),
        ("ps -x", "Unknown flag `-x` for `ps`", Ps.usage()),
        ("ps --bogus", "Unknown flag `--bogus` for `ps`", Ps.usage()),
        ("ps -ax", "Unknown flag `-x` for `ps`", Ps.usage()),
        ("ps -xa", "Unknown flag `-xa` for `ps`", Ps.usage()),
        ("rm -rf /", "Unknown flag `-rf` for `rm`", Rm.usage()),
        ("image prune --force", "Unknown flag `--force` for `image prune`", ImagePrune.usage()),
        ("ps -f", "`-f` needs a value (KEY=VALUE)", Ps.usage()),
        ("logs web --tail", "`--tail` needs a value (N)", Logs.usage()),
        ("run redis --name", "`--name` needs a value (NAME)", Run.usage()),
        ("ps -a=1", "`-a` takes no value", Ps.usage()),
        ("logs web --timestamps=yes", "`--timestamps` takes no value", Logs.usage()),
        ("logs web --tail ten", "--tail: must be a whole number", Logs.usage()),
        ("logs web --tail 1.5", "--tail: must be a whole number", Logs.usage()),
        ("logs web --tail 10001", "--tail: input should be less than or equal to 10000", Logs.usage()),
        ("stop -t 601 web", "-t: input should be less than or equal to 600", Stop.usage()),
        ("ps -f colour=red", "`colour=red` is not a filter", Ps.usage()),
        ("ps -f status", "`status` is not a filter", Ps.usage()),
        ("ps -f name=", "`name=` is not a filter", Ps.usage()),
        ("ps -f status=sleeping", "-f: status must be one of created, dead, exited", Ps.usage()),
        ("logs web --since yesterday", "--since: `yesterday` is not a time", Logs.usage()),
        ("logs web --since 10", "--since: `10` is not a time", Logs.usage()),
        ("image prune --filter label=x", "--filter: `label=x` is not supported", ImagePrune.usage()),
        ("image prune --filter until=soon", "--filter: `soon` is not a time", ImagePrune.usage()),
        ("cleanup --filter status=exited", "--filter: `status=exited` is not supported", Cleanup.usage()),
        ("container prune --filter until=", "--filter: `` is not a time", Cleanup.usage()),
        ("pull Redis", "IMAGE: `Redis` is not an image name", Pull.usage()),
        ("pull redis:", "IMAGE: `redis:` is not an image name", Pull.usage()),
        ("pull 'redis;rm -rf'", "is not an image name", Pull.usage()),
        ("rmi 'a b'", "IMAGE...: `a b` is not an image name", ImageRm.usage()),
        ("logs web --since 99999999999d", "--since: `99999999999d` is not a time", Logs.usage()),
        ("logs web --since 99999999999999999999", "is not a time", Logs.usage()),
        ("image prune --filter until=999999999999h", "is not a time", ImagePrune.usage()),
        ("run redis --name -bad", "--name: a container name uses letters", Run.usage()),
        ("run redis --name 'a b'", "--name: a container name uses letters", Run.usage()),
        ("ps\x07", "control characters", ""),
        ("ps\n-a", "control characters", ""),
        ("logs web\u200b", "control characters", ""),
        ("logs 'web", "Could not read the command: No closing quotation", ""),
        ("logs \u201cweb", "Could not read the command: No closing quotation", ""),
        ("logs web\\", "Could not read the command: No escaped character", ""),
    ],
)
def test_usage_errors(line: str, message: str, usage: str) -> None:
    """Each way of being wrong gives one short message, plus the usage line when the command is known."""
    with pytest.raises(UsageError) as caught:
        parse(line)
    assert message in caught.value.message
    assert caught.value.usage == usage
    assert "\n" not in caught.value.message
    assert len(caught.value.message) < 200


def test_ps_last_zero_is_out_of_range() -> None:
    """`-n 0` is refused: the smallest useful count is 1."""
    with pytest.raises(UsageError, match=r"^-n: input should be greater than or equal to 1\.$"):
        parse("ps -n 0")


@pytest.mark.parametrize("length", [MAX_INPUT + 1, 3000])
def test_overlong_input_is_refused(length: int) -> None:
    """Input beyond the limit is refused before it is even tokenized."""
    text = "ps " + "a" * (length - 3)
    with pytest.raises(UsageError, match=f"{length} characters long; the limit is {MAX_INPUT}"):
        parse(text)


def test_input_at_the_limit_is_read() -> None:
    """Exactly MAX_INPUT characters still parse (the error then is about the argument)."""
    with pytest.raises(UsageError, match="Unexpected argument"):
        parse("ps " + "a" * (MAX_INPUT - 3))


WORDS = sorted({w for words in CATALOG for w in words})
FLAGS = sorted({n for cls in COMMANDS for p in cls.params() if hasattr(p.spec, "names") for n in p.spec.names})
PIECES = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(FLAGS),
    st.sampled_from(["--", "-", "=", '"', "'", "\u201c", "\u2019", "-fv", "-af", "-n5", "--tail=", "status=exited"]),
    st.sampled_from(["until=24h", "10m", "0", "-1", "99999999999", "99999999999d", "1e9", "redis:7", "x" * 40]),
    st.text(max_size=12),
)


def _parses_or_refuses(text: str) -> None:
    try:
        result = parse(text)
    except UsageError as err:
        assert err.message
        assert isinstance(err.usage, str)
    else:
        assert isinstance(result, Command)


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_any_text_parses_or_refuses(text: str) -> None:
    """Arbitrary text gives a Command or a UsageError, never another exception."""
    _parses_or_refuses(text)


@settings(max_examples=600, deadline=None)
@given(st.lists(PIECES, max_size=8).map(" ".join))
def test_command_like_text_parses_or_refuses(text: str) -> None:
    """Lines built from real command words and flags: a Command or a UsageError, nothing else."""
    _parses_or_refuses(text)
