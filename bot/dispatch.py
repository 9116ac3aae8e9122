"""The pipeline every front end shares: parse → plan (destructive) → run → reply.

Slack and the console both hand an `Invocation` to `Dispatcher.handle` and get a `Reply` back; a destructive
command returns a `Proposal` whose token is later passed to `confirm` (exactly once, before it expires).
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot import messages
from commands import COMMANDS, Command, Context, DestructiveCommand, parse
from commands.base import Progress, no_progress
from commands.engine import Engine
from commands.errors import CommandError, UsageError
from commands.presets import Presets
from commands.results import Outcome, Plan, Result

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Invocation:
    """One command line, typed by someone, somewhere."""

    text: str
    user: str = "console"
    channel: str = "console"


@dataclass(frozen=True)
class Answer:
    """The command ran; here is what it found or did."""

    command: str
    result: Result


@dataclass(frozen=True)
class Refusal:
    """The command did not run (bad input, not found, engine down...): one short line, maybe a usage."""

    message: str
    usage: str = ""


@dataclass(frozen=True)
class Proposal:
    """A destructive command's plan, waiting for the confirmation that carries `token`."""

    command: str
    plan: Plan
    token: str


Reply = Answer | Refusal | Proposal


@dataclass
class _Pending:
    command: DestructiveCommand
    plan: Plan
    invocation: Invocation
    expires: float


@dataclass
class Dispatcher:
    """Runs invocations against one engine and one set of presets; thread-safe."""

    engine: Engine
    presets: Presets
    plan_ttl: float = 600.0
    clock: Callable[[], float] = time.monotonic
    on_claim: Callable[[Invocation, str, tuple[str, ...]], None] | None = None
    """Told who is about to stop/restart/remove which containers (see `Context.claim`)."""
    _pending: dict[str, _Pending] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, invocation: Invocation, progress: Progress = no_progress) -> Reply:
        try:
            command = parse(invocation.text)
            ctx = self._context(invocation, progress)
            if isinstance(command, DestructiveCommand):
                return self._propose(command, command.plan(ctx), invocation)
            return Answer(command.command_name(), command.run(ctx))
        except CommandError as err:
            return _refusal(err)
        except Exception:
            log.exception("command failed: %r by %s in %s", invocation.text, invocation.user, invocation.channel)
            return Refusal(messages.unexpected_error())

    def confirm(self, token: str) -> Reply:
        """Run exactly the planned set; a token works once and only until it expires."""
        pending = self._take(token)
        if pending is None:
            return Refusal(messages.plan_expired())
        try:
            ctx = self._context(pending.invocation)
            return Answer(pending.command.command_name(), pending.command.execute(ctx, pending.plan))
        except CommandError as err:
            return _refusal(err)
        except Exception:
            log.exception("confirmed command failed: %r", pending.invocation.text)
            return Refusal(messages.unexpected_error())

    def cancel(self, token: str) -> Reply:
        pending = self._take(token)
        return Answer("cancel", Outcome(messages.cancelled())) if pending else Refusal(messages.plan_expired())

    def pending_invocation(self, token: str) -> Invocation | None:
        """Who asked for a plan that is still waiting (for showing and checking a confirmation)."""
        with self._lock:
            pending = self._pending.get(token)
            return pending.invocation if pending and pending.expires > self.clock() else None

    def _propose(self, command: DestructiveCommand, plan: Plan, invocation: Invocation) -> Reply:
        if plan.empty:
            left_alone = tuple(f"{s.target.name}: {s.reason}" for s in plan.skipped)
            return Answer(command.command_name(), Outcome(messages.nothing_to_do(plan.action), left_alone))
        token = secrets.token_urlsafe(16)
        with self._lock:
            now = self.clock()
            self._pending = {k: p for k, p in self._pending.items() if p.expires > now}
            self._pending[token] = _Pending(command, plan, invocation, now + self.plan_ttl)
        return Proposal(command.command_name(), plan, token)

    def _take(self, token: str) -> _Pending | None:
        with self._lock:
            pending = self._pending.pop(token, None)
        return pending if pending and pending.expires > self.clock() else None

    def _context(self, invocation: Invocation, progress: Progress = no_progress) -> Context:
        on_claim = self.on_claim

        def claim(verb: str, container_ids: tuple[str, ...]) -> None:
            if on_claim is not None:
                on_claim(invocation, verb, container_ids)

        return Context(self.engine, self.presets, visible=COMMANDS, progress=progress, claim=claim)


def _refusal(err: CommandError) -> Refusal:
    return Refusal(err.message, err.usage if isinstance(err, UsageError) else "")


__all__ = ["Answer", "Command", "Dispatcher", "Invocation", "Proposal", "Refusal", "Reply"]
