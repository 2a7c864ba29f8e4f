"""Agents and Groups (Data §2.4.2): validation and identity.

An Agent is identified by exactly one Inverse Functional Identifier (IFI): `mbox`,
`mbox_sha1sum`, `openid` or `account`. A Group is either identified (one IFI, members
optional) or anonymous (no IFI, members required). Group members are always Agents.
`agent_identity` gives the normalised IFI the query layer matches on.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from .errors import StatementInvalid
from .formats import is_mailto_iri, is_sha1_hex, is_uri
from .structure import (
    JsonObject,
    check_properties,
    child,
    item,
    require_array,
    require_format,
    require_irl,
    require_object,
    require_string,
)

IfiKind = Literal["mbox", "mbox_sha1sum", "openid", "account"]
IFI_KINDS: tuple[IfiKind, ...] = ("mbox", "mbox_sha1sum", "openid", "account")
_AGENT_PROPERTIES = frozenset({"objectType", "name", *IFI_KINDS})
_GROUP_PROPERTIES = _AGENT_PROPERTIES | {"member"}
_ACCOUNT_PROPERTIES = frozenset({"homePage", "name"})


@dataclass(frozen=True)
class AgentIdentity:
    """The IFI of an Agent or identified Group, normalised for comparison.

    For `account`, `value` is the account name and `home_page` its homePage. The
    domain of an `mbox` and the hex of `mbox_sha1sum` are lower-cased, since both are
    case insensitive (Data §2.3.1.b7, §2.4.2.3).
    """

    kind: IfiKind
    value: str
    home_page: str | None = None

    @property
    def key(self) -> str:
        """One string per identity, for an indexed database column."""
        return json.dumps([self.kind, self.home_page, self.value], ensure_ascii=False)


def agent_identity(agent: JsonObject) -> AgentIdentity | None:
    """The IFI of a valid Agent or Group; None for an anonymous Group."""
    if isinstance(mbox := agent.get("mbox"), str):
        local, _, domain = mbox.rpartition("@")
        return AgentIdentity("mbox", f"{local}@{domain.lower()}")
    if isinstance(sha1 := agent.get("mbox_sha1sum"), str):
        return AgentIdentity("mbox_sha1sum", sha1.lower())
    if isinstance(openid := agent.get("openid"), str):
        return AgentIdentity("openid", openid)
    account = agent.get("account")
    if isinstance(account, Mapping):
        return AgentIdentity("account", str(account["name"]), str(account["homePage"]))
    return None


def validate_actor(value: object, path: str, *, object_type_required: bool = False) -> None:
    """An Agent or a Group, told apart by `objectType` (absent means Agent)."""
    actor = require_object(value, path, "an Agent or Group")
    object_type = actor.get("objectType", None if object_type_required else "Agent")
    if object_type == "Group":
        validate_group(actor, path)
    elif object_type == "Agent":
        validate_agent(actor, path)
    elif object_type is None:
        raise StatementInvalid("an Agent or Group in this position requires 'objectType'", path)
    else:
        raise StatementInvalid(
            f"{object_type!r} is not 'Agent' or 'Group'", child(path, "objectType")
        )


def validate_agent(value: object, path: str) -> None:
    """An Agent: optional `objectType` "Agent" and `name`, exactly one IFI."""
    agent = require_object(value, path, "an Agent")
    check_properties(agent, path, "an Agent", allowed=_AGENT_PROPERTIES)
    if "objectType" in agent and agent["objectType"] != "Agent":
        raise StatementInvalid("must be 'Agent'", child(path, "objectType"))
    if "name" in agent:
        require_string(agent["name"], child(path, "name"))
    ifis = [kind for kind in IFI_KINDS if kind in agent]
    if len(ifis) != 1:
        found = ", ".join(ifis) or "none"
        raise StatementInvalid(
            f"an Agent needs exactly one inverse functional identifier; found {found}", path
        )
    _validate_ifi(agent, ifis[0], path)


def validate_group(value: object, path: str) -> None:
    """A Group: `objectType` "Group"; identified (one IFI) or anonymous (with members)."""
    group = require_object(value, path, "a Group")
    check_properties(group, path, "a Group", allowed=_GROUP_PROPERTIES)
    if group.get("objectType") != "Group":
        raise StatementInvalid("a Group requires objectType 'Group'", child(path, "objectType"))
    if "name" in group:
        require_string(group["name"], child(path, "name"))
    ifis = [kind for kind in IFI_KINDS if kind in group]
    if len(ifis) > 1:
        raise StatementInvalid(
            f"a Group has at most one inverse functional identifier; found {', '.join(ifis)}",
            path,
        )
    if ifis:
        _validate_ifi(group, ifis[0], path)
    elif "member" not in group:
        raise StatementInvalid("an anonymous Group requires 'member'", child(path, "member"))
    if "member" in group:
        members = require_array(group["member"], child(path, "member"))
        if not ifis and not members:
            raise StatementInvalid(
                "an anonymous Group must list its members", child(path, "member")
            )
        for index, member in enumerate(members):
            member_path = item(child(path, "member"), index)
            if isinstance(member, Mapping) and member.get("objectType") == "Group":
                raise StatementInvalid(
                    "a Group's members must be Agents", child(member_path, "objectType")
                )
            validate_agent(member, member_path)


def validate_identified(value: object, path: str) -> AgentIdentity:
    """An Agent or identified Group (the `agent` query parameter); returns its IFI."""
    validate_actor(value, path)
    identity = agent_identity(require_object(value, path, "an Agent or Group"))
    if identity is None:
        raise StatementInvalid("must be an Agent or an identified Group", path)
    return identity


def validate_authority(value: object, path: str) -> None:
    """An Agent, or for 3-legged OAuth a Group of exactly two Agents (Data §2.4.9)."""
    validate_actor(value, path)
    authority = require_object(value, path, "an Agent or Group")
    if authority.get("objectType") == "Group":
        if any(kind in authority for kind in IFI_KINDS):
            # the OAuth pair is an anonymous Group; the ADL suite wants an identified
            # Group refused (XAPI-00100, XAPI-00024)
            raise StatementInvalid(
                "a Group as authority is the anonymous 3-legged OAuth pair (client and user); "
                "it has no mbox, mbox_sha1sum, openid or account",
                path,
            )
        members = authority.get("member")
        if not isinstance(members, list) or len(members) != 2:
            raise StatementInvalid(
                "a Group as authority must have exactly two Agents as members",
                child(path, "member"),
            )


def _validate_ifi(actor: JsonObject, kind: IfiKind, path: str) -> None:
    ifi_path = child(path, kind)
    value = actor[kind]
    if kind == "mbox":
        require_format(value, ifi_path, is_mailto_iri, "a mailto IRI ('mailto:name@host')")
    elif kind == "mbox_sha1sum":
        require_format(value, ifi_path, is_sha1_hex, "a hex SHA-1 (40 hex digits)")
    elif kind == "openid":
        require_format(value, ifi_path, is_uri, "a URI")
    else:
        account = require_object(value, ifi_path, "an account")
        check_properties(
            account,
            ifi_path,
            "an account",
            allowed=_ACCOUNT_PROPERTIES,
            required=_ACCOUNT_PROPERTIES,
        )
        require_irl(account["homePage"], child(ifi_path, "homePage"))
        require_string(account["name"], child(ifi_path, "name"))
