"""SASL authentication, one mechanism per attempt, with payloads hidden where they are made."""

from __future__ import annotations

import base64
import hmac
from dataclasses import dataclass
from typing import Protocol

from smtpgui.core.jsondoc import parse_json
from smtpgui.core.model import AuthMode, Connection, Mechanism

# Strongest first. CRAM-MD5 never sends the password itself; over TLS PLAIN is as good and
# better supported, but auto still prefers not to send the password when it can avoid it.
PASSWORD_PREFERENCE = (Mechanism.CRAM_MD5, Mechanism.PLAIN, Mechanism.LOGIN)
TOKEN_PREFERENCE = (Mechanism.OAUTHBEARER, Mechanism.XOAUTH2)
CLEARTEXT = {Mechanism.PLAIN, Mechanism.LOGIN, Mechanism.XOAUTH2, Mechanism.OAUTHBEARER}


class AuthClient(Protocol):
    """What the authenticator needs from the SMTP client."""

    def command(self, line: str, shown: str | None = None) -> tuple[int, bytes]: ...

    def hide(self, *values: str) -> None:
        """From now on, hide these values wherever the session's text goes (a server may echo them)."""

    def hide_in_session(self, *values: str) -> None:
        """Hide values that exist in this session only (a CRAM-MD5 response), in every form."""


@dataclass
class AuthFailure(Exception):
    """Authentication did not succeed; ``kind`` sorts it for the explanation table."""

    kind: str  # smtp, no-mechanism, no-auth, insecure-auth, missing-secret, oauth
    message: str
    code: int | None = None
    reply: str = ""

    def __str__(self) -> str:
        return self.message


def choose_mechanism(connection: Connection, offered: list[str], encrypted: bool) -> Mechanism:
    """The mechanism to use, or ``AuthFailure`` saying why there is none."""
    offered_set = {m.upper() for m in offered}
    if not offered_set:
        raise AuthFailure("no-auth", "the server offers no AUTH mechanisms on this connection")
    preference = TOKEN_PREFERENCE if connection.auth_mode is AuthMode.OAUTH2 else PASSWORD_PREFERENCE
    candidates = [connection.mechanism] if connection.mechanism is not Mechanism.AUTO else list(preference)
    usable = [m for m in candidates if m.value.upper() in offered_set]
    if not usable:
        wanted = ", ".join(m.value.upper() for m in candidates)
        raise AuthFailure(
            "no-mechanism", f"the server offers {' '.join(sorted(offered_set))}; smtpgui would use {wanted}"
        )
    if not encrypted and not connection.allow_insecure_auth:
        safe = [m for m in usable if m not in CLEARTEXT]
        if not safe:
            raise AuthFailure(
                "insecure-auth", f"{usable[0].value.upper()} would send the secret over an unencrypted connection"
            )
        usable = safe
    return usable[0]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def authenticate(
    client: AuthClient, *, connection: Connection, mechanism: Mechanism, secret: str, host: str, port: int
) -> tuple[int, bytes]:
    """Run one AUTH exchange; returns the final reply (235 on success)."""
    user = connection.login_name
    client.hide(secret)
    if mechanism is Mechanism.PLAIN:
        raw = f"\0{user}\0{secret}"
        payload = _b64(raw.encode())
        client.hide(raw, payload, f"{user}\0{secret}")
        code, text = client.command(f"AUTH PLAIN {payload}", "AUTH PLAIN [credentials hidden]")
        if code == 334:  # server wanted the payload on its own line
            code, text = client.command(payload, "[credentials hidden]")
        return code, text
    if mechanism is Mechanism.LOGIN:
        code, text = client.command("AUTH LOGIN")
        if code != 334:
            return code, text
        code, text = client.command(_b64(user.encode()), f"[user name: {user}]")
        if code != 334:
            return code, text
        client.hide(_b64(secret.encode()))
        return client.command(_b64(secret.encode()), "[password hidden]")
    if mechanism is Mechanism.CRAM_MD5:
        code, text = client.command("AUTH CRAM-MD5")
        if code != 334:
            return code, text
        challenge = base64.b64decode(text.strip() + b"===")
        digest = hmac.new(secret.encode(), challenge, "md5").hexdigest()
        response = f"{user} {digest}"
        client.hide_in_session(digest, response, _b64(response.encode()))
        return client.command(_b64(response.encode()), "[CRAM-MD5 response hidden]")
    if mechanism is Mechanism.XOAUTH2:
        raw = f"user={user}\x01auth=Bearer {secret}\x01\x01"
        payload = _b64(raw.encode())
        client.hide(raw, f"Bearer {secret}", payload)
        code, text = client.command(f"AUTH XOAUTH2 {payload}", "AUTH XOAUTH2 [token hidden]")
        if code == 334:  # an error in JSON; an empty line ends the exchange
            detail = decode_oauth_error(text)
            code, text = client.command("", "")
            raise AuthFailure("oauth", f"the token was refused: {detail}", code, text.decode("utf-8", "replace"))
        return code, text
    if mechanism is Mechanism.OAUTHBEARER:
        raw = f"n,a={user},\x01host={host}\x01port={port}\x01auth=Bearer {secret}\x01\x01"
        payload = _b64(raw.encode())
        client.hide(raw, f"Bearer {secret}", payload)
        code, text = client.command(f"AUTH OAUTHBEARER {payload}", "AUTH OAUTHBEARER [token hidden]")
        if code == 334:
            detail = decode_oauth_error(text)
            code, text = client.command("AQ==", "AQ== (ending the failed exchange)")
            raise AuthFailure("oauth", f"the token was refused: {detail}", code, text.decode("utf-8", "replace"))
        return code, text
    raise AuthFailure("no-mechanism", f"{mechanism.value} is not a SASL mechanism smtpgui can run")


def decode_oauth_error(text: bytes) -> str:
    """The provider's JSON error after ``334`` as a sentence (status, scope)."""
    try:
        data = parse_json(base64.b64decode(text.strip() + b"==="))
    except (ValueError, UnicodeDecodeError):
        return text.decode("utf-8", "replace")
    if not isinstance(data, dict):
        return str(data)
    parts = [f"status {data.get('status', '?')}"]
    if data.get("scope"):
        parts.append(f"needed scope {data['scope']}")
    if data.get("schemes"):
        parts.append(f"schemes {data['schemes']}")
    return ", ".join(parts)
