"""Explanations for a refused message (MAIL, RCPT, DATA) and the catch-alls that end the table."""

from __future__ import annotations

from smtpgui.core.ruletable import MESSAGE, Rule, rule

MESSAGE_RULES: tuple[Rule, ...] = (
    # message
    rule(
        "The server needs you to issue STARTTLS first.",
        "Set security to STARTTLS or SSL/TLS.",
        codes=(530,),
        enhanced=("5.7.0",),
    ),
    rule(
        "The server needs you to sign in before sending.",
        "Set authentication to password (or OAuth2) with your account's credentials.",
        stages=MESSAGE,
        codes=(530, 550, 553, 554),
        pattern=r"auth|authenticat|sign in|login",
    ),
    rule(
        "The server refused to relay: it will not deliver mail for this sender or recipient from you.",
        "Sign in, send from an address the account owns, or ask the administrator to allow relaying for your address.",
        stages=("mail", "rcpt"),
        codes=(550, 551, 553, 554),
        enhanced=("5.7.1",),
    ),
    rule(
        "The sender address is not allowed for this account.",
        "Send from the account's own address, or one it may send as.",
        stages=("mail",),
        codes=(550, 553, 554, 501),
    ),
    rule(
        "The recipient does not exist or is not accepted.",
        "Check the recipient address.",
        stages=("rcpt",),
        codes=(550, 551, 553, 501),
    ),
    rule(
        "The server deferred this temporarily (a 4xx reply; greylisting does this to senders it has not seen "
        "before): it is not a refusal, and the same send will likely work later.",
        "Try again in a few minutes; a mail server would retry by itself.",
        stages=MESSAGE,
        codes=(450, 451),
    ),
    rule(
        "The server or the account is over a limit (rate, quota or size).",
        "Wait and try again, or send fewer/smaller messages.",
        stages=MESSAGE,
        codes=(452, 552),
    ),
    rule(
        "The server needs SMTPUTF8 for these non-ASCII addresses but does not offer it.",
        "Use addresses with an ASCII part before @, or a server that supports SMTPUTF8.",
        kinds=("smtputf8",),
    ),
    rule(
        "The server refused the message itself after accepting sender and recipients: its content, or a "
        "policy such as spam filtering or a sender check (SPF/DKIM/DMARC).",
        "Read the server's words; try a plain message with another subject and body, check the sender "
        "domain's SPF/DKIM, or ask the server's administrator.",
        stages=("data",),
        kinds=("smtp",),
        codes=(550, 552, 554),
    ),
    rule(
        "The server deferred the message temporarily (4xx): it is not a refusal.",
        "Try again in a few minutes.",
        stages=("data",),
        kinds=("smtp",),
        codes=(450, 451, 452),
    ),
    rule(
        "The server refused the message.",
        "Read the server's words; the message content or size may be refused.",
        stages=("data",),
        kinds=("smtp",),
    ),
    rule("The server refused the message.", "Read the server's words for the reason.", stages=MESSAGE, kinds=("smtp",)),
    # general
    rule(
        "The server stopped answering and the time limit ran out.",
        "Check the host and port, or raise the timeout if the server is known to be slow.",
        kinds=("timeout",),
    ),
    rule(
        "The server closed the connection unexpectedly.",
        "The server may be overloaded or blocking you; check the port and security mode and try again.",
        kinds=("disconnected",),
    ),
    rule("The test was cancelled.", "Run the test again when you are ready.", kinds=("cancelled",)),
    rule(
        "The server's reply was not valid SMTP.",
        "Check the host and port: this may not be a mail server.",
        kinds=("protocol",),
    ),
    rule(
        "The connection failed.",
        "Check the host, port and network, then try again.",
        stages=("resolve", "proxy", "connect"),
    ),
    rule("The session failed.", "Read the server's words and the transcript for details."),
)
