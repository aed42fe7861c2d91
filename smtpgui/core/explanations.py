"""Why a session failed, and what to do about it: a table from failure to cause and fix.

The engine describes a failure as a ``Failure`` (stage, kind, reply code, enhanced code,
server text); ``explain`` walks the rules in order and returns the first match. Every failure
gets an explanation and a fix: the last rules are catch-alls per stage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Failure:
    """What went wrong, in the engine's terms."""

    stage: str
    kind: str = "smtp"  # smtp, dns, refused, unreachable, timeout, proxy, mismatch-implicit, …
    code: int | None = None
    enhanced: str | None = None
    text: str = ""
    host: str = ""
    port: int = 0


@dataclass(frozen=True)
class Explanation:
    cause: str
    fix: str


@dataclass(frozen=True)
class Rule:
    explanation: Explanation
    stages: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    codes: tuple[int, ...] = ()
    enhanced: tuple[str, ...] = ()
    pattern: str = ""

    def matches(self, f: Failure) -> bool:
        if self.stages and f.stage not in self.stages:
            return False
        if self.kinds and f.kind not in self.kinds:
            return False
        if self.codes and f.code not in self.codes:
            return False
        if self.enhanced and not (f.enhanced and any(f.enhanced.startswith(e) for e in self.enhanced)):
            return False
        return not (self.pattern and not re.search(self.pattern, f.text, re.IGNORECASE))


def _r(cause: str, fix: str, **match: object) -> Rule:
    return Rule(Explanation(cause, fix), **match)  # type: ignore[arg-type]


AUTH = ("auth",)
MESSAGE = ("mail", "rcpt", "data")

