"""One error tree for everything a command can refuse or fail with.

Messages are written for the person in the chat: short, no traceback, no internals. docker's own errors are
translated into these in exactly one place (`commands.engine`).
"""


class CommandError(Exception):
    """Root: an expected failure whose message goes to the user as written."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(CommandError):
    """The text is not a valid command; carries the usage line of the command it was meant to be."""

    def __init__(self, message: str, usage: str = "") -> None:
        super().__init__(message)
        self.usage = usage


class NotFound(CommandError):
    """A container, image or preset that does not exist."""


class Ambiguous(CommandError):
    """A name or id prefix that matches more than one container."""


class Conflict(CommandError):
    """The engine refuses because of the current state (running container, name in use, image in use)."""


class EngineUnavailable(CommandError):
    """The Docker engine cannot be reached."""


class EngineError(CommandError):
    """Any other refusal from the engine, with its message shortened."""


class PresetError(CommandError):
    """The presets file is missing, unreadable or invalid."""
