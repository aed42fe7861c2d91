"""Shared credentials and network connectors: named settings many connections use.

A credential is a user name, domain, mechanism preference and (in the keyring) a password; a
connector is a proxy route (type, host, port, user, domain, remote DNS; its password in the
keyring). Connections refer to them by id; :func:`apply_shared` gives the connection as a
session uses it. Values only: no I/O, no Qt.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from smtpgui.core.addresses import has_control_character, multiline_problem, normalize_host, single_line_problem
from smtpgui.core.errors import Problem
from smtpgui.core.model import PASSWORD_MECHANISMS, AuthMode, Connection, Mechanism, ProxyType, new_id

CREDENTIAL_MECHANISMS = (Mechanism.AUTO, *PASSWORD_MECHANISMS)
CONNECTOR_TYPES = (ProxyType.SOCKS5, ProxyType.SOCKS4, ProxyType.HTTP)
DESCRIPTION_MAX = 1000
# What decides where a shared secret goes and as whom (issue 17's binding rule, per kind).
CREDENTIAL_BINDING = ("username", "domain", "mechanism")
CONNECTOR_BINDING = ("proxy_type", "host", "port", "username", "domain")


@dataclass(frozen=True)
class Credential:
    """A named user name (with domain and mechanism preference) whose password is in the keyring."""

    name: str
    id: str = field(default_factory=new_id)
    username: str = ""
    domain: str = ""
    mechanism: Mechanism = Mechanism.AUTO
    description: str = ""

    @property
    def owner(self) -> str:
        """The keyring owner of its password: ``credential:<id>`` (entry ``credential:<id>:password``)."""
        return f"credential:{self.id}"

    def replace(self, **changes: Any) -> Credential:
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class Connector:
    """A named proxy route whose password is in the keyring."""

    name: str
    id: str = field(default_factory=new_id)
    proxy_type: ProxyType = ProxyType.SOCKS5
    host: str = ""
    port: int = 1080
    username: str = ""
    domain: str = ""
    remote_dns: bool = True
    description: str = ""

    @property
    def owner(self) -> str:
        """The keyring owner of its password: ``connector:<id>`` (entry ``connector:<id>:proxy-password``)."""
        return f"connector:{self.id}"

    def replace(self, **changes: Any) -> Connector:
        return dataclasses.replace(self, **changes)

    @property
    def url(self) -> str:
        """``socks5://user@host:port`` as the CLI's ``--proxy`` takes it (never a password)."""
        user = f"{self.username}@" if self.username else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.proxy_type.value}://{user}{host}:{self.port}"


@dataclass(frozen=True)
class SharedSettings:
    """The credentials and connectors of one connections file."""

    credentials: tuple[Credential, ...] = ()
    connectors: tuple[Connector, ...] = ()

    def credential(self, credential_id: str) -> Credential | None:
        """The credential with this id (None: no such one); one look in an index, not a scan."""
        return self._by_id[0].get(credential_id)

    def connector(self, connector_id: str) -> Connector | None:
        """The connector with this id (None: no such one)."""
        return self._by_id[1].get(connector_id)

    @functools.cached_property
    def _by_id(self) -> tuple[dict[str, Credential], dict[str, Connector]]:
        # Built on the first look (the object is immutable, so it never goes stale); the first of
        # a repeated id wins, as the scan it replaces found it.
        credentials: dict[str, Credential] = {}
        for credential in self.credentials:
            credentials.setdefault(credential.id, credential)
        connectors: dict[str, Connector] = {}
        for connector in self.connectors:
            connectors.setdefault(connector.id, connector)
        return credentials, connectors

    def replace(self, **changes: Any) -> SharedSettings:
        return dataclasses.replace(self, **changes)


# the connection as a session uses it --------------------------------------------------------


def apply_shared(connection: Connection, credential: Credential | None, connector: Connector | None) -> Connection:
    """``connection`` with its credential's sign-in and its connector's proxy in place of its own.

    The ids stay on the result (the session's secrets are read from the credential's and the
    connector's keyring entries by them).
    """
    changes: dict[str, Any] = {}
    if credential is not None:
        changes.update(
            auth_mode=AuthMode.PASSWORD,
            username=credential.username,
            domain=credential.domain,
            mechanism=credential.mechanism,
        )
    if connector is not None:
        changes.update(
            proxy_type=connector.proxy_type,
            proxy_host=connector.host,
            proxy_port=connector.port,
            proxy_username=connector.username,
            proxy_domain=connector.domain,
            proxy_remote_dns=connector.remote_dns,
        )
    return connection.replace(**changes) if changes else connection


# files ----------------------------------------------------------------------------------------


