"""``smtpgui test --all``: every enabled connection, a bounded number at a time (CLI.md).

``--json`` prints an array of ``test --json`` objects, each with ``name``, in list order. The
exit code is 0 when every test passed, else the exit code of the first failure in list order.
Without ``--json`` a line per connection is printed as its result comes in, then a summary.
"""

from __future__ import annotations

import argparse
import threading

from smtpgui.cli.exitcodes import EXIT_INTERRUPTED, EXIT_OK, EXIT_STORAGE
from smtpgui.cli.output import emit_json, say
from smtpgui.core.display import printable
from smtpgui.core.errors import ValidationError
from smtpgui.core.message import OutgoingMessage, build_test_message
from smtpgui.core.model import Connection
from smtpgui.services import AppServices
from smtpgui.services.testall import DEFAULT_CONCURRENCY, MAX_CONCURRENCY, TestAllItem, TestAllRun


def add_options(parser: argparse.ArgumentParser) -> None:
    """The options ``test`` gains for ``--all``."""
    parser.add_argument("--all", action="store_true", help="test every enabled connection")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=DEFAULT_CONCURRENCY,
        metavar="N",
        help=f"with --all: how many tests run at once (default {DEFAULT_CONCURRENCY})",
    )


def _item_code(item: TestAllItem) -> int:
    if item.result is not None:
        return item.result.exit_code
    return EXIT_INTERRUPTED if item.problem == "cancelled before it started" else EXIT_STORAGE


def _item_json(item: TestAllItem) -> dict[str, object]:
    if item.result is not None:
        return {"name": item.connection.name, **item.result.to_json()}
    return {"name": item.connection.name, "ok": False, "stage": None, "error": item.problem}


def _item_line(item: TestAllItem) -> str:
    # Names and hosts come from the connections file (maybe edited by hand): shown escaped.
    name, target = printable(item.connection.name), printable(f"{item.connection.host}:{item.connection.port}")
    if item.result is None:
        return f"FAIL  {name}  {target}  not tested: {printable(item.problem)}"
    result = item.result
    total = result.timings_ms.get("total", 0.0)
    if result.ok:
        return f"ok    {name}  {target}  {total:.0f} ms"
    return f"FAIL  {name}  {target}  at {result.stage.value}: {printable(result.error)}"


def run_all(app: AppServices, args: argparse.Namespace, recipients: tuple[str, ...]) -> int:
    """Test every enabled connection (``args`` is the ``test`` command's namespace)."""
    if args.name:
        raise ValidationError("Give either NAME or --all, not both.", "--all")
    if getattr(args, "from_override", None) is not None:
        raise ValidationError("--from sets one connection's test From; it does not go with --all.", "--from")
    if not 1 <= args.concurrency <= MAX_CONCURRENCY:
        raise ValidationError(f"The concurrency must be a number from 1 to {MAX_CONCURRENCY}.", "--concurrency")
    connections = [c for c in app.connections.list_all() if c.enabled]
    if not connections:
        say("there is no enabled connection to test.")
        if args.json:
            _print_json([])
        return EXIT_OK
    request = None if args.verify_only else app.tests.request(recipients, args.subject, args.body)
    settings = app.settings.load()
    secrets = app.secrets

    def message_for(connection: Connection) -> OutgoingMessage | None:
        check_before_session(connection)
        return None if request is None else build_test_message(connection, request, settings)

    from smtpgui.transport.engine import SessionEngine
    from smtpgui.transport.tlsfiles import check_before_session

    run = TestAllRun(
        SessionEngine(),
        connections,
        secrets.for_session,
        message_for,
        concurrency=args.concurrency,
        resolve=app.resolve,
    )
    printing = threading.Lock()

    def heard(item: TestAllItem) -> None:
        if not args.json:
            with printing:
                print(_item_line(item), flush=True)

    try:
        items = run.run(heard)
    except KeyboardInterrupt:
        run.cancel()
        say("interrupted: the running tests were cancelled.")
        return EXIT_INTERRUPTED
    failed = [item for item in items if not item.ok]
    if args.json:
        _print_json([_item_json(item) for item in items])
    else:
        say(f"{len(items) - len(failed)} of {len(items)} connection(s) passed.")
    return _item_code(failed[0]) if failed else EXIT_OK


def _print_json(data: list[dict[str, object]]) -> None:
    emit_json(data)
