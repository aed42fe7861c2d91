"""``smtpgui sandbox`` (the local SMTP server in the foreground), ``smtpgui inbox …`` (its messages) and
the connection ``smtpgui add NAME --sandbox`` makes (CLI.md).

Nothing heavy is imported when the parser is built: the services (and through them aiosmtpd and
sqlite3) are imported inside the commands. Everything that came from a client (addresses, subjects,
headers, the text of a message) is shown through :func:`~smtpgui.core.display.printable`, so a
terminal escape or a line separator in a subject is shown escaped, never acted on.
"""

from __future__ import annotations

import argparse
import sys
import threading
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from smtpgui.cli.command import Command
from smtpgui.cli.exitcodes import EXIT_OK, EXIT_USAGE, UsageError
from smtpgui.cli.output import emit_json, say
from smtpgui.core.display import printable

if TYPE_CHECKING:
    from smtpgui.core.inboxmodel import MessageSummary, StoredMessage
    from smtpgui.core.model import Connection
    from smtpgui.services import AppServices
    from smtpgui.services.sandbox import SandboxService


def _service(args: argparse.Namespace) -> SandboxService:
    from smtpgui.services.sandbox import SandboxService

    return SandboxService(args.config_dir)


def _received(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def summary_line(summary: MessageSummary) -> str:
    """One line for a message: time, id, from → to, subject, size, problems (all made printable)."""
    from smtpgui.core.inboxmodel import human_size  # with the messages: the parser loads none of it

    when = datetime.fromtimestamp(summary.received).strftime("%H:%M:%S")
    recipients = printable(", ".join(summary.recipients))
    problems = "no problems" if not summary.problems else f"{summary.problems} problem" + "s" * (summary.problems > 1)
    return (
        f"{when}  #{summary.id}  {printable(summary.sender)} → {recipients}  "
        f"{printable(summary.subject) or '(no subject)'}  {human_size(summary.size)}  {problems}"
    )


def summary_json(summary: MessageSummary) -> dict[str, Any]:
    return {
        "id": summary.id,
        "received": _received(summary.received),
        "from": summary.sender,
        "to": list(summary.recipients),
        "subject": summary.subject,
        "size": summary.size,
        "problems": summary.problems,
    }


# --- smtpgui sandbox ------------------------------------------------------------------------


def cmd_sandbox(app: AppServices, args: argparse.Namespace) -> int:
    from smtpgui.services.sandbox import SandboxError, listen_warning

    password: str | None = None
    if args.password_env is not None:
        if args.user is None:
            raise UsageError("--password-env needs --user (the sandbox checks the two together).")
        from smtpgui.cli.secretinput import read_env_secret

        password = read_env_secret(args.password_env, "--password-env")
        if not password:
            raise UsageError(
                f"The environment variable {args.password_env!r} named by --password-env is empty: the sandbox "
                f"would let {args.user!r} in with no password."
            )
    elif args.user is not None:
        raise UsageError("--user needs --password-env VAR (the password is never given on the command line).")
    service = _service(args)
    try:
        warning = listen_warning(args.listen)
    except SandboxError as exc:
        raise UsageError(str(exc)) from None
    if warning:
        say(warning)
    printing = threading.Lock()

    def show(summary: MessageSummary) -> None:
        with printing:
            print(summary_line(summary), flush=True)

    service.on_message = show
    try:
        try:
            status = service.start(
                port=args.port, tls_port=args.tls_port, user=args.user, password=password, listen=args.listen
            )
        except SandboxError as exc:
            say(str(exc))
            return EXIT_USAGE
        host = f"[{args.listen}]" if ":" in args.listen else args.listen
        where = f"{host}:{status.port} (STARTTLS offered)"
        if status.tls_port is not None:
            where += f" and {host}:{status.tls_port} (implicit TLS)"
        auth = f"AUTH only as {args.user!r}" if args.user else "AUTH accepts any user and password"
        say(f"the sandbox listens on {where}; {auth}. Ctrl-C stops it.")
        say(f"messages are kept in {service.data_dir / 'inbox.sqlite3'}; see them with 'smtpgui inbox list'.")
        cert = service.data_dir / "sandbox-cert.pem"
        say(f"certificate SHA-256 (pin it, or trust {cert}): {service.certificate_sha256()}")
        threading.Event().wait()  # until Ctrl-C (a KeyboardInterrupt here: exit 130)
    finally:  # also when Ctrl-C comes while it starts
        service.stop()
    return EXIT_OK


# --- smtpgui inbox ----------------------------------------------------------------------------


def cmd_inbox_list(app: AppServices, args: argparse.Namespace) -> int:
    summaries = _service(args).store().summaries(args.search or "")
    if args.json:
        emit_json([summary_json(s) for s in summaries])
        return EXIT_OK
    for summary in summaries:
        print(summary_line(summary))
    if not summaries:
        say("no messages match." if args.search else "the inbox is empty.")
    return EXIT_OK


def _message(args: argparse.Namespace, ident: int) -> StoredMessage:
    message = _service(args).store().message(ident)
    if message is None:
        raise UsageError(f"There is no message {ident} in the inbox ('smtpgui inbox list' shows them).")
    return message


def cmd_inbox_show(app: AppServices, args: argparse.Namespace) -> int:
    from smtpgui.core.mailparts import message_parts

    message = _message(args, args.id)
    if args.raw:
        sys.stdout.flush()
        sys.stdout.buffer.write(message.raw)
        sys.stdout.buffer.flush()
        return EXIT_OK
    parts = message_parts(message.raw)
    envelope = message.envelope
    if args.json:
        emit_json(
            {
                **summary_json(message.summary),
                "envelope": envelope.as_json(),
                "headers": [[name, value] for name, value in message.headers],
                "text": parts.text,
                "html": parts.html,
                "checks": [{"code": c.code, "ok": c.ok, "sentence": c.sentence} for c in message.checks],
            }
        )
        return EXIT_OK
    lines = [f"{printable(name)}: {printable(value)}" for name, value in message.headers]
    tls = envelope.tls_version or "no TLS"
    user = f", AUTH as {printable(envelope.auth_user)}" if envelope.auth_user else ""
    lines.append(
        f"(received from {printable(envelope.peer)} as {printable(envelope.ehlo_name)}, {tls}{user}; "
        f"MAIL FROM <{printable(envelope.mail_from)}>, RCPT TO "
        + ", ".join(f"<{printable(r)}>" for r in envelope.rcpt_to)
        + ")"
    )
    lines.append("")
    if parts.text is not None:
        lines.extend(printable(parts.text.rstrip("\r\n"), multiline=True).split("\n"))
    elif parts.html is not None:
        lines.append(
            f"(no text part; an HTML part of {len(parts.html)} characters: 'smtpgui inbox show {args.id} --raw')"
        )
    else:
        lines.append("(no text part)")
    lines.append("")
    lines.append("Checks:")
    lines.extend(f"  {'ok  ' if c.ok else 'FAIL'}  {printable(c.sentence)}" for c in message.checks)
    print("\n".join(lines))
    return EXIT_OK


def cmd_inbox_delete(app: AppServices, args: argparse.Namespace) -> int:
    store = _service(args).store()
    missing = [ident for ident in dict.fromkeys(args.ids) if store.summary(ident) is None]
    if missing:
        listed = ", ".join(str(i) for i in missing)
        raise UsageError(
            f"There is no message {listed} in the inbox; nothing was deleted."
            if len(missing) == 1
            else f"There are no messages {listed} in the inbox; nothing was deleted."
        )
    deleted = store.delete(args.ids)
    say(f"deleted {deleted} message" + "s" * (deleted != 1) + ".")
    return EXIT_OK


def cmd_inbox_clear(app: AppServices, args: argparse.Namespace) -> int:
    deleted = _service(args).store().clear()
    say(f"deleted {deleted} message" + "s" * (deleted != 1) + "; the inbox is empty.")
    return EXIT_OK


# --- smtpgui add NAME --sandbox ----------------------------------------------------------------


def sandbox_base(args: argparse.Namespace) -> Connection:
    """The connection ``add NAME --sandbox [--port N]`` starts from (other field options apply on top)."""
    from smtpgui.services.sandbox import SandboxError, SandboxService, sandbox_connection

    service = SandboxService(args.config_dir)
    try:
        connection = sandbox_connection(args.name, getattr(args, "port", None), args.config_dir, service)
    except SandboxError as exc:
        raise UsageError(str(exc)) from None
    status = service.status()
    if not (status.running and status.port == connection.port):
        # Made all the same (a sandbox started later serves it), but a test now would reach nothing,
        # or another program on that port, and blame the server: say so first.
        say(
            f"no sandbox is running on port {connection.port} now; start one with "
            f"'smtpgui sandbox --port {connection.port}' (or Start in the window's Inbox) before testing."
        )
    return connection


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port from 0 to 65535 (0 picks a free one)")
    return port


def add_commands(command: Command) -> None:
    """Register ``sandbox`` and ``inbox`` (list, show, delete, clear)."""
    p = command("sandbox", cmd_sandbox, "run the local sandbox SMTP server in the foreground; one line per message")
    p.add_argument(
        "--port", type=_port, default=1025, metavar="N", help="SMTP port with STARTTLS (default 1025; 0 = free)"
    )
    p.add_argument("--tls-port", type=_port, default=None, metavar="N", help="also serve implicit TLS on port N")
    p.add_argument("--user", metavar="U", help="accept only this user (with --password-env); default: any")
    p.add_argument("--password-env", metavar="VAR", help="the environment variable holding --user's password")
    p.add_argument("--listen", default="127.0.0.1", metavar="ADDR", help="the address to listen on (default 127.0.0.1)")
    p = command("inbox", _inbox_usage, "the sandbox's messages: list, show, delete, clear")
    sub = p.add_subparsers(dest="inbox_command", metavar="ACTION", parser_class=type(p))
    q = sub.add_parser("list", help="one line per message, newest first")
    q.set_defaults(handler=cmd_inbox_list)
    q.add_argument("--json", action="store_true")
    q.add_argument("--search", metavar="TEXT", help="only messages whose from, to or subject contain TEXT")
    q = sub.add_parser("show", help="one message: headers, text and checks")
    q.set_defaults(handler=cmd_inbox_show)
    q.add_argument("id", type=int, metavar="ID")
    how = q.add_mutually_exclusive_group()
    how.add_argument("--raw", action="store_true", help="the exact bytes received")
    how.add_argument("--json", action="store_true")
    q = sub.add_parser("delete", help="delete messages")
    q.set_defaults(handler=cmd_inbox_delete)
    q.add_argument("ids", type=int, nargs="+", metavar="ID")
    q = sub.add_parser("clear", help="delete every message")
    q.set_defaults(handler=cmd_inbox_clear)


def _inbox_usage(app: AppServices, args: argparse.Namespace) -> int:
    raise UsageError("Say what to do with the inbox: 'smtpgui inbox list', 'show ID', 'delete ID…' or 'clear'.")
