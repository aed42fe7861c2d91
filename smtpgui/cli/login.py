"""``smtpgui login`` and ``smtpgui logout``: OAuth2 sign-in for SMTP connections on the command line.

``login`` runs the authorization-code flow with PKCE through the system browser (a one-shot
listener on 127.0.0.1 catches the redirect), or with ``--device`` the device-code flow for
machines without a browser. The refresh token goes to the keyring; the access token stays in
this process's memory. Who signed in goes to standard output, the story to standard error.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from smtpgui.cli.command import Command
from smtpgui.cli.exitcodes import EXIT_OK
from smtpgui.cli.fields import OPTION_FOR_FIELD
from smtpgui.cli.output import say
from smtpgui.core.display import printable
from smtpgui.core.errors import ValidationError
from smtpgui.core.model import AuthMode, Connection, Kind, ProxyType
from smtpgui.services import AppServices
from smtpgui.storage.secrets import Slot
from smtpgui.transport.result import EXIT_AUTH, EXIT_CONNECT, EXIT_TIMEOUT, EXIT_TLS, Stage

if TYPE_CHECKING:
    from smtpgui.core.explanations import Failure
    from smtpgui.transport.network import CancelToken
    from smtpgui.transport.oauth import SignIn, Tokens


def add_commands(command: Command) -> None:
    p = command(
        "login", cmd_login, "sign in with OAuth2 for an SMTP connection (keeps the refresh token in the keyring)"
    )
    p.add_argument("name", metavar="NAME")
    p.add_argument("--device", action="store_true", help="sign in with a code on another device (no browser here)")
    p.add_argument("--no-browser", action="store_true", help="print the sign-in address instead of opening a browser")
    p.add_argument(
        "--wait", type=int, default=300, metavar="SECONDS", help="how long to wait for the sign-in (default 300)"
    )
    p = command("logout", cmd_logout, "forget a connection's OAuth2 sign-in (its tokens)")
    p.add_argument("name", metavar="NAME")


def oauth_connection(app: AppServices, name: str) -> Connection:
    connection = app.connections.get(name)
    if connection.kind is Kind.GRAPH:
        raise ValidationError(
            f"{connection.name!r} is a Microsoft Graph connection: it signs in with its client secret, "
            "so there is nothing to log in to.",
            "NAME",
        )
    if connection.auth_mode is not AuthMode.OAUTH2:
        raise ValidationError(
            f"{connection.name!r} does not sign in with OAuth2; set it with "
            f"'smtpgui edit {connection.name!r} --auth oauth2 --oauth-provider …' first.",
            "--auth",
        )
    return connection


def cmd_login(app: AppServices, args: argparse.Namespace) -> int:
    from smtpgui.core.explanations import Failure
    from smtpgui.transport import oauth
    from smtpgui.transport.errors import HttpFailure, NetworkError, OAuthError, SignInSetupError
    from smtpgui.transport.http import HttpClient
    from smtpgui.transport.network import Cancelled, CancelToken

    connection = oauth_connection(app, args.name)
    app.secrets.check()  # no keyring: say so before the person signs in for nothing
    client_secret = app.secrets.get(connection.id, Slot.OAUTH_CLIENT_SECRET)
    proxy_password = None
    if connection.proxy_type is not ProxyType.NONE and connection.proxy_username:
        proxy_password = app.secrets.get(connection.id, Slot.PROXY_PASSWORD)
    token = CancelToken()
    http = HttpClient(connection, token, proxy_password=proxy_password)
    try:
        sign_in = oauth.SignIn(connection, http, client_secret)
        tokens = _device(sign_in, token) if args.device else _browser(sign_in, token, args)
    except SignInSetupError as exc:
        raise ValidationError(str(exc), OPTION_FOR_FIELD.get(exc.field, exc.field)) from None
    except OAuthError as exc:
        return _failed(Failure(Stage.AUTH.value, "oauth-token", exc.status, None, str(exc)), str(exc), EXIT_AUTH)
    except HttpFailure as exc:
        code = EXIT_TLS if exc.stage is Stage.TLS else EXIT_CONNECT
        return _failed(Failure(exc.stage.value, exc.kind, None, None, str(exc)), str(exc), code)
    except NetworkError as exc:
        code = EXIT_TIMEOUT if exc.kind == "timeout" else EXIT_CONNECT
        return _failed(Failure(Stage.CONNECT.value, exc.kind, None, None, str(exc)), str(exc), code)
    except Cancelled:
        raise KeyboardInterrupt from None
    if not tokens.refresh_token:
        return _failed(
            Failure(Stage.AUTH.value, "oauth-token", None, None, "no refresh token"),
            "the provider returned no refresh token, so the sign-in would end within the hour "
            "(ask for the offline_access scope, or access_type=offline at Google)",
            EXIT_AUTH,
        )
    app.secrets.write(connection.id, {Slot.OAUTH_REFRESH_TOKEN: tokens.refresh_token})
    oauth.keep_signed_in(connection, tokens)
    _report(app, connection, tokens)
    return EXIT_OK


def _browser(sign_in: SignIn, token: CancelToken, args: argparse.Namespace) -> Tokens:
    def open_browser(url: str) -> None:
        if args.no_browser:
            say(f"open this address in a browser on this computer to sign in:\n  {url}")
            say(f"waiting up to {args.wait} seconds for the sign-in (Ctrl+C to stop)...")
            return
        import webbrowser

        opened = False
        try:
            opened = webbrowser.open(url)
        except Exception:  # a broken browser setting must not end the sign-in: the address is printed below
            opened = False
        if opened:
            say(f"your browser opened the sign-in page; if it did not, open:\n  {url}")
        else:
            say(f"no browser could be opened; open this address on this computer to sign in:\n  {url}")
        say(f"waiting up to {args.wait} seconds for the sign-in (Ctrl+C to stop)...")

    return sign_in.with_browser(open_browser, token, float(max(args.wait, 1)))


def _device(sign_in: SignIn, token: CancelToken) -> Tokens:
    device = sign_in.start_device()
    say(f"on any device, open {device.verification_uri} and enter the code {device.user_code}")
    say(f"waiting up to {device.expires_in / 60:.0f} minutes for you to approve it (Ctrl+C to stop)...")
    return sign_in.finish_device(device, token)


def _failed(failure: Failure, error: str, code: int) -> int:
    from smtpgui.core.explanations import explain

    explanation = explain(failure)
    say(f"sign-in failed: {error}")
    say(f"why: {explanation.cause}")
    say(f"fix: {explanation.fix}")
    return code


def _report(app: AppServices, connection: Connection, tokens: Tokens) -> None:
    account = tokens.account or connection.username
    if tokens.account and not connection.username:
        app.connections.modify(connection.id, lambda c: c.replace(username=tokens.account or ""))
        say(f"set the user name of {connection.name!r} to {tokens.account}.")
    minutes = max(0, int(tokens.seconds_left() // 60))
    provider = connection.oauth_provider.value.capitalize()
    say(
        f"signed in to {connection.name!r} as {account or 'an unnamed account'} ({provider}); the access token is "
        f"valid for {minutes} minutes and is renewed before each test; the refresh token is in the keyring."
    )
    if tokens.account and connection.username and tokens.account.casefold() != connection.username.casefold():
        say(
            f"warning: the connection's user name is {connection.username}, but {tokens.account} signed in; "
            f"the server will refuse the token unless they match (smtpgui edit {connection.name!r} "
            f"--username {tokens.account})."
        )
    print(printable(account or ""))  # the provider's word for the account: shown escaped


def cmd_logout(app: AppServices, args: argparse.Namespace) -> int:
    connection = oauth_connection(app, args.name)
    had = Slot.OAUTH_REFRESH_TOKEN in app.secrets.stored_slots(connection.id)
    app.secrets.clear(connection.id, (Slot.OAUTH_REFRESH_TOKEN,))
    from smtpgui.transport.oauth import CACHE

    CACHE.forget(connection.id)
    if had:
        say(f"forgot the sign-in of {connection.name!r}; 'smtpgui login {connection.name!r}' signs in again.")
    else:
        say(f"{connection.name!r} was not signed in; nothing to forget.")
    return EXIT_OK
