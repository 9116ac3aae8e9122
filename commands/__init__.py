"""dockbot's command language and its execution; knows nothing of Slack.

`parse(text)` turns a command line into a `Command`; `command.run(ctx)` does the work against the engine.
"""

from __future__ import annotations

from commands.base import Access, Command, Context, DestructiveCommand
from commands.containers import Cleanup, Inspect, Logs, Ps, Restart, Rm, Start, Stop
from commands.grammar import parse as parse_with
from commands.images import ImagePrune, ImageRm, Images, Pull
from commands.system import AuditLog, Help, PresetList, Run, Version

COMMANDS: tuple[type[Command], ...] = (
    Ps,
    Run,
    Logs,
    Stop,
    Start,
    Restart,
    Rm,
    Inspect,
    Images,
    Pull,
    ImagePrune,
    ImageRm,
    Cleanup,
    PresetList,
    AuditLog,
    Version,
    Help,
)

CATALOG: dict[tuple[str, ...], type[Command]] = {words: cls for cls in COMMANDS for words in (cls.words, *cls.aliases)}


def parse(text: str) -> Command:
    """Parse a command line typed by a person; raises `UsageError` for anything that is not a command."""
    return parse_with(text, CATALOG)


__all__ = ["CATALOG", "COMMANDS", "Access", "Command", "Context", "DestructiveCommand", "parse"]
