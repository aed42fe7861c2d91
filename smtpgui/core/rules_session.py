"""Explanations for a session's own failures, in order: network, port/mode mismatch, TLS,
greeting, authentication, and OAuth2 tokens the SMTP server refused."""

from __future__ import annotations

from smtpgui.core.ruletable import AUTH, Rule, rule

SESSION_RULES: tuple[Rule, ...] = (
    # network
    rule(
        "The server's name could not be found in DNS.",
        "Check the spelling and use the full DNS name (for example smtp.example.com, not just smtp); "
        "if the name is right, check that this computer has a network and a working DNS server.",
        kinds=("dns",),
    ),
    rule(
        "Nothing is listening on that port, or a firewall actively refused the connection.",
        "Check the port (465 for SSL/TLS, 587 for STARTTLS, 25 for server-to-server) and that the server is running.",
        kinds=("refused",),
    ),
    rule(
        "The server could not be reached: the network or a firewall dropped the connection.",
        "Check the host and port; many networks and cloud providers block outgoing port 25, so try 587 or 465.",
        kinds=("unreachable",),
    ),
    rule(
        "The proxy refused the user name or password.",
        "Check the proxy user name and password (Proxy tab).",
        kinds=("proxy-auth",),
    ),
    rule(
        "The proxy could not be reached.",
        "Check the proxy's host, port and type, and that it is running.",
        kinds=("proxy-connect",),
    ),
    rule(
        "The proxy was reached but would not connect to the mail server.",
        "Check that the proxy allows connections to this host and port (HTTP proxies often allow only 443).",
        kinds=("proxy",),
    ),
    # port / mode mismatch
    rule(
        "This port expects implicit TLS (the connection starts encrypted), but the connection is set to "
        "STARTTLS or none, so the server is waiting for a TLS handshake and never greets.",
        "Set security to SSL/TLS for this port (usually 465), or use port 587 with STARTTLS.",
        kinds=("mismatch-implicit",),
    ),
    rule(
        "This port speaks plain SMTP first, but the connection is set to implicit SSL/TLS.",
        "Set security to STARTTLS for this port (usually 587 or 25), or use port 465 with SSL/TLS.",
        kinds=("mismatch-plain",),
    ),
    # TLS
    rule(
        "The server's certificate does not match the pinned fingerprint: it changed, or someone is "
        "intercepting the connection.",
        "Compare the new fingerprint with your provider's; only if it is expected, trust the new certificate.",
        kinds=("pin",),
    ),
    rule(
        "The certificate is valid but issued for another name than the host you connect to.",
        "Connect using one of the names on the certificate (see its subject), "
        "or ask the administrator for the right host name.",
        kinds=("hostname",),
    ),
    rule(
        "The server's certificate has expired.",
        "Tell the server's administrator; you can trust this exact certificate meanwhile "
        "if you are sure it is the right server.",
        kinds=("certificate",),
        pattern=r"expired",
    ),
    rule(
        "The server's certificate is not trusted: it is self-signed (nobody vouches for it but the server itself).",
        "If this is your own server, trust this certificate (pin it); otherwise do not send through it.",
        kinds=("certificate",),
        pattern=r"self.signed certificate$|depth.zero.self.signed",
    ),
    rule(
        "The server's certificate is not trusted: its chain ends in a private authority smtpgui does not know.",
        "If this is your organisation's own authority, set its certificate as the CA file (Encryption tab); "
        "otherwise do not send through this server.",
        kinds=("certificate",),
        pattern=r"self.signed certificate in certificate chain",
    ),
    rule(
        "The server's certificate is not trusted: it cannot be linked to a trusted authority. Either the server "
        "did not send the intermediate certificate that issued it (an incomplete chain), or its issuer is an "
        "authority smtpgui does not know.",
        "Ask the server's administrator to install the full certificate chain (the certificate and its "
        "intermediates); if the issuer is your organisation's own authority, set its certificate as the CA file.",
        kinds=("certificate",),
        pattern=r"unable to get (local )?issuer certificate",
    ),
    rule(
        "The server's certificate is not trusted: it is self-signed or signed by an unknown authority.",
        "If this is your own server, trust this certificate (pin it) or set a CA file; "
        "otherwise do not send through it.",
        kinds=("certificate",),
    ),
    rule(
        "The server and smtpgui have no TLS version in common.",
        "Check the TLS minimum and maximum on the Encryption tab; the server may only offer versions outside them.",
        kinds=("tls-version",),
    ),
    rule("The server refused TLS 1.0/1.1.", "Set the minimum TLS version to 1.2.", codes=(421,), enhanced=("4.7.66",)),
    rule(
        "The server is closing the session (421: service not available): it is shutting down, overloaded or "
        "limiting connections. This is temporary, not a refusal of your settings or message.",
        "Try again later; if it keeps happening, ask the server's administrator (your address may be rate-limited).",
        codes=(421,),
    ),
    rule(
        "The server does not offer STARTTLS, so the connection cannot be encrypted as required.",
        "Use SSL/TLS on port 465 if the server offers it; choose no encryption only for a trusted local relay.",
        kinds=("no-starttls",),
    ),
    rule(
        "The server requires a client certificate (mutual TLS), and this connection sends none.",
        "Set the client certificate and key the server's administrator issued (Encryption tab, "
        "or 'smtpgui edit NAME --client-cert PATH --client-key PATH').",
        kinds=("client-cert-required",),
    ),
    rule(
        "The server did not accept this connection's client certificate.",
        "Check that the client certificate is the one the server's administrator issued and that it has not expired.",
        kinds=("client-cert-refused",),
    ),
    rule(
        "The server offered STARTTLS but refused to start it now (454: TLS temporarily not available). "
        "This is not a handshake failure: no TLS was attempted.",
        "Try again later; do not turn encryption off. If it persists, tell the server's administrator.",
        kinds=("starttls-refused",),
        codes=(454,),
    ),
    rule(
        "The server offered STARTTLS but refused the STARTTLS command. No TLS was attempted.",
        "Read the server's words; try again later, or use SSL/TLS on port 465 if the server offers it.",
        kinds=("starttls-refused",),
    ),
    rule(
        "The client certificate or key could not be used.",
        "Check the client certificate and key files: PEM format, matching each other, readable.",
        kinds=("client-cert",),
    ),
    rule(
        "The TLS handshake failed.",
        "Check the security mode and port, and the TLS versions allowed on the Encryption tab.",
        stages=("tls", "starttls"),
        kinds=("tls",),
    ),
    rule(
        "The EHLO name set for this connection is not a valid host name, so it cannot be sent.",
        "Set the EHLO name (Server tab, or 'smtpgui edit NAME --ehlo-name HOST') to this computer's DNS name, "
        "or leave it empty.",
        kinds=("ehlo-name",),
    ),
    # greeting
    rule(
        "The server did not greet with a valid SMTP reply: this may not be a mail server.",
        "Check the host and port; a web or other service may be listening there.",
        kinds=("protocol",),
        stages=("greeting",),
    ),
    rule(
        "The server refused the connection at its greeting (it may block your address or be overloaded).",
        "Read the server's words; try again later, or ask the administrator whether your IP address is blocked.",
        stages=("greeting", "ehlo"),
        kinds=("smtp",),
    ),
    # authentication
    rule(
        "SMTP AUTH is disabled for this Microsoft 365 tenant or mailbox.",
        "Enable Authenticated SMTP for the mailbox (Microsoft 365 admin centre), or use OAuth2 or a Graph connection.",
        stages=AUTH,
        enhanced=("5.7.139",),
    ),
    rule(
        "Microsoft 365 no longer accepts passwords (basic authentication) for SMTP.",
        "Switch the connection to OAuth2 sign-in, or send through a Microsoft Graph connection.",
        enhanced=("5.7.30",),
    ),
    # OAuth2 tokens refused by the SMTP server (the JSON after 334, decoded)
    rule(
        "The access token has expired or was revoked.",
        "Sign in again (Sign in on the Authentication tab, or 'smtpgui login NAME').",
        kinds=("oauth",),
        pattern=r"status 401|invalid_token",
    ),
    rule(
        "The access token lacks the permission (scope) to send mail over SMTP.",
        "Sign in again; the app registration must be allowed the SMTP scope (SMTP.Send for Microsoft, "
        "https://mail.google.com/ for Google).",
        kinds=("oauth",),
        pattern=r"status 403|insufficient_scope",
    ),
    rule(
        "The server did not accept the token for this user: it is invalid, or was issued to another account.",
        "The user name must be the account that signed in; sign in again with that account.",
        kinds=("oauth",),
        pattern=r"status 400",
    ),
    rule(
        "The OAuth2 access token was refused.",
        "Sign in again to get a fresh token, and check that the app has the SMTP scope.",
        kinds=("oauth",),
    ),
)
