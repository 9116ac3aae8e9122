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
from bot.access import Decision, Policy
from bot.audit import AuditTrail, Entry
from commands import COMMANDS, Access, Command, Context, DestructiveCommand, parse
from commands.base import Progress, no_progress
from commands.engine import Engine
from commands.errors import CommandError, UsageError
from commands.presets import Presets
from commands.results import Outcome, Plan, Result, Table, Text

log = logging.getLogger(__name__)

CONFIRM_PREFIX = "confirm: "
"""How a confirmation appears in the audit trail: `confirm: rm web`."""


@dataclass(frozen=True)
class Invocation:
    """One command line, typed by someone, somewhere."""

    text: str
    user: str = "console"
    channel: str = "console"
    user_name: str = ""


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
    on_change: Callable[[Invocation, str, Outcome], None] | None = None
    """Told every outcome that changed something (who, the command, what changed): the team channel."""
    policy: Policy | None = None
    """Who may run what; None means everyone who can reach this dispatcher (the local console)."""
    audit: AuditTrail | None = None
    own_container: str | None = None
    _pending: dict[str, _Pending] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, invocation: Invocation, progress: Progress = no_progress) -> Reply:
        started = time.monotonic()
        reply, decision = self._handle(invocation, progress)
        self._record(invocation, invocation.text, decision, reply, started)
        return reply

    def _handle(self, invocation: Invocation, progress: Progress) -> tuple[Reply, str]:
        try:
            command = parse(invocation.text)
        except UsageError as err:
            return _refusal(err), "invalid"
        verdict = self._check(invocation, command.access)
        if not verdict.allowed:
            return Refusal(verdict.reason), "denied"
        return self._guarded(invocation, lambda: self._run(command, invocation, progress)), "allowed"

    def _run(self, command: Command, invocation: Invocation, progress: Progress) -> Reply:
        ctx = self._context(invocation, progress)
        if isinstance(command, DestructiveCommand):
            return self._propose(command, command.plan(ctx), invocation)
        return Answer(command.command_name(), command.run(ctx))

    def confirm(self, token: str, by: Invocation | None = None) -> Reply:
        """Run exactly the planned set, if whoever clicks may; a token works once and only until it expires."""
        started = time.monotonic()
        pending = self._peek(token)
        clicker = by or (pending.invocation if pending else Invocation("(confirmation)"))
        text = CONFIRM_PREFIX + (pending.invocation.text if pending else "(unknown or expired plan)")
        if pending is None:
            reply: Reply = Refusal(messages.plan_expired())
            decision = "expired"
        elif not (verdict := self._check(clicker, pending.command.access)).allowed:
            reply, decision = Refusal(verdict.reason), "denied"
        elif (taken := self._take(token)) is None:
            reply, decision = Refusal(messages.plan_expired()), "expired"
        else:
            command, plan = taken.command, taken.plan
            ctx = self._context(taken.invocation)
            reply = self._guarded(clicker, lambda: Answer(command.command_name(), command.execute(ctx, plan)))
            decision = "confirmed"
        self._record(clicker, text, decision, reply, started)
        return reply

    def cancel(self, token: str, by: Invocation | None = None) -> Reply:
        started = time.monotonic()
        pending = self._take(token)
        reply = Answer("cancel", Outcome(messages.cancelled())) if pending else Refusal(messages.plan_expired())
        clicker = by or (pending.invocation if pending else Invocation("(cancel)"))
        text = f"cancel: {pending.invocation.text}" if pending else "cancel: (unknown or expired plan)"
        self._record(clicker, text, "cancelled" if pending else "expired", reply, started)
        return reply

    def visible_commands(self, invocation: Invocation) -> tuple[type[Command], ...]:
        """What this caller may run: `help` shows only these (one check per access level, not per command)."""
        allowed = {access: self._check(invocation, access).allowed for access in Access}
        return tuple(cls for cls in COMMANDS if allowed[cls.access])

    def pending_invocation(self, token: str) -> Invocation | None:
        """Who asked for a plan that is still waiting (for showing and checking a confirmation)."""
        pending = self._peek(token)
        return pending.invocation if pending else None

    def _propose(self, command: DestructiveCommand, plan: Plan, invocation: Invocation) -> Reply:
        if plan.empty:
            left_alone = [f"{s.target.name} ({s.reason})" for s in plan.skipped]
            return Answer(command.command_name(), Outcome(messages.nothing_to_do(plan.action, left_alone)))
        token = secrets.token_urlsafe(16)
        with self._lock:
            now = self.clock()
            self._pending = {k: p for k, p in self._pending.items() if p.expires > now}
            self._pending[token] = _Pending(command, plan, invocation, now + self.plan_ttl)
        return Proposal(command.command_name(), plan, token)

    def _peek(self, token: str) -> _Pending | None:
        with self._lock:
            pending = self._pending.get(token)
        return pending if pending and pending.expires > self.clock() else None

    def _take(self, token: str) -> _Pending | None:
        with self._lock:
            pending = self._pending.pop(token, None)
        return pending if pending and pending.expires > self.clock() else None

    def _context(self, invocation: Invocation, progress: Progress = no_progress) -> Context:
        on_claim = self.on_claim

        def claim(verb: str, container_ids: tuple[str, ...]) -> None:
            if on_claim is not None:
                on_claim(invocation, verb, container_ids)

        return Context(
            self.engine,
            self.presets,
            visible=self.visible_commands(invocation),
            progress=progress,
            claim=claim,
            history=self.audit,
            own_container=self.own_container,
        )

    def _check(self, invocation: Invocation, access: Access) -> Decision:
        return self.policy.check(invocation, access) if self.policy else Decision(True)

    def _guarded(self, invocation: Invocation, work: Callable[[], Reply]) -> Reply:
        """Expected failures go to the user as written; anything else is logged and told in one line."""
        try:
            return work()
        except CommandError as err:
            return _refusal(err)
        except Exception:
            log.exception("command failed: %r by %s in %s", invocation.text, invocation.user, invocation.channel)
            return Refusal(messages.unexpected_error())

    def _record(self, invocation: Invocation, text: str, decision: str, reply: Reply, started: float) -> None:
        """Audit first, then the team channel, both before the answer goes out; neither may hide the answer."""
        self._write_audit(invocation, text, decision, reply, started)
        result = reply.result if isinstance(reply, Answer) else None
        if isinstance(result, Outcome) and result.changed and self.on_change is not None:
            try:
                self.on_change(invocation, text, result)
            except Exception:
                log.exception("could not announce %r", text)

    def _write_audit(self, invocation: Invocation, text: str, decision: str, reply: Reply, started: float) -> None:
        if self.audit is None:
            return
        took = int((time.monotonic() - started) * 1000)
        entry = Entry(
            invocation.user, invocation.user_name, invocation.channel, text, decision, outcome_line(reply), took
        )
        try:
            self.audit.record(entry)
        except Exception:
            log.exception("could not write the audit record for %r", text)


def outcome_line(reply: Reply) -> str:
    """What happened, in one line for the audit trail (never the output itself: logs can hold anything)."""
    if isinstance(reply, Refusal):
        return f"refused: {reply.message}"
    if isinstance(reply, Proposal):
        return f"planned: {reply.plan.action} " + ", ".join(t.name for t in reply.plan.targets)
    result = reply.result
    if isinstance(result, Outcome):
        return "; ".join([result.summary, *result.failures])
    if isinstance(result, Table):
        return f"{len(result.rows)} rows"
    assert isinstance(result, Text)
    return result.title or "text"


def _refusal(err: CommandError) -> Refusal:
    return Refusal(err.message, err.usage if isinstance(err, UsageError) else "")


__all__ = ["Answer", "Command", "Dispatcher", "Invocation", "Proposal", "Refusal", "Reply"]
