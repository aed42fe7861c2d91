"""Sending through Microsoft Graph: an app-only token, then ``sendMail``, in the engine's terms
(or, with a user's password, a delegated token by the password grant, then ``/me/sendMail``).

A Graph session reports like an SMTP one (stages, timings, transcript, explanation and fix,
exit codes), so the test dialog and ``smtpgui test`` treat both kinds alike. The stages used:
``resolve``/``proxy``/``connect``/``tls`` for reaching each host, ``auth`` for the token (and
for 401/403 answers: authentication and permission failures exit 13), ``mail`` for a mailbox
Graph does not know (404), ``rcpt`` for refused recipients, ``data`` for the send itself.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from smtpgui.core.message import OutgoingMessage
from smtpgui.core.model import AuthMode
from smtpgui.transport import oauth
from smtpgui.transport.auth import AuthFailure
from smtpgui.transport.errors import OAuthError
from smtpgui.transport.failures import SessionFailure
from smtpgui.transport.http import HttpClient, HttpResponse
from smtpgui.transport.oauth import Tokens
from smtpgui.transport.result import Stage
from smtpgui.transport.session import SmtpSession

MAIL_SEND = "Mail.Send"


def graph_payload(message: OutgoingMessage, mailbox: str, reply_to: str, receipt: bool) -> dict[str, Any]:
    """The ``sendMail`` request body for a built test message."""
    msg = message.message
    # The From header's Address object, never its text parsed again (issue 17, item 4).
    origin = msg["From"].addresses[0]
    name, sender = origin.display_name, origin.addr_spec
    content = msg.get_content() if not msg.is_multipart() else str(msg.get_body(("plain",)) or "")
    body: dict[str, Any] = {
        "subject": str(msg["Subject"]),
        "body": {"contentType": "Text", "content": content},
        "toRecipients": [{"emailAddress": {"address": r}} for r in message.recipients],
        "internetMessageId": message.message_id,
        "internetMessageHeaders": [{"name": "X-Mailer", "value": "smtpgui test"}],
    }
    if sender and sender.lower() != mailbox.lower():
        body["from"] = {"emailAddress": {"address": sender, **({"name": name} if name else {})}}
    if reply_to:
        body["replyTo"] = [{"emailAddress": {"address": reply_to}}]
    if receipt:
        body["isReadReceiptRequested"] = True
    return {"message": body, "saveToSentItems": False}


def graph_error(response: HttpResponse) -> str:
    """Graph's error as ``Code: message`` (plus how long it asks to wait, when it does)."""
    data = response.json()
    error = data.get("error")
    if isinstance(error, dict):
        words = f"{error.get('code', 'error')}: {error.get('message', '')}".strip().rstrip(":")
    else:
        words = response.text() or response.reason
    retry = response.headers.get("retry-after")
    if retry:
        words += f" (Graph asks to wait {retry} seconds before trying again: Retry-After {retry})"
    return words


