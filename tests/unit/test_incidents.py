"""The folding rules, on hand-made event sequences shaped like the engine's (DESIGN.md §5)."""

from __future__ import annotations

from bot.incidents import KINDS, NS, Folder, Incident
from bot.notify_render import duration, trimmed
from commands.models import EngineEvent

WEB = "a" * 64
DB = "b" * 64


def event(action: str, at: float, container: str = WEB, **attributes: str) -> EngineEvent:
    name = "web" if container == WEB else "db"
    return EngineEvent("container", action, container, int(at * NS), {"name": name, "image": "nginx", **attributes})


def fold(folder: Folder, *events: EngineEvent) -> list[Incident]:
    return [incident for e in events for incident in folder.fold(e)]


def test_a_non_zero_exit_is_one_incident_and_a_clean_exit_none() -> None:
    told = fold(Folder(), event("die", 1, exitCode="3"), event("die", 2, DB, exitCode="0"))
    assert [(i.kind, i.name, i.exit_code) for i in told] == [("exit", "web", 3)]


def test_docker_stop_is_not_a_crash_and_is_one_incident_when_asked_for() -> None:
    stop = (event("kill", 1, signal="15"), event("kill", 11, signal="9"), event("die", 11, exitCode="137"))
    assert fold(Folder(), *stop, event("stop", 11)) == []
    told = fold(Folder(kinds=KINDS), *stop, event("stop", 11))
    assert [(i.kind, i.signal, i.exit_code) for i in told] == [("stop", "9", 137)]


def test_oom_and_its_die_are_one_incident_even_when_the_oom_comes_late() -> None:
    assert [i.kind for i in fold(Folder(), event("oom", 1), event("die", 1, exitCode="137"))] == ["oom"]
    late = Folder()
    told = fold(late, event("die", 1, exitCode="137"), event("oom", 1.01))
    assert [(i.kind, i.at_ns) for i in told] == [("exit", NS), ("oom", NS)]
    assert told[0].key == told[1].key  # the same message, corrected
    assert [i.kind for i in fold(late, event("die", 30, exitCode="1"))] == ["exit"]  # the late oom is spent


def test_crashes_of_one_container_are_one_message_that_becomes_a_restart_loop() -> None:
    folder = Folder(loop_count=3, loop_ns=60 * NS)
    told = fold(folder, *(event("die", t, exitCode="1") for t in (0, 1, 3, 7)))
    assert [(i.kind, i.count) for i in told] == [("exit", 1), ("exit", 2), ("restart-loop", 3), ("restart-loop", 4)]
    assert len({i.key for i in told}) == 1
    assert told[-1].span_ns == 7 * NS
    again = fold(folder, event("die", 7 + 61, exitCode="1"))  # quiet for longer than the window: a new incident
    assert again[0].kind == "exit" and again[0].key != told[0].key


def test_without_restart_loops_every_crash_is_its_own_message() -> None:
    told = fold(Folder(kinds=frozenset({"exit"})), event("die", 0, exitCode="1"), event("die", 1, exitCode="1"))
    assert len({i.key for i in told}) == 2


def test_health_is_told_on_change_only() -> None:
    told = fold(
        Folder(),
        event("health_status: healthy", 0),
        event("health_status: unhealthy", 1),
        event("health_status: unhealthy", 2),
        event("health_status: healthy", 3),
    )
    assert [i.kind for i in told] == ["unhealthy", "healthy"]


def test_a_claimed_stop_is_told_as_that_action_with_who_did_it() -> None:
    folder = Folder()
    folder.claim("UALICE", "stop", (WEB, DB), 0)
    told = fold(
        folder,
        event("kill", 1, signal="15"),
        event("kill", 1, DB, signal="15"),
        event("die", 2, exitCode="137"),
        event("die", 2, DB, exitCode="143"),
        event("stop", 2),
        event("stop", 2, DB),
    )
    assert [(i.kind, i.user, i.verb, i.names) for i in told] == [
        ("dockbot", "UALICE", "stop", ("web",)),
        ("dockbot", "UALICE", "stop", ("web", "db")),
    ]
    assert told[0].key == told[1].key  # one message, completed as the second container stops
    assert [i.kind for i in fold(folder, event("die", 5, exitCode="1"))] == ["exit"]  # the claim is spent


def test_a_claim_expires_so_a_later_crash_is_still_told() -> None:
    folder = Folder()
    folder.claim("UALICE", "restart", (WEB,), 0)
    assert [i.kind for i in fold(folder, event("die", 600, exitCode="1"))] == ["exit"]


def test_log_lines_are_trimmed_and_secrets_masked() -> None:
    log = "\n".join(f"line {n} password=hunter22" for n in range(10)) + "\n" + "x" * 5000
    lines = trimmed(log, ["hunter22"], 3)
    assert lines[:2] == ("line 8 password=***", "line 9 password=***")
    assert len(lines[2]) == 300 and lines[2].endswith("…")


def test_durations_read_like_people_say_them() -> None:
    assert [duration(s) for s in (0.25, 12, 185, 7800, 3 * 86400 + 4 * 3600)] == [
        "250 ms",
        "12 s",
        "3 min 5 s",
        "2 h 10 min",
        "3 d 4 h",
    ]
