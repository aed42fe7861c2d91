"""The discovery commands (CLI.md): ``discover ADDRESS``, ``check-sender [NAME]``, and
``add NAME --discover ADDRESS``. DNS, XML and the web client load only when one of them runs.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from smtpgui.cli.command import Command
from smtpgui.cli.exitcodes import EXIT_DNS, EXIT_OK, EXIT_SENDER_PROBLEM, UsageError
from smtpgui.cli.output import emit_json, say
from smtpgui.core.display import printable
from smtpgui.core.model import Connection
from smtpgui.services import AppServices

if TYPE_CHECKING:
    from smtpgui.transport.discover import DiscoveryReport, DiscoverySettings
    from smtpgui.transport.dnsquery import DnsServerChoice

MAX_DEADLINE_S = 120.0


def _dns_server(value: str | None) -> DnsServerChoice | None:
    from smtpgui.transport.dnsquery import dns_server_from_environment, parse_dns_server

    try:
        return parse_dns_server(value) if value is not None else dns_server_from_environment()
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _settings(args: argparse.Namespace) -> DiscoverySettings:
    from smtpgui.transport.discover import settings_from_environment

    deadline = getattr(args, "deadline", None)
    if deadline is not None and not 0 < deadline <= MAX_DEADLINE_S:
        raise UsageError(f"--deadline must be more than 0 and at most {MAX_DEADLINE_S:g} seconds.")
    try:
        return settings_from_environment(
            _dns_server(getattr(args, "dns_server", None)), getattr(args, "ispdb_url", None), deadline
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _run_discovery(app: AppServices, address: str, settings: DiscoverySettings) -> DiscoveryReport:
    try:
        return app.discovery.discover(address, settings)
    except ValueError as exc:  # the address: a line break, a literal, a bad domain
        raise UsageError(str(exc)) from None


def _nothing_found(report: DiscoveryReport) -> str:
    return f"no settings found for {report.domain}: {report.why_nothing().rstrip('.')}."


def cmd_discover(app: AppServices, args: argparse.Namespace) -> int:
    report = _run_discovery(app, args.address, _settings(args))
    if args.json:
        emit_json(report.to_json())
    else:
        from smtpgui.core.discovery import confidence_words, source_words

        for i, s in enumerate(report.suggestions, 1):
            sign_in = {"none": "no sign-in", "password": "password", "oauth2": "OAuth2"}[s.auth.value]
            user = f" as {s.username}" if s.username else ""
            print(printable(f"{i}. {s.host}:{s.port} {s.security.value}, {sign_in}{user}"))
            print(printable(f"   {confidence_words(s.confidence)} ({s.confidence}): {source_words(s.source)}"))
    if not report.suggestions:
        say(_nothing_found(report))
        return EXIT_DNS
    late = [o.name for o in report.sources if not o.finished]
    if late and not args.json:
        say(f"not answered within {report.elapsed_s:.1f} s: {', '.join(late)}.")
    return EXIT_OK


def discovered_base(app: AppServices, args: argparse.Namespace) -> Connection:
    """``add NAME --discover ADDRESS``: a connection with the best suggestion's settings, sending as
    ADDRESS (other options given to ``add`` still apply on top); exit 10 when nothing is found."""
    report = _run_discovery(app, args.discover, _settings(args))
    if not report.suggestions:
        raise _NothingFound(_nothing_found(report) + " Nothing was added.")
    best = report.suggestions[0]
    from smtpgui.core.discovery import source_words

    say(f"using {best.host}:{best.port} ({best.security.value}) from {source_words(best.source)}.")
    return best.apply(Connection(name=args.name, from_address=report.address))


class _NothingFound(UsageError):
    """Discovery for ``add --discover`` found nothing (exit 10, not 2)."""

    exit_code = EXIT_DNS


def cmd_check_sender(app: AppServices, args: argparse.Namespace) -> int:
    server = _dns_server(args.dns_server)
    if args.name:
        connection = app.connections.get(args.name)
    else:
        default = app.connections.default()
        if default is None:
            raise UsageError("there is no default connection: name one ('smtpgui check-sender NAME').")
        connection = default
        say(f"checking the default connection {connection.name!r}.")
    from smtpgui.services.discovery import NoSenderAddress

    try:
        report = app.discovery.check_sender(connection, server)
    except NoSenderAddress as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        emit_json(report.to_json())
    else:
        for finding in report.findings:
            print(printable(f"{finding.level}: {finding.message}"))
            if finding.fix and finding.level in ("problem", "warning"):
                print(printable(f"  fix: {finding.fix}"))
    if report.dns_error:
        say(f"DNS could not answer for {report.domain}: {report.dns_error}.")
        return EXIT_DNS
    problems = sum(1 for f in report.findings if f.level == "problem")
    if problems:
        say(f"{report.domain}: {problems} problem(s) found for mail sent as {report.address}.")
        return EXIT_SENDER_PROBLEM
    warnings = sum(1 for f in report.findings if f.level == "warning")
    tail = f" ({warnings} warning(s) above)" if warnings else ""
    say(f"{report.domain}: no problem found for mail sent as {report.address}{tail}.")
    return EXIT_OK


def _add_dns_server_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dns-server", metavar="HOST[:PORT]", help="ask this DNS server (also SMTPGUI_DNS_SERVER)", default=None
    )


def add_commands(command: Command) -> None:
    """Register ``discover`` and ``check-sender``."""
    p = command("discover", cmd_discover, "suggested settings for an e-mail address, best first")
    p.add_argument("address", metavar="ADDRESS")
    p.add_argument("--json", action="store_true")
    _add_dns_server_option(p)
    p.add_argument("--ispdb-url", metavar="URL", help="the ISPDB's base address (also SMTPGUI_ISPDB_URL)")
    p.add_argument("--deadline", type=float, metavar="S", help="stop asking after S seconds (default 10)")
    p = command("check-sender", cmd_check_sender, "SPF, DMARC and DKIM of the domain a connection sends as")
    p.add_argument("name", metavar="NAME", nargs="?", help="the connection (default: the default connection)")
    p.add_argument("--json", action="store_true")
    _add_dns_server_option(p)
