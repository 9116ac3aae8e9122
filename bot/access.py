"""Who may do what: dockbot mirrors the `docker` group, because talking to the engine is root-equivalent.

Membership comes from any mix of a list of Slack user ids, a Slack user group, and the host's own Unix
group (a Slack user maps to a local user by `CHATOPS_USER_MAP` or the local part of their Slack e-mail).
Everything fails closed: if membership cannot be determined, the answer is no, with the reason.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from bot import messages
from commands import Access

if TYPE_CHECKING:
    from bot.dispatch import Invocation

T = TypeVar("T")


class MembershipUnknown(Exception):
    """A membership source could not answer (Slack API error, unreadable group file, ...)."""


class Directory(Protocol):
    """The Slack lookups membership needs; `bot.slack_directory` implements it over the Web API."""

    def usergroup_members(self, handle_or_id: str) -> set[str]: ...

    def email(self, user_id: str) -> str | None: ...


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""


@dataclass
class Membership:
    """Is a Slack user in the docker group? Sources are OR-ed; lookups are cached for `cache_seconds`."""

    users: frozenset[str] = frozenset()
    usergroup: str = ""
    unix_group: str = ""
    user_map: dict[str, str] = field(default_factory=dict)
    directory: Directory | None = None
    group_file: Path = Path("/etc/group")
    cache_seconds: float = 60.0
    clock: Callable[[], float] = time.monotonic
    _cache: dict[str, tuple[float, Any]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def configured(self) -> bool:
        return bool(self.users or self.usergroup or self.unix_group)

    def is_member(self, user_id: str) -> bool:
        if user_id in self.users:
            return True
        if self.usergroup and user_id in self._usergroup_members():
            return True
        return bool(self.unix_group) and self._unix_member(user_id)

    def admin_hint(self) -> str:
        """How an admin adds someone, for each source that is configured."""
        ways = []
        if self.unix_group:
            ways.append(f"`sudo usermod -aG {self.unix_group} <user>` on the docker host")
        if self.usergroup:
            ways.append(f"adding them to the Slack user group {self.usergroup}")
        if self.users or not ways:
            ways.append("adding their Slack user id to CHATOPS_DOCKER_GROUP_USERS")
        return " or ".join(ways)

    def _usergroup_members(self) -> set[str]:
        def lookup() -> set[str]:
            if self.directory is None:
                raise MembershipUnknown("no Slack connection to look up the user group")
            return self.directory.usergroup_members(self.usergroup)

        return self._cached("usergroup", lookup)

    def _unix_member(self, user_id: str) -> bool:
        local = self.user_map.get(user_id) or self._cached(f"email:{user_id}", lambda: self._local_part(user_id))
        return bool(local) and local in self._group_members()

    def _local_part(self, user_id: str) -> str:
        if self.directory is None:
            raise MembershipUnknown("no Slack connection to look up the user's e-mail")
        email = self.directory.email(user_id)
        return email.partition("@")[0] if email else ""

    def _group_members(self) -> set[str]:
        """Members listed for the group in the group file (what `usermod -aG` writes)."""
        try:
            lines = self.group_file.read_text().splitlines()
        except OSError as err:
            raise MembershipUnknown(f"cannot read {self.group_file}: {err.strerror}") from None
        for line in lines:
            fields = line.split(":")
            if len(fields) == 4 and fields[0] == self.unix_group:
                return {name for name in fields[3].split(",") if name}
        raise MembershipUnknown(f"there is no group `{self.unix_group}` in {self.group_file}")

    def _cached(self, key: str, lookup: Callable[[], T]) -> T:
        now = self.clock()
        with self._lock:
            hit = self._cache.get(key)
        if hit and now - hit[0] < self.cache_seconds:
            cached: T = hit[1]
            return cached
        try:
            value = lookup()
        except MembershipUnknown:
            raise
        except Exception as err:
            raise MembershipUnknown(str(err).splitlines()[0] if str(err) else type(err).__name__) from None
        with self._lock:
            self._cache[key] = (now, value)
        return value


@dataclass
class Policy:
    """The one gate every command passes, in Slack and in confirmations alike."""

    membership: Membership
    readers_everyone: bool = False
    allowed_channels: frozenset[str] = frozenset()

    def check(self, invocation: Invocation, access: Access) -> Decision:
        if self.allowed_channels and invocation.channel not in self.allowed_channels:
            return Decision(False, messages.wrong_channel(sorted(self.allowed_channels)))
        if access is Access.READ and self.readers_everyone:
            return Decision(True)
        if not self.membership.configured:
            return Decision(False, messages.no_docker_group())
        try:
            member = self.membership.is_member(invocation.user)
        except MembershipUnknown as err:
            return Decision(False, messages.membership_unknown(str(err)))
        if member:
            return Decision(True)
        return Decision(False, messages.not_in_docker_group(invocation.user, self.membership.admin_hint()))
