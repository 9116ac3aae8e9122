"""The Slack lookups that docker-group membership needs (user groups, e-mail addresses)."""

from __future__ import annotations

import re

from slack_sdk import WebClient

_GROUP_ID = re.compile(r"^S[A-Z0-9]{6,}$")


class SlackDirectory:
    """`usergroups.users.list` wants the group's id: a handle is resolved with `usergroups.list` first."""

    def __init__(self, client: WebClient) -> None:
        self._client = client

    def usergroup_members(self, handle_or_id: str) -> set[str]:
        group_id = handle_or_id if _GROUP_ID.match(handle_or_id) else self._group_id(handle_or_id)
        users = self._client.usergroups_users_list(usergroup=group_id).get("users") or []
        return {str(user) for user in users}

    def email(self, user_id: str) -> str | None:
        user = self._client.users_info(user=user_id).get("user") or {}
        email = (user.get("profile") or {}).get("email")
        return str(email) if email else None

    def _group_id(self, handle: str) -> str:
        wanted = handle.removeprefix("@")
        for group in self._client.usergroups_list().get("usergroups") or []:
            if group.get("handle") == wanted:
                return str(group["id"])
        raise LookupError(f"no Slack user group @{wanted}")
