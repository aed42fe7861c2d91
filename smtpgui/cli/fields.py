"""The field options shared by ``smtpgui add`` and ``smtpgui edit`` (CLI.md, "Fields").

Options are declared with ``default=SUPPRESS`` so that ``edit`` changes only what was given.
``apply_field_options`` turns them into a new connection plus the secrets to store.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from smtpgui.cli.secretinput import given_password, read_env_secret
from smtpgui.core.addresses import normalize_pin, parse_proxy_url, split_from_field
from smtpgui.core.errors import Problem, ValidationError
from smtpgui.core.model import (
    DEFAULT_PORTS,
    OAUTH_FIELDS,
    AuthMode,
    Connection,
    IpFamily,
    Kind,
    Mechanism,
    OAuthProvider,
    Security,
    TlsVersion,
)
from smtpgui.core.presets import find_preset
from smtpgui.core.validation import validate
from smtpgui.services.connections import needs_password, settle_sign_in
from smtpgui.storage.secrets import Slot

if TYPE_CHECKING:
    from smtpgui.core.shared import SharedSettings
from smtpgui.transport.tlsfiles import tls_file_problems

S = argparse.SUPPRESS

# model field -> the option a user types, so problems are reported in the user's words
OPTION_FOR_FIELD = {
    "host": "--host",
    "port": "--port",
    "security": "--security",
    "timeout_s": "--timeout",
    "ehlo_name": "--ehlo-name",
    "source_address": "--source-address",
    "ip_family": "--ip-family",
    "from_address": "--from",
    "from_name": "--from-name",
    "reply_to": "--reply-to",
    "return_path": "--return-path",
    "read_receipt_to": "--read-receipt-to",
    "send_read_receipt": "--read-receipt",
    "force_sender": "--force-sender",
    "description": "--description",
    "signature": "--signature",
    "auth_mode": "--auth",
    "username": "--username",
    "domain": "--domain",
    "mechanism": "--mechanism",
    "tls_min": "--tls-min",
    "tls_max": "--tls-max",
    "ca_file": "--ca-file",
    "pinned_sha256": "--pin-sha256",
    "client_cert": "--client-cert",
    "client_key": "--client-key",
    "proxy_host": "--proxy",
    "proxy_port": "--proxy",
    "proxy_type": "--proxy",
    "proxy_domain": "--proxy-domain",
    "credential_id": "--credential",
    "connector_id": "--connector",
    "tenant_id": "--tenant-id",
    "client_id": "--client-id",
    "mailbox": "--mailbox",
    "authority_url": "--authority-url",
    "graph_url": "--graph-url",
    "oauth_provider": "--oauth-provider",
    "oauth_client_id": "--oauth-client-id",
    "oauth_tenant": "--oauth-tenant",
    "oauth_authorize_url": "--oauth-authorize-url",
    "oauth_token_url": "--oauth-token-url",
    "oauth_device_url": "--oauth-device-url",
    "oauth_scopes": "--oauth-scopes",
    "name": "NAME",
    "is_default": "--default",
    "charset": "--charset",
    # smtpgui test
    "to": "--to",
    "from_override": "--from",
    "subject": "--subject",
    "body": "--body",
    # the app settings, when a test uses them
    "default_from_address": "settings --default-from",
    "default_from_name": "settings --default-from-name",
}


def _choices(enum_type: Any) -> list[str]:
    return [member.value for member in enum_type]


def add_field_options(parser: argparse.ArgumentParser, for_edit: bool) -> None:
    """Declare every field option on ``parser``."""
    g = parser.add_argument_group("connection")
    if for_edit:
        g.add_argument("--name", dest="new_name", default=S, metavar="NEW", help="rename the connection")
    g.add_argument("--preset", default=S, metavar="ID", help="start from a provider preset (see 'smtpgui presets')")
    g.add_argument("--kind", default=S, choices=_choices(Kind))
    g.add_argument("--description", default=S)
    g.add_argument("--signature", default=S)
    g.add_argument("--append-signature", action=argparse.BooleanOptionalAction, default=S)
    g.add_argument("--enabled", dest="enabled", action="store_true", default=S)
    g.add_argument("--disabled", dest="enabled", action="store_false", default=S)
    g.add_argument(
        "--default", dest="is_default", action="store_true", default=S, help="make this the default connection"
    )
    m = parser.add_argument_group("server")
    m.add_argument("--host", default=S)
    m.add_argument("--port", type=int, default=S)
    m.add_argument("--security", default=S, choices=_choices(Security))
    m.add_argument("--timeout", dest="timeout_s", type=int, default=S, metavar="SECONDS")
    m.add_argument("--ehlo-name", default=S)
    m.add_argument("--charset", default=S)
    m.add_argument("--source-address", default=S)
    m.add_argument("--ip-family", default=S, choices=_choices(IpFamily))
    s = parser.add_argument_group("sender")
    s.add_argument(
        "--from",
        dest="from_address",
        default=S,
        metavar="ADDR",
        help='sender address; "Name <addr@example.com>" also sets --from-name',
    )
    s.add_argument("--from-name", default=S, metavar="NAME")
    s.add_argument("--reply-to", default=S)
    s.add_argument("--return-path", default=S)
    s.add_argument("--read-receipt-to", default=S, metavar="ADDR", help="confirmation address (empty: the From)")
    s.add_argument(
        "--read-receipt",
        dest="send_read_receipt",
        action=argparse.BooleanOptionalAction,
        default=S,
        help="ask for a read confirmation (Disposition-Notification-To); an address given alone turns it on",
    )
    s.add_argument("--force-sender", action=argparse.BooleanOptionalAction, default=S)
    a = parser.add_argument_group("authentication")
    a.add_argument("--auth", dest="auth_mode", default=S, choices=_choices(AuthMode))
    a.add_argument("--username", default=S)
    a.add_argument("--domain", default=S)
    a.add_argument("--mechanism", default=S, choices=_choices(Mechanism))
    a.add_argument("--allow-insecure-auth", action=argparse.BooleanOptionalAction, default=S)
    a.add_argument(
        "--password-stdin",
        action="store_true",
        default=S,
        help="read the password from the first line of standard input",
    )
    a.add_argument("--password-env", default=S, metavar="VAR", help="read the password from environment variable VAR")
    a.add_argument(
        "--password-prompt",
        action="store_true",
        default=S,
        help="ask for the password without showing it (a terminal only; asked anyway when sign-in is "
        "password and no password option is given)",
    )
    a.add_argument(
        "--credential",
        default=S,
        metavar="NAME",
        help="sign in with this shared credential ('none': the connection's own user name and password)",
    )
    o = parser.add_argument_group("OAuth2 sign-in (--auth oauth2; then run 'smtpgui login NAME')")
    o.add_argument("--oauth-provider", default=S, choices=_choices(OAuthProvider))
    o.add_argument("--oauth-client-id", default=S, metavar="ID", help="your app registration's client ID")
    o.add_argument("--oauth-client-secret-env", default=S, metavar="VAR", help="its client secret, if it has one")
    o.add_argument("--oauth-tenant", default=S, metavar="TENANT", help="Microsoft: tenant ID or domain, or common")
    o.add_argument("--oauth-authorize-url", default=S, metavar="URL", help="custom provider: authorization endpoint")
    o.add_argument("--oauth-token-url", default=S, metavar="URL", help="custom provider: token endpoint")
    o.add_argument("--oauth-device-url", default=S, metavar="URL", help="custom provider: device-code endpoint")
    o.add_argument("--oauth-scopes", default=S, metavar="SCOPES", help="custom provider: scopes, space-separated")
    e = parser.add_argument_group("encryption")
    e.add_argument("--tls-min", default=S, choices=_choices(TlsVersion))
    e.add_argument("--tls-max", default=S, choices=_choices(TlsVersion))
    e.add_argument("--verify", action=argparse.BooleanOptionalAction, default=S)
    e.add_argument("--ca-file", default=S, metavar="PATH")
    e.add_argument("--pin-sha256", dest="pinned_sha256", default=S, metavar="HEX")
    e.add_argument("--client-cert", default=S, metavar="PATH")
    e.add_argument("--client-key", default=S, metavar="PATH")
    p = parser.add_argument_group("proxy")
    p.add_argument("--proxy", default=S, metavar="URL", help="socks5://[user@]host:port, socks4://…, http://…, or none")
    p.add_argument("--proxy-password-env", default=S, metavar="VAR")
    p.add_argument("--proxy-domain", default=S)
    p.add_argument("--proxy-remote-dns", action=argparse.BooleanOptionalAction, default=S)
    p.add_argument(
        "--connector",
        default=S,
        metavar="NAME",
        help="go through this network connector ('none': the connection's own proxy)",
    )
    gr = parser.add_argument_group(
        "Microsoft Graph",
        "signs in with the app's client secret (--client-secret-env), or with a user's password "
        "(--auth password --username U and a password option: Microsoft discourages it and it fails with MFA)",
    )
    gr.add_argument("--tenant-id", default=S)
    gr.add_argument("--client-id", default=S)
    gr.add_argument("--client-secret-env", default=S, metavar="VAR")
    gr.add_argument("--mailbox", default=S)
    gr.add_argument("--authority-url", default=S)
    gr.add_argument("--graph-url", default=S)


_PLAIN_FIELDS = (
    "kind",
    "description",
    "signature",
    "append_signature",
    "enabled",
    "is_default",
    "host",
    "port",
    "security",
    "timeout_s",
    "ehlo_name",
    "charset",
    "source_address",
    "ip_family",
    "from_name",
    "reply_to",
    "return_path",
    "read_receipt_to",
    "send_read_receipt",
    "force_sender",
    "auth_mode",
    "username",
    "domain",
    "mechanism",
    "allow_insecure_auth",
    "tls_min",
    "tls_max",
    "verify",
    "ca_file",
    "client_cert",
    "client_key",
    "proxy_domain",
    "proxy_remote_dns",
    "tenant_id",
    "client_id",
    "mailbox",
    "authority_url",
    "graph_url",
    *OAUTH_FIELDS,
)
_ENUMS = {
    "kind": Kind,
    "security": Security,
    "ip_family": IpFamily,
    "auth_mode": AuthMode,
    "mechanism": Mechanism,
    "tls_min": TlsVersion,
    "tls_max": TlsVersion,
    "oauth_provider": OAuthProvider,
}


@dataclass
class FieldChanges:
    """What the options ask for: the new connection and the secrets to store."""

    connection: Connection
    secrets: dict[Slot, str] = field(default_factory=dict)


def apply_field_options(
    base: Connection, options: argparse.Namespace, with_secrets: bool = True, shared: SharedSettings | None = None
) -> FieldChanges:
    """The connection ``base`` with every given option applied, plus secrets from stdin/env.

    ``with_secrets`` False leaves the secrets unread (for applying the same options again).
    ``shared`` holds the credentials and connectors ``--credential`` / ``--connector`` name.
    """
    given = vars(options)
    problems: list[Problem] = []
    connection = base
    if "preset" in given:
        try:
            connection = find_preset(given["preset"]).apply(connection)
        except KeyError as exc:
            raise ValidationError(str(exc.args[0]), "--preset") from None
    changes: dict[str, Any] = {}
    for name in _PLAIN_FIELDS:
        if name in given:
            value = given[name]
            changes[name] = _ENUMS[name](value) if name in _ENUMS else value
    if given.get("read_receipt_to") and "send_read_receipt" not in given:
        changes["send_read_receipt"] = True  # an address given alone still asks (as before schema 3)
    if "new_name" in given:
        changes["name"] = given["new_name"]
    if "from_address" in given:
        try:
            display, address = split_from_field(given["from_address"]) if given["from_address"] else ("", "")
        except ValueError as exc:
            problems.append(Problem("from_address", str(exc)))
        else:
            changes["from_address"] = address
            if display and "from_name" not in given:
                changes["from_name"] = display
    if "pinned_sha256" in given:
        try:
            changes["pinned_sha256"] = normalize_pin(given["pinned_sha256"]) if given["pinned_sha256"] else ""
        except ValueError as exc:
            problems.append(Problem("pinned_sha256", str(exc)))
    if "proxy" in given:
        try:
            spec = parse_proxy_url(given["proxy"])
        except ValueError as exc:
            problems.append(Problem("proxy_host", str(exc)))
        else:
            changes.update(
                proxy_type=spec.proxy_type,
                proxy_host=spec.host,
                proxy_port=spec.port or connection.proxy_port,
                proxy_username=spec.username,
            )
    if "credential" in given or "connector" in given:
        _apply_shared_options(given, shared, changes, problems)
    # The usual port for the new mode, unless the user chose one.
    usual_port = connection.port == DEFAULT_PORTS.get(connection.security, connection.port)
    if "security" in given and "port" not in given and "preset" not in given and usual_port:
        changes["port"] = DEFAULT_PORTS[Security(given["security"])]
    for option in ("ehlo_name", "host", "username", "proxy_domain", "domain", "oauth_client_id", "oauth_tenant"):
        if isinstance(changes.get(option), str):
            changes[option] = changes[option].strip()
    connection = connection.replace(**changes)
    # A user name and a password given without --auth mean password sign-in (issue 20, item 7).
    password_given = any(option in given for option in ("password_stdin", "password_env", "password_prompt"))
    if password_given:
        auth_chosen = "auth_mode" in given or "preset" in given
        connection = settle_sign_in(connection, has_password=True, auth_chosen=auth_chosen)
    if with_secrets:
        # The files named in this command must be there and hold what they should (issue 17,
        # item 18); files set earlier are checked when a test uses them.
        given_files = tuple(f for f in ("ca_file", "client_cert", "client_key") if given.get(f))
        if given_files:
            problems.extend(tls_file_problems(connection, given_files))
    if problems:
        # Report what could not be parsed together with everything else that is wrong.
        parsed_fields = {p.field for p in problems}
        rest = [p for p in validate(connection) if p.field not in parsed_fields]
        raise ValidationError(problems + rest)
    # A person at a terminal is asked for the password when this command turns password sign-in
    # on (``add --auth password``) and gives none (issue 20, item 8).
    # Not when the connection cannot be saved anyway: the person would type it for nothing.
    ask = needs_password(connection) and not needs_password(base) and not validate(connection)
    return FieldChanges(connection, read_secrets(options, connection, ask) if with_secrets else {})


def _apply_shared_options(
    given: dict[str, Any], shared: SharedSettings | None, changes: dict[str, Any], problems: list[Problem]
) -> None:
    """``--credential NAME`` / ``--connector NAME`` by name to the id the file keeps ('none': its own)."""
    for option, field_name, items, noun in (
        ("credential", "credential_id", shared.credentials if shared else (), "credential"),
        ("connector", "connector_id", shared.connectors if shared else (), "connector"),
    ):
        if option not in given:
            continue
        name = given[option].strip()
        if name.casefold() in ("", "none"):
            changes[field_name] = ""
            continue
        from smtpgui.core.validation import name_key

        match = next((i for i in items if name_key(i.name) == name_key(name)), None)
        if match is None:
            problems.append(
                Problem(field_name, f"There is no {noun} called {name!r}; 'smtpgui {noun} list' shows them.")
            )
            continue
        changes[field_name] = match.id
        if option == "credential" and "auth_mode" not in given:
            changes["auth_mode"] = AuthMode.PASSWORD  # a shared credential signs in with its password


def read_secrets(options: argparse.Namespace, connection: Connection, ask: bool = False) -> dict[Slot, str]:
    """Secrets named by --password-stdin / --password-env / --password-prompt and the --*-env
    options; never from the command line. With ``ask``, a terminal is asked for the password."""
    given = vars(options)
    secrets: dict[Slot, str] = {}
    who = f" (user {connection.username})" if connection.username else ""
    password = given_password(options, f"Password for {connection.name!r}{who}: ", ask_on_terminal=ask)
    if password is not None:
        secrets[Slot.PASSWORD] = password
    for option, slot in (
        ("proxy_password_env", Slot.PROXY_PASSWORD),
        ("client_secret_env", Slot.CLIENT_SECRET),
        ("oauth_client_secret_env", Slot.OAUTH_CLIENT_SECRET),
    ):
        if option in given:
            secrets[slot] = read_env_secret(given[option], "--" + option.replace("_", "-"))
    return secrets


def describe_problems(problems: list[Problem]) -> list[str]:
    """One line per problem, naming the option the user typed."""
    return [f"{OPTION_FOR_FIELD.get(p.field, p.field)}: {p.message}" if p.field else p.message for p in problems]
