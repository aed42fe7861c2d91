"""``smtpgui test`` and ``smtpgui probe``: the engine on the command line (CLI.md)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from smtpgui.cli import testall
from smtpgui.cli.command import Command
from smtpgui.cli.output import emit_json, say
from smtpgui.core.addresses import normalize_host, split_address_list
from smtpgui.core.display import printable
from smtpgui.core.errors import ValidationError
from smtpgui.core.message import DEFAULT_SUBJECT
from smtpgui.core.model import AuthMode, Connection, Kind
from smtpgui.services import AppServices

if TYPE_CHECKING:
    from smtpgui.transport.probe import ProbeReport
    from smtpgui.transport.result import TestResult


def add_commands(command: Command) -> None:
    p = command("test", cmd_test, "send a test message (or with --verify-only: connect, TLS, EHLO, AUTH, QUIT)")
    p.add_argument("name", metavar="NAME", nargs="?", help="the connection (default: the default connection)")
    testall.add_options(p)
    p.add_argument("--to", action="append", metavar="ADDR", help="recipient (repeat, or separate with commas)")
    p.add_argument("--subject", help=f"default: the settings' default subject, else {DEFAULT_SUBJECT!r}")
    p.add_argument("--body", help="default: the settings' default body, else the built-in one")
    p.add_argument(
        "--from",
        dest="from_override",
        metavar="ADDR",
        help='send as another From ("Name <addr>" too); refused when the connection forces its sender',
    )
    p.add_argument("--verify-only", action="store_true", help="stop before MAIL FROM")
    p.add_argument("--json", action="store_true")
    p.add_argument("--transcript", action="store_true", help="print the session transcript (secrets hidden)")
    p.add_argument("--access-token-env", metavar="VAR", help="OAuth2 access token for this test, from variable VAR")
    p = command("probe", cmd_probe, "report what a server supports on each port and security mode")
    p.add_argument("host", metavar="HOST", nargs="?")
    p.add_argument("--port", type=int)
    p.add_argument("--connection", metavar="NAME", help="probe this connection's host, through its proxy")
    p.add_argument("--timeout", type=int, default=10, metavar="SECONDS", help="per-operation timeout (default 10)")
    p.add_argument("--json", action="store_true")


def _recipients(values: list[str] | None) -> tuple[str, ...]:
    # Commas inside a quoted local part ("smith,john"@example.test) do not split (issue 17, item 19).
    return tuple(a for v in values or [] for a in split_address_list(v))


def named_or_default(app: AppServices, name: str | None) -> Connection:
    """The connection called ``name``; with no name, the default connection (standard error says which)."""
    if name:
        return app.connections.get(name)
    default = app.connections.default()
    if default is None and app.connections.list_all():
        raise ValidationError(
            "No connection is the default: name the one to test, or make one the default with "
            "'smtpgui set-default NAME'.",
            "NAME",
        )
    if default is None:
        raise ValidationError("There are no connections yet; add one with 'smtpgui add NAME --host HOST'.", "NAME")
    say(f"using the default connection {default.name!r}.")
    return default


def cmd_test(app: AppServices, args: argparse.Namespace) -> int:
    recipients = _recipients(args.to)
    if args.all:
        return testall.run_all(app, args, recipients)
    # Its shared credential and connector, as they are now (changed once, used by every connection).
    connection = app.resolve(named_or_default(app, args.name))
    from smtpgui.transport.tlsfiles import check_before_session

    check_before_session(connection)
    message = None
    if args.from_override is not None and args.verify_only:
        raise ValidationError("--from sets the test message's From; --verify-only sends no message.", "--from")
    if not args.verify_only:
        request = app.tests.request(recipients, args.subject, args.body, from_override=args.from_override or "")
        message = app.tests.build_message(connection, request)
    secrets = app.secrets.for_session(connection, token_env=args.access_token_env)
    if not connection.enabled:
        say(f"{connection.name!r} is disabled; testing it anyway.")
    live = args.transcript and not args.json
    result = app.tests.run(
        connection, secrets, message, on_line=(lambda line: print(line, flush=True)) if live else None
    )
    if args.json:
        emit_json(result.to_json(with_transcript=args.transcript))
    _report_test(connection, result, args.verify_only)
    return result.exit_code


def _report_test(connection: Connection, result: TestResult, verify_only: bool) -> None:
    total = result.timings_ms.get("total", 0.0)
    for warning in result.warnings:
        say(f"warning: {warning}.")
    if result.ok and connection.kind is Kind.GRAPH:
        what = "Microsoft Graph issued a token for" if verify_only else "Microsoft Graph accepted the test message from"
        sender = connection.mailbox or connection.username  # a user's password: the user's own mailbox
        say(f"{what} {sender} ({connection.graph_url}) in {total:.0f} ms.")
        return
    if result.ok:
        how = [connection.security.value.upper() if connection.security.value != "none" else "unencrypted"]
        if result.tls:
            how.append(result.tls.version)
        if result.auth_mechanism:
            how.append(f"signed in with {result.auth_mechanism}")
        what = "verified the connection to" if verify_only else "the test message was accepted by"
        say(f"{what} {connection.host}:{connection.port} ({', '.join(how)}) in {total:.0f} ms.")
        for recipient, reply in result.refused_recipients.items():
            say(f"but {recipient} was refused: {reply['code']} {reply['error']}")
        return
    if result.cancelled:
        say("the test was cancelled.")
        return
    say(f"the test failed at {result.stage.value}: {result.error}")
    say(f"why: {result.explanation}")
    say(f"fix: {result.fix}")
    if result.certificate and result.failure_kind in ("certificate", "hostname", "pin"):
        cert = result.certificate
        say(f"certificate: {cert.subject}, issued by {cert.issuer}, valid {cert.not_before} to {cert.not_after}")
        say(f"SHA-256: {cert.sha256}  (trust it with: smtpgui edit {connection.name!r} --pin-sha256 {cert.sha256})")


def cmd_probe(app: AppServices, args: argparse.Namespace) -> int:
    from smtpgui.transport.engine import SessionSecrets  # only commands that send load the engine

    if not args.host and not args.connection:
        # CLI.md: with neither HOST nor --connection, the default connection (its own port first).
        default = app.connections.default()
        if default is None:
            raise ValidationError(
                "Say what to probe: HOST, or --connection NAME (no default connection is set).", "HOST"
            )
        say(f"using the default connection {default.name!r}.")
        args.connection = default.name
    if args.connection:
        base = app.resolve(app.connections.get(args.connection))
        if base.kind is Kind.GRAPH:
            raise ValidationError(
                f"{base.name!r} sends through Microsoft Graph: there is no SMTP server to probe.", "--connection"
            )
        secrets = app.secrets.for_session(base.replace(auth_mode=AuthMode.NONE))
        if args.host:
            raise ValidationError("Give either HOST or --connection NAME, not both.", "--connection")
    elif args.host:
        try:
            host = normalize_host(args.host)
        except ValueError as exc:
            raise ValidationError(str(exc), "HOST") from None
        base = Connection(name="probe", host=host, timeout_s=max(1, min(args.timeout, 600)))
        secrets = SessionSecrets()
    else:
        raise ValidationError("Say what to probe: HOST, or --connection NAME.", "HOST")
    if args.port is not None and not 1 <= args.port <= 65535:
        raise ValidationError("The port must be a number from 1 to 65535.", "--port")
    report = app.tests.probe(base, args.port, secrets, own_first=bool(args.connection) and args.port is None)
    if args.json:
        emit_json(report.to_json())
    else:
        _print_probe(report)
    return report.exit_code


def _print_probe(report: ProbeReport) -> None:
    print(f"{printable(report.host)}:")
    for o in report.outcomes:
        r = o.result
        label = f"{o.port}/{o.security.value}"
        whose = ""
        if o.own:
            whose = " (this connection's setting)"
        elif o.same_server is False:
            whose = f" (ANOTHER SERVER: {printable(o.identity)})"
        if r.ok:
            tls = f"{r.tls.version}" if r.tls else "no TLS"
            trust = "" if not r.certificate else (" trusted" if o.trusted else " NOT trusted")
            auth = printable(" ".join(r.auth_mechanisms)) or "no AUTH"
            size = f", size limit {r.size_limit}" if r.size_limit else ""
            utf8 = ", SMTPUTF8" if r.smtputf8 else ""
            state = "ok   " if o.ok else "untrusted"
            print(f"  {label:<14} {state} {tls}{trust}; AUTH {auth}{size}{utf8}{whose}")
        else:
            print(f"  {label:<14} no    at {r.stage.value}: {printable(r.error)}{whose}")
    best = report.recommended()
    if best:
        mech = f", sign in with {best['mechanism'].upper()}" if best["mechanism"] else ""
        note = f" Note: {printable(best['note'])}." if best.get("note") else ""
        print(f"Recommended: port {best['port']}, security {best['security']}{mech}.{note}")
    else:
        print("No combination worked; see the errors above.")
