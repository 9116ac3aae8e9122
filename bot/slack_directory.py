"""The Slack lookups that docker-group membership needs (user groups, e-mail addresses)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

_GROUP_ID = re.compile(r"^S[A-Z0-9]{6,}$")


class SlackDirectory:
    """`usergroups.users.list` wants the group's id: a handle is resolved with `usergroups.list` first."""

    def __init__(self, client: WebClient) -> None:
        self._client = client

    def usergroup_members(self, handle_or_id: str) -> set[str]:
        group_id = handle_or_id if _GROUP_ID.match(handle_or_id) else self._group_id(handle_or_id)
        with _said_by_slack("usergroups.users.list"):
            users = self._client.usergroups_users_list(usergroup=group_id).get("users") or []
        return {str(user) for user in users}

    def email(self, user_id: str) -> str | None:
        with _said_by_slack("users.info"):
            user = self._client.users_info(user=user_id).get("user") or {}
        email = (user.get("profile") or {}).get("email")
        return str(email) if email else None

    def _group_id(self, handle: str) -> str:
        wanted = handle.removeprefix("@")
        with _said_by_slack("usergroups.list"):
            groups = self._client.usergroups_list().get("usergroups") or []
        for group in groups:
            if group.get("handle") == wanted:
                return str(group["id"])
        raise LookupError(f"no Slack user group @{wanted}")


@contextmanager
def _said_by_slack(method: str) -> Iterator[None]:
    """Slack's own error code (`user_not_found`, `missing_scope`) is the useful part of a failure."""
    try:
        yield
    except SlackApiError as err:
        raise LookupError(f"Slack's {method} answered {err.response.get('error', 'an error')}") from None
