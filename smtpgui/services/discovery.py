"""Settings from an e-mail address, and the sender-domain check, for both front ends.

Nothing here asks the network until a front end calls :meth:`DiscoveryService.discover` or
:meth:`DiscoveryService.check_sender` because the person asked for it. Which From address a
connection's mail carries, and what a connection made from a suggestion looks like, are decided
here once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from smtpgui.core.errors import SmtpguiError
from smtpgui.core.model import Connection
from smtpgui.services.settings import SettingsService

if TYPE_CHECKING:
    from smtpgui.core.discovery import Suggestion
    from smtpgui.services.connections import ConnectionService
    from smtpgui.transport.discover import DiscoveryReport, DiscoverySettings
    from smtpgui.transport.dnsquery import DnsServerChoice
    from smtpgui.transport.network import CancelToken
    from smtpgui.transport.sendercheck import SenderReport


class NoSenderAddress(SmtpguiError):
    """The connection has no From address to check (a sentence says where to set one)."""


def _checked_sender(address: str, whose: str) -> str:
    from smtpgui.core.discovery import address_domain

    try:
        return address_domain(address)[0]
    except ValueError as exc:
        raise NoSenderAddress(f"{whose} cannot be checked: {exc}") from None


class DiscoveryService:
    """Discover settings for an address; check a connection's sender domain."""

    def __init__(self, connections: ConnectionService, settings: SettingsService) -> None:
        self.connections = connections
        self.settings = settings

    def discover(
        self, address: str, settings: DiscoverySettings | None = None, token: CancelToken | None = None
    ) -> DiscoveryReport:
        """Ranked suggestions for ``address`` (``ValueError`` with a sentence for a bad address;
        ``Cancelled`` soon after ``token`` is)."""
        from smtpgui.transport.discover import discover

        return discover(address, settings, token)

    def connection_from(
        self, suggestion: Suggestion, address: str, existing: list[Connection] | None = None, name: str | None = None
    ) -> Connection:
        """A new, unsaved connection with the suggestion's settings, sending as ``address``;
        called ``name``, else after the provider or the address's domain (free names kept)."""
        base = suggestion.apply(Connection(name="x", from_address=address))
        domain = address.rpartition("@")[2]
        return self.connections.blank(existing, base, name or suggestion.label or domain)

    def sender_address(self, connection: Connection) -> str:
        """The From address mail through ``connection`` carries, by the rule the test message is
        built with (``AppSettings.sender_address_for``: its From, the default sender, a Graph
        mailbox, a sign-in user name that is an address). ``NoSenderAddress`` when there is none, or
        when it is not an address whose domain can be looked up (an editor's unsaved From field, a
        hand-edited file: "bob@", "Name <a@b>", a line break, an address literal)."""
        from smtpgui.core.appsettings import AppSettings

        try:
            settings = self.settings.load()
        except SmtpguiError:
            settings = AppSettings()
        address, field = settings.sender_address_for(connection)
        if not address:
            raise NoSenderAddress(
                f"{connection.name!r} has no From address to check: set one (the From address field on the Main "
                "settings tab, or 'smtpgui edit NAME --from ADDR')."
            )
        whose = {
            "from_address": f"The From address of {connection.name!r}",
            "default_from_address": "The default From address (settings)",
            "mailbox": f"The mailbox of {connection.name!r} (its From address)",
            "username": f"The user name of {connection.name!r} (its From address, as no other is set)",
        }[field]
        return _checked_sender(address, whose)

    def check_sender(
        self,
        connection: Connection,
        dns_server: DnsServerChoice | None = None,
        deadline_s: float = 20.0,
        token: CancelToken | None = None,
    ) -> SenderReport:
        """SPF, DMARC and DKIM of the domain ``connection`` sends as (``DnsFailure`` never escapes:
        the report's ``dns_error`` says it). With ``token``: ``Cancelled`` soon after it is (a DNS
        question already asked is left to end by the deadline on its own thread)."""
        import time

        from smtpgui.transport.dnsquery import DnsClient, DnsFailure, dns_server_from_environment
        from smtpgui.transport.sendercheck import SenderReport, check_sender

        address = self.sender_address(connection)
        server = dns_server or dns_server_from_environment()
        try:
            dns = DnsClient(server, time.monotonic() + deadline_s, token)
        except DnsFailure as exc:
            domain = address.rpartition("@")[2]
            return SenderReport(address, domain, None, dns_error=str(exc))
        if token is None:
            return check_sender(address, connection.host, connection.kind.value, dns)
        from smtpgui.transport.network import run_cancellable

        def check() -> SenderReport:
            return check_sender(address, connection.host, connection.kind.value, dns)

        return run_cancellable(check, deadline_s + 1, token)