RULES: tuple[Rule, ...] = (
    # network
    _r(
        "The server's name could not be found in DNS.",
        "Check the spelling and use the full DNS name (for example smtp.example.com, not just smtp).",
        kinds=("dns",),
    ),
    _r(
        "Nothing is listening on that port, or a firewall actively refused the connection.",
        "Check the port (465 for SSL/TLS, 587 for STARTTLS, 25 for server-to-server) and that the server is running.",
        kinds=("refused",),
    ),
    _r(
        "The server could not be reached: the network or a firewall dropped the connection.",
        "Check the host and port; many networks and cloud providers block outgoing port 25, so try 587 or 465.",
        kinds=("unreachable",),
    ),
    _r(
        "The proxy refused the user name or password.",
        "Check the proxy user name and password (Proxy tab).",
        kinds=("proxy-auth",),
    ),
    _r(
        "The proxy could not be reached.",
        "Check the proxy's host, port and type, and that it is running.",
        kinds=("proxy-connect",),
    ),
    _r(
        "The proxy was reached but would not connect to the mail server.",
        "Check that the proxy allows connections to this host and port (HTTP proxies often allow only 443).",
        kinds=("proxy",),
    ),
    # port / mode mismatch
    _r(
        "This port expects implicit TLS (the connection starts encrypted), but the connection is set to "
        "STARTTLS or none, so the server is waiting for a TLS handshake and never greets.",
        "Set security to SSL/TLS for this port (usually 465), or use port 587 with STARTTLS.",
        kinds=("mismatch-implicit",),
    ),
    _r(
        "This port speaks plain SMTP first, but the connection is set to implicit SSL/TLS.",
        "Set security to STARTTLS for this port (usually 587 or 25), or use port 465 with SSL/TLS.",
        kinds=("mismatch-plain",),
    ),
    # TLS
    _r(
        "The server's certificate does not match the pinned fingerprint: it changed, or someone is "
        "intercepting the connection.",
        "Compare the new fingerprint with your provider's; only if it is expected, trust the new certificate.",
        kinds=("pin",),
    ),
    _r(
        "The certificate is valid but issued for another name than the host you connect to.",
        "Connect using one of the names on the certificate (see its subject), "
        "or ask the administrator for the right host name.",
        kinds=("hostname",),
    ),
    _r(
        "The server's certificate has expired.",
        "Tell the server's administrator; you can trust this exact certificate meanwhile "
        "if you are sure it is the right server.",
        kinds=("certificate",),
        pattern=r"expired",
    ),
    _r(
        "The server's certificate is not trusted: it is self-signed (nobody vouches for it but the server itself).",
        "If this is your own server, trust this certificate (pin it); otherwise do not send through it.",
        kinds=("certificate",),
        pattern=r"self.signed certificate$|depth.zero.self.signed",
    ),
    _r(
        "The server's certificate is not trusted: its chain ends in a private authority smtpgui does not know.",
        "If this is your organisation's own authority, set its certificate as the CA file (Encryption tab); "
        "otherwise do not send through this server.",
        kinds=("certificate",),
        pattern=r"self.signed certificate in certificate chain",
    ),
    _r(
        "The server's certificate is not trusted: it cannot be linked to a trusted authority. Either the server "
        "did not send the intermediate certificate that issued it (an incomplete chain), or its issuer is an "
        "authority smtpgui does not know.",
        "Ask the server's administrator to install the full certificate chain (the certificate and its "
        "intermediates); if the issuer is your organisation's own authority, set its certificate as the CA file.",
        kinds=("certificate",),
        pattern=r"unable to get (local )?issuer certificate",
    ),
    _r(
        "The server's certificate is not trusted: it is self-signed or signed by an unknown authority.",
        "If this is your own server, trust this certificate (pin it) or set a CA file; "
        "otherwise do not send through it.",
        kinds=("certificate",),
    ),
    _r(
        "The server and smtpgui have no TLS version in common.",
        "Check the TLS minimum and maximum on the Encryption tab; the server may only offer versions outside them.",
        kinds=("tls-version",),
    ),
    _r("The server refused TLS 1.0/1.1.", "Set the minimum TLS version to 1.2.", codes=(421,), enhanced=("4.7.66",)),
    _r(
        "The server is closing the session (421: service not available): it is shutting down, overloaded or "
        "limiting connections. This is temporary, not a refusal of your settings or message.",
        "Try again later; if it keeps happening, ask the server's administrator (your address may be rate-limited).",
        codes=(421,),
    ),
    _r(
        "The server does not offer STARTTLS, so the connection cannot be encrypted as required.",
        "Use SSL/TLS on port 465 if the server offers it; choose no encryption only for a trusted local relay.",
        kinds=("no-starttls",),
    ),
    _r(
        "The server requires a client certificate (mutual TLS), and this connection sends none.",
        "Set the client certificate and key the server's administrator issued (Encryption tab, "
        "or 'smtpgui edit NAME --client-cert PATH --client-key PATH').",
        kinds=("client-cert-required",),
    ),
    _r(
        "The server did not accept this connection's client certificate.",
        "Check that the client certificate is the one the server's administrator issued and that it has not expired.",
        kinds=("client-cert-refused",),
    ),
    _r(
        "The server offered STARTTLS but refused to start it now (454: TLS temporarily not available). "
        "This is not a handshake failure: no TLS was attempted.",
        "Try again later; do not turn encryption off. If it persists, tell the server's administrator.",
        kinds=("starttls-refused",),
        codes=(454,),
    ),
    _r(
        "The server offered STARTTLS but refused the STARTTLS command. No TLS was attempted.",
        "Read the server's words; try again later, or use SSL/TLS on port 465 if the server offers it.",
        kinds=("starttls-refused",),
    ),
    _r(
        "The client certificate or key could not be used.",
        "Check the client certificate and key files: PEM format, matching each other, readable.",
        kinds=("client-cert",),
    ),
    _r(
        "The TLS handshake failed.",
        "Check the security mode and port, and the TLS versions allowed on the Encryption tab.",
        stages=("tls", "starttls"),
        kinds=("tls",),
    ),
    _r(
        "The EHLO name set for this connection is not a valid host name, so it cannot be sent.",
        "Set the EHLO name (Server tab, or 'smtpgui edit NAME --ehlo-name HOST') to this computer's DNS name, "
        "or leave it empty.",
        kinds=("ehlo-name",),
    ),
    # greeting
    _r(
        "The server did not greet with a valid SMTP reply: this may not be a mail server.",
        "Check the host and port; a web or other service may be listening there.",
        kinds=("protocol",),
        stages=("greeting",),
    ),
    _r(
        "The server refused the connection at its greeting (it may block your address or be overloaded).",
        "Read the server's words; try again later, or ask the administrator whether your IP address is blocked.",
        stages=("greeting", "ehlo"),
        kinds=("smtp",),
    ),
    # authentication
    _r(
        "SMTP AUTH is disabled for this Microsoft 365 tenant or mailbox.",
        "Enable Authenticated SMTP for the mailbox (Microsoft 365 admin centre), or use OAuth2 or a Graph connection.",
        stages=AUTH,
        enhanced=("5.7.139",),
    ),
    _r(
        "Microsoft 365 no longer accepts passwords (basic authentication) for SMTP.",
        "Switch the connection to OAuth2 sign-in, or send through a Microsoft Graph connection.",
        enhanced=("5.7.30",),
    ),
    # OAuth2 tokens refused by the SMTP server (the JSON after 334, decoded)
    _r(
        "The access token has expired or was revoked.",
        "Sign in again (Sign in on the Authentication tab, or 'smtpgui login NAME').",
        kinds=("oauth",),
        pattern=r"status 401|invalid_token",
    ),
    _r(
        "The access token lacks the permission (scope) to send mail over SMTP.",
        "Sign in again; the app registration must be allowed the SMTP scope (SMTP.Send for Microsoft, "
        "https://mail.google.com/ for Google).",
        kinds=("oauth",),
        pattern=r"status 403|insufficient_scope",
    ),
    _r(
        "The server did not accept the token for this user: it is invalid, or was issued to another account.",
        "The user name must be the account that signed in; sign in again with that account.",
        kinds=("oauth",),
        pattern=r"status 400",
    ),
    _r(
        "The OAuth2 access token was refused.",
        "Sign in again to get a fresh token, and check that the app has the SMTP scope.",
        kinds=("oauth",),
    ),
    # the identity provider's answers (Microsoft's AADSTS numbers, then the OAuth2 error codes)
    _r(
        "The client secret is wrong (Microsoft AADSTS7000215).",
        "Copy the secret's Value (not its Secret ID) from the app registration's Certificates & secrets, "
        "or create a new secret there, and store it again.",
        kinds=("oauth-token",),
        pattern=r"AADSTS7000215",
    ),
    _r(
        "The client secret has expired (Microsoft AADSTS7000222).",
        "Create a new client secret in the app registration (Certificates & secrets) and store it here.",
        kinds=("oauth-token",),
        pattern=r"AADSTS7000222",
    ),
    _r(
        "No application with this client ID exists in the tenant (Microsoft AADSTS700016).",
        "Check the application (client) ID and the tenant ID on the app registration's Overview page.",
        kinds=("oauth-token",),
        pattern=r"AADSTS700016",
    ),
    _r(
        "The tenant was not found (Microsoft AADSTS90002/900023).",
        "Check the directory (tenant) ID or domain, and that the authority URL matches your cloud.",
        kinds=("oauth-token",),
        pattern=r"AADSTS90002\b|AADSTS900023|AADSTS90013",
    ),
    _r(
        "The app registration needs a client secret for this sign-in (Microsoft AADSTS7000218).",
        "Store the app's client secret, or turn on 'Allow public client flows' in the app registration.",
        kinds=("oauth-token",),
        pattern=r"AADSTS7000218",
    ),
    _r(
        "Nobody has consented to the app's permissions (Microsoft AADSTS65001).",
        "An administrator must grant consent for the app in Entra ID (API permissions › Grant admin consent).",
        kinds=("oauth-token",),
        pattern=r"AADSTS65001|consent_required",
    ),
    _r(
        "The stored sign-in has expired or was revoked (a password change, an administrator, or months unused).",
        "Sign in again (Sign in on the Authentication tab, or 'smtpgui login NAME').",
        kinds=("oauth-token",),
        pattern=r"AADSTS700082|AADSTS70008\b|AADSTS50173|AADSTS50133|invalid_grant",
    ),
    _r(
        "Your organisation's policy (multi-factor or Conditional Access) blocked the sign-in.",
        "Sign in again interactively and complete the extra step, or ask the administrator about the policy.",
        kinds=("oauth-token",),
        pattern=r"AADSTS5007[69]|AADSTS50158|AADSTS53003|interaction_required",
    ),
    _r(
        "The redirect address is not registered for the app.",
        "Register http://localhost (Microsoft: Mobile and desktop applications) or use a Desktop app client (Google).",
        kinds=("oauth-token",),
        pattern=r"AADSTS50011|AADSTS500113|redirect_uri",
    ),
    _r(
        "The client ID or client secret is wrong.",
        "Check the client ID, and store the client secret again (it must be the secret's value).",
        kinds=("oauth-token",),
        pattern=r"invalid_client|unauthorized_client",
    ),
    _r(
        "The provider does not know the requested scopes.",
        "Check the scopes: SMTP needs https://mail.google.com/ (Google) or "
        "https://outlook.office.com/SMTP.Send offline_access (Microsoft).",
        kinds=("oauth-token",),
        pattern=r"invalid_scope|AADSTS70011",
    ),
    _r(
        "No sign-in came back in time: the browser page was not finished (or could not reach smtpgui).",
        "Sign in again and finish in the browser on this computer, or use 'smtpgui login NAME --device' "
        "(Sign in with a code) to sign in on another device.",
        kinds=("oauth-token",),
        pattern=r"no sign-in arrived",
    ),
    _r(
        "The sign-in was declined, or the code expired before it was entered.",
        "Sign in again and approve the request in time.",
        kinds=("oauth-token",),
        pattern=r"access_denied|authorization_declined|expired_token|timeout",
    ),
    _r(
        "The identity provider refused to issue a token.",
        "Read the provider's words (its error code) and check the client ID, secret, tenant and scopes.",
        kinds=("oauth-token",),
    ),
    _r(
        "The OAuth2 settings are incomplete.",
        "Fill in the setting named, then sign in (Sign in on the Authentication tab, or 'smtpgui login NAME').",
        kinds=("oauth-setup",),
    ),
    _r(
        "The address is not https://, so tokens and mail would travel unencrypted.",
        "Use an https:// address; plain http is allowed only for a server on this computer.",
        kinds=("insecure-url",),
    ),
    # Microsoft Graph's answers to sendMail
    _r(
        "The token carries no Mail.Send application permission: admin consent is missing.",
        "In Entra ID, add the Microsoft Graph application permission Mail.Send to the app registration and "
        "grant admin consent (API permissions › Grant admin consent).",
        kinds=("graph-no-mail-send",),
    ),
    _r(
        "Graph refused the token (it has expired, is for another cloud, or is not a Graph token).",
        "Check that the authority URL and Graph URL belong to the same cloud, then test again for a fresh token.",
        kinds=("graph",),
        codes=(401,),
    ),
    _r(
        "An application access policy stops this app from sending as this mailbox.",
        "Ask the Exchange administrator to add the mailbox to the app's policy (New-ApplicationAccessPolicy or "
        "RBAC for Applications), or send as a mailbox the policy allows.",
        kinds=("graph",),
        codes=(403,),
        pattern=r"AccessPolicy|RAOP|application access policy",
    ),
    _r(
        "The app may not send mail as this mailbox.",
        "Give the app the Microsoft Graph application permission Mail.Send with admin consent, and check any "
        "application access policy that limits which mailboxes it may use.",
        kinds=("graph",),
        codes=(403,),
    ),
    _r(
        "Graph does not know this mailbox (or it has no Exchange Online licence).",
        "Check the mailbox: it must be the user principal name (user@yourdomain) of a licensed mailbox.",
        kinds=("graph",),
        codes=(404,),
    ),
    _r(
        "Graph is throttling this app: too many requests.",
        "Wait as long as Graph asks (the Retry-After shown with the error), then try again.",
        kinds=("graph-throttled",),
    ),
    _r(
        "Graph is throttling this app: too many requests.",
        "Wait a minute and try again.",
        kinds=("graph",),
        codes=(429,),
    ),
    _r(
        "Graph refused a recipient.",
        "Check the recipient addresses.",
        kinds=("graph",),
        stages=("rcpt",),
    ),
    _r(
        "Graph refused the request.",
        "Read Graph's words (its error code and message) for the reason.",
        kinds=("graph",),
    ),
    _r(
        "Google wants an app password (or OAuth2) instead of your account password.",
        "Create an app password at Google Account › Security › App passwords and use it here.",
        stages=AUTH,
        codes=(534, 535),
        pattern=r"application-specific password|app password|InvalidSecondFactor|5\.7\.9",
    ),
    _r(
        "The server refused the user name or password.",
        "Check the user name (often the full e-mail address) and the password; some providers need an app password.",
        stages=AUTH,
        codes=(535,),
    ),
    _r(
        "The server requires an encrypted connection before signing in.",
        "Set security to STARTTLS or SSL/TLS.",
        stages=AUTH,
        codes=(530, 538),
        pattern=r"STARTTLS|TLS|encrypt",
    ),
    _r(
        "The server and smtpgui have no sign-in method in common.",
        "Choose another mechanism, or try without authentication (anonymous) if the server relays for your address.",
        kinds=("no-mechanism",),
    ),
    _r(
        "The server offers no sign-in at all on this connection (no AUTH in its EHLO reply).",
        "Try without authentication, or use STARTTLS/SSL: many servers offer AUTH only after encryption.",
        kinds=("no-auth",),
    ),
    _r(
        "smtpgui will not send a password over an unencrypted connection.",
        "Use STARTTLS or SSL/TLS; only for a trusted local server turn on 'allow password over unencrypted link'.",
        kinds=("insecure-auth",),
    ),
    _r(
        "No client secret is stored for this Graph connection.",
        "Enter the client secret on the Microsoft Graph tab, or with 'smtpgui edit NAME --client-secret-env VAR'.",
        kinds=("missing-secret",),
        pattern=r"client secret",
    ),
    _r(
        "Nobody has signed in for this connection yet (no OAuth2 token is stored).",
        "Sign in (Sign in on the Authentication tab, or 'smtpgui login NAME').",
        kinds=("missing-secret",),
        pattern=r"access token",
    ),
    _r(
        "No password (or token) is stored for this connection.",
        "Enter the password on the Authentication tab, or with 'smtpgui edit NAME --password-stdin'.",
        kinds=("missing-secret",),
    ),
    _r(
        "Authentication is temporarily unavailable on the server.",
        "Wait a little and try again.",
        stages=AUTH,
        codes=(454,),
    ),
    _r(
        "The server refused to sign you in.",
        "Read the server's words; check the user name, password and mechanism.",
        stages=AUTH,
        kinds=("smtp",),
    ),
    # message
    _r(
        "The server needs you to issue STARTTLS first.",
        "Set security to STARTTLS or SSL/TLS.",
        codes=(530,),
        enhanced=("5.7.0",),
    ),
    _r(
        "The server needs you to sign in before sending.",
        "Set authentication to password (or OAuth2) with your account's credentials.",
        stages=MESSAGE,
        codes=(530, 550, 553, 554),
        pattern=r"auth|authenticat|sign in|login",
    ),
    _r(
        "The server refused to relay: it will not deliver mail for this sender or recipient from you.",
        "Sign in, send from an address the account owns, or ask the administrator to allow relaying for your address.",
        stages=("mail", "rcpt"),
        codes=(550, 551, 553, 554),
        enhanced=("5.7.1",),
    ),
    _r(
        "The sender address is not allowed for this account.",
        "Send from the account's own address, or one it may send as.",
        stages=("mail",),
        codes=(550, 553, 554, 501),
    ),
    _r(
        "The recipient does not exist or is not accepted.",
        "Check the recipient address.",
        stages=("rcpt",),
        codes=(550, 551, 553, 501),
    ),
    _r(
        "The server deferred this temporarily (a 4xx reply; greylisting does this to senders it has not seen "
        "before): it is not a refusal, and the same send will likely work later.",
        "Try again in a few minutes; a mail server would retry by itself.",
        stages=MESSAGE,
        codes=(450, 451),
    ),
    _r(
        "The server or the account is over a limit (rate, quota or size).",
        "Wait and try again, or send fewer/smaller messages.",
        stages=MESSAGE,
        codes=(452, 552),
    ),
    _r(
        "The server needs SMTPUTF8 for these non-ASCII addresses but does not offer it.",
        "Use addresses with an ASCII part before @, or a server that supports SMTPUTF8.",
        kinds=("smtputf8",),
    ),
    _r(
        "The server refused the message itself after accepting sender and recipients: its content, or a "
        "policy such as spam filtering or a sender check (SPF/DKIM/DMARC).",
        "Read the server's words; try a plain message with another subject and body, check the sender "
        "domain's SPF/DKIM, or ask the server's administrator.",
        stages=("data",),
        kinds=("smtp",),
        codes=(550, 552, 554),
    ),
    _r(
        "The server deferred the message temporarily (4xx): it is not a refusal.",
        "Try again in a few minutes.",
        stages=("data",),
        kinds=("smtp",),
        codes=(450, 451, 452),
    ),
    _r(
        "The server refused the message.",
        "Read the server's words; the message content or size may be refused.",
        stages=("data",),
        kinds=("smtp",),
    ),
    _r("The server refused the message.", "Read the server's words for the reason.", stages=MESSAGE, kinds=("smtp",)),
    # general
    _r(
        "The server stopped answering and the time limit ran out.",
        "Check the host and port, or raise the timeout if the server is known to be slow.",
        kinds=("timeout",),
    ),
    _r(
        "The server closed the connection unexpectedly.",
        "The server may be overloaded or blocking you; check the port and security mode and try again.",
        kinds=("disconnected",),
    ),
    _r("The test was cancelled.", "Run the test again when you are ready.", kinds=("cancelled",)),
    _r(
        "The server's reply was not valid SMTP.",
        "Check the host and port: this may not be a mail server.",
        kinds=("protocol",),
    ),
    _r(
        "The connection failed.",
        "Check the host, port and network, then try again.",
        stages=("resolve", "proxy", "connect"),
    ),
    _r("The session failed.", "Read the server's words and the transcript for details."),
)


def explain(failure: Failure) -> Explanation:
    """The cause and fix for a failure; never None."""
    for rule in RULES:
        if rule.matches(failure):
            return rule.explanation
    return RULES[-1].explanation  # pragma: no cover - the last rule matches everything