class GraphSession(SmtpSession):
    """One Graph test: token by client credentials, then ``sendMail`` (or, verify-only, the token)."""

    http_stages = True

    def _converse(self, message: OutgoingMessage | None) -> None:
        if self.c.auth_mode is AuthMode.PASSWORD:
            self._converse_as_user(message)
            return
        c = self.c
        secret = self.secrets.client_secret
        if not secret:
            self.result.stage = Stage.AUTH
            raise AuthFailure("missing-secret", "no client secret is stored for this Graph connection")
        http = HttpClient(
            c, self.token, proxy_password=self.secrets.proxy_password, transcript=self.transcript, stage=self._stage
        )
        self.transcript.info(
            f"Getting an app-only token for client {c.client_id} in tenant {c.tenant_id} from {c.authority_url}..."
        )
        tokens, cached = oauth.graph_token(c, http, secret)
        self.transcript.add_secret(tokens.access_token)
        self.result.auth_mechanism = "OAUTH2-CLIENT-CREDENTIALS"
        minutes = max(0, int(tokens.seconds_left() // 60))
        with self._stage(Stage.AUTH):
            self.transcript.info(
                f"{'Reusing the' if cached else 'Got an'} access token (kept in memory, valid {minutes} more minutes)."
            )
            roles = tokens.claims.get("roles")
            if tokens.claims and (not isinstance(roles, list) or MAIL_SEND not in roles):
                shown = ", ".join(map(str, roles)) if isinstance(roles, list) and roles else "none"
                raise SessionFailure(
                    "graph-no-mail-send", f"the token carries no {MAIL_SEND} application permission (roles: {shown})"
                )
        if message is None:
            self.transcript.info("Verified: the token was issued; stopping before sending (verify only).")
            return
        self.transcript.info(f"Sending as {c.mailbox} through {c.graph_url}...")
        path = f"users/{quote(c.mailbox, safe='@')}/sendMail"
        self._post_message(
            http, path, graph_payload(message, c.mailbox, c.reply_to, c.send_read_receipt), tokens, message
        )

    def _post_message(self, http: HttpClient, path: str, payload: dict[str, Any], tokens: Tokens,
              message: OutgoingMessage) -> None:  # fmt: skip
        """POST the message to Graph's ``v1.0/<path>``; a refusal becomes the failure it is."""
        c = self.c
        response = http.post_json(f"{c.graph_url.rstrip('/')}/v1.0/{path}", payload, tokens.access_token, Stage.DATA)
        if response.status in (200, 202):
            self.result.message_id = message.message_id
            self.transcript.info(f"Graph accepted the message ({response.status} {response.reason}).")
            return
        if response.status == 401:
            oauth.CACHE.forget(c.id)  # a refused token is not used again
        self.result.stage = _stage_for(response)
        kind = "graph-throttled" if response.status in (429, 503) and "retry-after" in response.headers else "graph"
        raise SessionFailure(kind, graph_error(response), response.status)

    def _converse_as_user(self, message: OutgoingMessage | None) -> None:
        """A user's password (issue 20, item 9): a delegated token by the resource-owner password
        grant, then ``/me/sendMail`` as that user."""
        c = self.c
        password = self.secrets.password
        if not password:
            self.result.stage = Stage.AUTH
            raise AuthFailure("missing-secret", "no password is stored for this Graph connection's user")
        http = HttpClient(
            c, self.token, proxy_password=self.secrets.proxy_password, transcript=self.transcript, stage=self._stage
        )
        self.transcript.info(
            f"Getting a delegated token for {c.username} with the user's password (the resource-owner password "
            f"grant; Microsoft discourages it, and it fails when the account needs MFA) from {c.authority_url}..."
        )
        try:
            tokens, cached = oauth.graph_password_token(c, http, password, self.secrets.client_secret)
        except OAuthError as exc:
            self.result.stage = Stage.AUTH
            raise SessionFailure("graph-password-token", f"the identity provider refused: {exc}", exc.status) from exc
        self.transcript.add_secret(tokens.access_token)
        self.result.auth_mechanism = "OAUTH2-PASSWORD"
        minutes = max(0, int(tokens.seconds_left() // 60))
        with self._stage(Stage.AUTH):
            self.transcript.info(
                f"{'Reusing the' if cached else 'Got a'} delegated token "
                f"(kept in memory, valid {minutes} more minutes)."
            )
            scopes = str(tokens.claims.get("scp", "")).split()
            if tokens.claims and MAIL_SEND not in scopes:
                raise SessionFailure(
                    "graph-no-mail-send",
                    f"the token carries no delegated {MAIL_SEND} permission (scopes: {' '.join(scopes) or 'none'})",
                )
        if message is None:
            self.transcript.info("Verified: the token was issued; stopping before sending (verify only).")
            return
        self.transcript.info(f"Sending as {c.username} (/me) through {c.graph_url}...")
        self._post_message(http, "me/sendMail", graph_payload(message, c.mailbox or c.username, c.reply_to,
                                                      c.send_read_receipt), tokens, message)  # fmt: skip


def _stage_for(response: HttpResponse) -> Stage:
    if response.status in (401, 403):
        return Stage.AUTH
    if response.status == 404:
        return Stage.MAIL
    error = response.json().get("error")
    code = error.get("code", "") if isinstance(error, dict) else ""
    if response.status == 400 and "Recipient" in str(code):
        return Stage.RCPT
    return Stage.DATA