def credential_to_dict(credential: Credential, *, with_id: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {"id": credential.id} if with_id else {}
    data.update(
        name=credential.name,
        username=credential.username,
        domain=credential.domain,
        mechanism=credential.mechanism.value,
        description=credential.description,
    )
    return data


def connector_to_dict(connector: Connector, *, with_id: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {"id": connector.id} if with_id else {}
    data.update(
        name=connector.name,
        proxy_type=connector.proxy_type.value,
        host=connector.host,
        port=connector.port,
        username=connector.username,
        domain=connector.domain,
        remote_dns=connector.remote_dns,
        description=connector.description,
    )
    return data


def _text(data: Mapping[str, Any], key: str, default: str = "") -> str:
    value = data.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise ValueError(f"{key} must be text")
    return value


def _id(data: Mapping[str, Any]) -> str:
    value = data.get("id")
    return value if isinstance(value, str) and value else new_id()


def credential_from_dict(data: Any) -> Credential:
    """A credential from a file's object; ``ValueError`` naming the field otherwise."""
    if not isinstance(data, dict):
        raise ValueError("a credential must be a JSON object")
    name = _text(data, "name")
    if not name:
        raise ValueError("a credential needs a name")
    mechanism_text = _text(data, "mechanism", Mechanism.AUTO.value)
    try:
        mechanism = Mechanism(mechanism_text.lower())
    except ValueError:
        raise ValueError(f"mechanism must be one of {', '.join(m.value for m in CREDENTIAL_MECHANISMS)}") from None
    return Credential(
        name=name,
        id=_id(data),
        username=_text(data, "username"),
        domain=_text(data, "domain"),
        mechanism=mechanism,
        description=_text(data, "description"),
    )


def connector_from_dict(data: Any) -> Connector:
    """A connector from a file's object; ``ValueError`` naming the field otherwise."""
    if not isinstance(data, dict):
        raise ValueError("a connector must be a JSON object")
    name = _text(data, "name")
    if not name:
        raise ValueError("a connector needs a name")
    try:
        proxy_type = ProxyType(_text(data, "proxy_type", ProxyType.SOCKS5.value).lower())
    except ValueError:
        raise ValueError("proxy_type must be one of socks5, socks4, http") from None
    port = data.get("port", 1080)
    if isinstance(port, bool) or not isinstance(port, int):
        raise ValueError("port must be a whole number")
    remote_dns = data.get("remote_dns", True)
    if not isinstance(remote_dns, bool):
        raise ValueError("remote_dns must be true or false")
    return Connector(
        name=name,
        id=_id(data),
        proxy_type=proxy_type,
        host=_text(data, "host"),
        port=port,
        username=_text(data, "username"),
        domain=_text(data, "domain"),
        remote_dns=remote_dns,
        description=_text(data, "description"),
    )


# validation -----------------------------------------------------------------------------------


def _name_problems(name: str, others: Iterable[tuple[str, str]], own_id: str, noun: str) -> list[Problem]:
    """The connection name rule (core.validation) for a credential's or connector's name."""
    from smtpgui.core.validation import name_key, validate_name

    problems = [
        Problem("name", p.message.replace("the connection", f"the {noun}")) for p in validate_name(name) if p.field
    ]
    folded = name_key(name)
    if folded == "none":  # `--credential none` / `--connector none` mean the connection's own
        problems.append(
            Problem("name", f"'none' cannot name a {noun}: '--{noun} none' means a connection's own; choose another.")
        )
    for other_id, other_name in others:
        if other_id != own_id and name_key(other_name) == folded:
            problems.append(Problem("name", f"Another {noun} is already called {other_name!r}."))
            break
    return problems


def _single_line(problems: list[Problem], fieldname: str, value: str, what: str) -> None:
    if has_control_character(value):
        problems.append(Problem(fieldname, single_line_problem(value, what) or f"{what} must be one line."))


def _description(problems: list[Problem], value: str) -> None:
    problem = multiline_problem(value, "The description")
    if problem:
        problems.append(Problem("description", problem))
    elif len(value) > DESCRIPTION_MAX:
        problems.append(Problem("description", f"Keep the description within {DESCRIPTION_MAX} characters."))


def validate_credential(credential: Credential, others: Iterable[Credential] = ()) -> list[Problem]:
    """Every problem with ``credential``; ``others`` are the stored credentials (for names)."""
    c = credential
    problems = _name_problems(c.name, ((o.id, o.name) for o in others), c.id, "credential")
    if not c.username.strip():
        problems.append(Problem("username", "Enter the user name to sign in with."))
    _single_line(problems, "username", c.username, "The user name")
    _single_line(problems, "domain", c.domain, "The domain")
    if c.mechanism not in CREDENTIAL_MECHANISMS:
        problems.append(
            Problem(
                "mechanism",
                f"A password credential signs in with auto, PLAIN, LOGIN or CRAM-MD5, not {c.mechanism.value}.",
            )
        )
    _description(problems, c.description)
    return problems


def validate_connector(connector: Connector, others: Iterable[Connector] = ()) -> list[Problem]:
    """Every problem with ``connector``; ``others`` are the stored connectors (for names)."""
    c = connector
    problems = _name_problems(c.name, ((o.id, o.name) for o in others), c.id, "connector")
    if c.proxy_type not in CONNECTOR_TYPES:
        problems.append(Problem("proxy_type", "A connector is a SOCKS5, SOCKS4 or HTTP CONNECT proxy."))
    try:
        normalize_host(c.host)
    except ValueError as exc:
        problems.append(Problem("host", str(exc)))
    if not 1 <= c.port <= 65535:
        problems.append(Problem("port", "The proxy port must be a number from 1 to 65535."))
    _single_line(problems, "username", c.username, "The proxy user name")
    _single_line(problems, "domain", c.domain, "The proxy domain")
    _description(problems, c.description)
    return problems


def binding_changed(old: Credential | Connector, new: Credential | Connector) -> list[str]:
    """The fields that decide where its password goes and as whom, where ``old`` and ``new`` differ."""
    names = CREDENTIAL_BINDING if isinstance(old, Credential) else CONNECTOR_BINDING
    changed = []
    for name in names:
        before, after = getattr(old, name), getattr(new, name)
        if name == "host" and isinstance(before, str) and isinstance(after, str):
            before, after = before.casefold().rstrip("."), after.casefold().rstrip(".")
        if before != after:
            changed.append(name)
    return changed


def users_by_reference(connections: Iterable[Connection]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The names of the connections using each credential id, and each connector id (one pass)."""
    credentials: dict[str, list[str]] = {}
    connectors: dict[str, list[str]] = {}
    for connection in connections:
        if connection.credential_id:
            credentials.setdefault(connection.credential_id, []).append(connection.name)
        if connection.connector_id:
            connectors.setdefault(connection.connector_id, []).append(connection.name)
    return credentials, connectors
