"""Discovery: ask every source in parallel, stop at one overall deadline, rank what came back.

Sources, each on its own thread: the built-in presets by domain; the domain's autoconfig file
(``https://autoconfig.DOMAIN/…`` and ``https://DOMAIN/.well-known/…``; plain http only when
both fail, and without the address in it); the Thunderbird ISPDB; the SRV records of RFC 6186
and 8314; the MX host's provider (a preset by MX, the ISPDB entry of the MX's registered
domain); and a probe of ``smtp.DOMAIN`` / ``mail.DOMAIN``. Nothing here runs unless someone
asked for discovery. A source still busy at the deadline is left behind (its thread ends on its
own timeouts, which never reach past the deadline) and named in the report.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from smtpgui.core.addresses import parse_ip
from smtpgui.core.autoconfig import ServerEntry, UnsafeXml, outgoing_servers
from smtpgui.core.discovery import CONFIDENCE, Suggestion, address_domain, rank, registered_domain
from smtpgui.core.model import AuthMode, Connection, Security
from smtpgui.core.numbers import ascii_port
from smtpgui.core.presets import Preset, presets_for_domain, presets_for_mx
from smtpgui.transport.dnsquery import DnsClient, DnsFailure, DnsServerChoice, checked_name
from smtpgui.transport.webfetch import FetchFailure, NotFound, fetch

if TYPE_CHECKING:
    from smtpgui.transport.network import CancelToken

DEFAULT_ISPDB_URL = "https://autoconfig.thunderbird.net/v1.1"
ISPDB_VARIABLE = "SMTPGUI_ISPDB_URL"
# Tests only: the port autoconfig.DOMAIN and DOMAIN are asked on (https, and plain http for the
# last resort), so a local server on a free port can play every domain's web server.
AUTOCONFIG_PORT_VARIABLE = "SMTPGUI_AUTOCONFIG_PORT"
AUTOCONFIG_HTTP_PORT_VARIABLE = "SMTPGUI_AUTOCONFIG_HTTP_PORT"
DEFAULT_DEADLINE_S = 10.0
MAX_SRV_RECORDS = 10  # per service, best priority first: more is a hostile zone, not a choice


@dataclass(frozen=True)
class DiscoverySettings:
    """Where discovery asks and for how long."""

    dns_server: DnsServerChoice | None = None
    ispdb_url: str = DEFAULT_ISPDB_URL
    deadline_s: float = DEFAULT_DEADLINE_S
    autoconfig_port: int | None = None
    autoconfig_http_port: int | None = None
    probe_combinations: tuple[tuple[int, Security], ...] | None = None  # None: the probe's standard ones


def check_ispdb_url(text: str) -> str:
    """An ISPDB base address as given (``--ispdb-url``): https only; ``ValueError`` otherwise."""
    url = text.strip().rstrip("/")
    problem = f"{text!r} is not an ISPDB address: give an https:// address such as {DEFAULT_ISPDB_URL}."
    if not url.isascii() or not url.isprintable() or " " in url:
        raise ValueError(problem)  # urlsplit would quietly drop a tab or a line break; nothing is sent as typed
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or parts.query or parts.fragment or parts.username:
        raise ValueError(problem)
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port is not None and not 1 <= port <= 65535:
        raise ValueError(f"{text!r} is not an ISPDB address: its port must be a number from 1 to 65535.")
    if parse_ip(parts.hostname) is None and checked_name(parts.hostname) is None:
        raise ValueError(f"{text!r} is not an ISPDB address: {parts.hostname!r} is not a host name.")
    return url


def _port_from_environment(name: str) -> int | None:
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    port = ascii_port(value)
    if port is None:
        raise ValueError(f"{name}={value!r} is not a port number.")
    return port


def settings_from_environment(
    dns_server: DnsServerChoice | None, ispdb_url: str | None, deadline_s: float | None
) -> DiscoverySettings:
    """The settings from the options given, else the environment, else the defaults."""
    from smtpgui.transport.dnsquery import dns_server_from_environment

    return DiscoverySettings(
        dns_server=dns_server or dns_server_from_environment(),
        ispdb_url=check_ispdb_url(ispdb_url or os.environ.get(ISPDB_VARIABLE, "") or DEFAULT_ISPDB_URL),
        deadline_s=deadline_s if deadline_s is not None else DEFAULT_DEADLINE_S,
        autoconfig_port=_port_from_environment(AUTOCONFIG_PORT_VARIABLE),
        autoconfig_http_port=_port_from_environment(AUTOCONFIG_HTTP_PORT_VARIABLE),
    )


@dataclass
class SourceOutcome:
    """What one source did: its suggestions, or why it gave none, and how long it took."""

    name: str
    suggestions: list[Suggestion] = field(default_factory=list)
    error: str | None = None
    missing: bool = False  # the error only says the source has nothing for the domain (HTTP 404…)
    dns_failed: bool = False
    elapsed_s: float = 0.0
    finished: bool = True


@dataclass
class DiscoveryReport:
    """All suggestions for an address, best first, and what each source did."""

    address: str
    domain: str
    suggestions: list[Suggestion]
    sources: list[SourceOutcome]
    elapsed_s: float

    @property
    def dns_failed(self) -> bool:
        """Nothing was found and DNS itself did not answer."""
        return not self.suggestions and any(s.dns_failed for s in self.sources)

    def why_nothing(self) -> str:
        """Why there is no suggestion, for both front ends: DNS did not answer, the sources that
        failed and why (an untrusted certificate, a refused file, no answer in time), or nobody knew."""
        if self.dns_failed:
            failed = next(s.error for s in self.sources if s.dns_failed)
            return f"DNS could not answer ({failed})"
        failures = [f"{s.name}: {s.error}" for s in self.sources if s.error and not s.missing]
        if failures:
            more = f"; and {len(failures) - 3} more" if len(failures) > 3 else ""
            return "; ".join(failures[:3]) + more
        return "no source knew it, and no server answered on smtp. or mail."

    def to_json(self) -> dict[str, object]:
        return {"address": self.address, "suggestions": [s.to_json() for s in self.suggestions]}


def _from_entries(entries: list[ServerEntry], source: str, label: str = "") -> list[Suggestion]:
    base = CONFIDENCE[source]
    return [
        Suggestion(
            e.host,
            e.port,
            e.security,
            e.auth_mode,
            e.username,
            source,
            max(1, base - 5 * i),
            e.mechanism,
            e.oauth_provider,
            label,
        )
        for i, e in enumerate(entries)
    ]


def _from_preset(preset: Preset, address: str, source: str) -> Suggestion:
    return Suggestion(
        preset.host,
        preset.port,
        preset.security,
        preset.auth_mode,
        address if preset.auth_mode is not AuthMode.NONE else "",
        source,
        CONFIDENCE[source],
        preset.mechanism,
        preset.oauth_provider,
        preset.provider_name,
    )


class _Discovery:
    """One run: the address, its domain, the settings and the deadline every source shares."""

    def __init__(
        self,
        address: str,
        domain: str,
        settings: DiscoverySettings,
        deadline: float,
        token: CancelToken | None = None,
    ) -> None:
        from smtpgui.transport.network import CancelToken

        self.address, self.domain, self.settings, self.deadline = address, domain, settings, deadline
        # The plain-http last resort waits for these, and runs only when none of them found anything.
        self.done = {name: threading.Event() for name in ("autoconfig", "autoconfig-wellknown", "ispdb", "srv", "mx")}
        self.found_any = False
        self.token = token or CancelToken()  # cancelled: the probe stops, no further DNS question is asked

    def dns(self) -> DnsClient:
        return DnsClient(self.settings.dns_server, self.deadline, self.token)

    def _fetch_config(self, url: str, source: str, *, allow_http: bool = False) -> list[Suggestion]:
        try:
            fetched = fetch(url, self.dns(), self.deadline, allow_http=allow_http)
            entries = outgoing_servers(fetched.body, self.address)
        except UnsafeXml as exc:
            raise FetchFailure(f"the file was refused: {exc}") from exc
        if not entries:
            raise NotFound("the file names no SMTP server")
        return _from_entries(entries, source)

    def _host(self, name: str, http: bool = False) -> str:
        port = self.settings.autoconfig_http_port if http else self.settings.autoconfig_port
        return f"{name}:{port}" if port else name

    # the sources ---------------------------------------------------------------------------

    def presets(self) -> list[Suggestion]:
        return [_from_preset(p, self.address, "preset") for p in presets_for_domain(self.domain)]

    def noting(self, name: str, source: Callable[[], list[Suggestion]]) -> Callable[[], list[Suggestion]]:
        """``source``, telling the last resort when it is done and whether it found anything."""

        def run() -> list[Suggestion]:
            try:
                found = source()
                self.found_any = self.found_any or bool(found)
                return found
            finally:
                self.done[name].set()

        return run

    def autoconfig(self) -> list[Suggestion]:
        url = f"https://{self._host('autoconfig.' + self.domain)}/mail/config-v1.1.xml"
        return self._fetch_config(f"{url}?emailaddress={quote(self.address, safe='@')}", "autoconfig")

    def autoconfig_wellknown(self) -> list[Suggestion]:
        url = f"https://{self._host(self.domain)}/.well-known/autoconfig/mail/config-v1.1.xml"
        return self._fetch_config(url, "autoconfig-wellknown")

    def autoconfig_http(self) -> list[Suggestion]:
        """The last resort: only when no other source (but the probe) found anything, and without
        the address in the request."""
        for done in self.done.values():
            if not done.wait(max(0.0, self.deadline - time.monotonic())):
                raise NotFound("not tried: the other sources did not finish in time")
        if self.found_any:
            return []
        url = f"http://{self._host('autoconfig.' + self.domain, http=True)}/mail/config-v1.1.xml"
        return self._fetch_config(url, "autoconfig-http", allow_http=True)

    def ispdb(self) -> list[Suggestion]:
        return self._fetch_config(f"{self.settings.ispdb_url}/{self.domain}", "ispdb")

    def srv(self) -> list[Suggestion]:
        dns = self.dns()
        found: list[Suggestion] = []
        for service, security, source in (
            ("_submissions._tcp", Security.TLS, "srv-submissions"),
            ("_submission._tcp", Security.STARTTLS, "srv-submission"),
        ):
            records = dns.srv(f"{service}.{self.domain}")[:MAX_SRV_RECORDS]
            for i, (_priority, _weight, port, target) in enumerate(records):
                if target is None or not 1 <= port <= 65535:
                    continue  # "." means the service is not offered (RFC 2782)
                confidence = max(1, CONFIDENCE[source] - 3 * i)
                found.append(Suggestion(target, port, security, AuthMode.PASSWORD, self.address, source, confidence))
        return found

    def mx(self) -> list[Suggestion]:
        hosts = self.dns().mx(self.domain)
        found: list[Suggestion] = []
        for host in hosts[:3]:
            for preset in presets_for_mx(host):
                found.append(_from_preset(preset, self.address, "mx-preset"))
        if found:
            return found
        registered = {registered_domain(h) for h in hosts[:3]} - {self.domain}
        errors, missing = [], True
        for provider in sorted(registered)[:2]:
            try:
                found += self._fetch_config(f"{self.settings.ispdb_url}/{provider}", "mx-ispdb")
            except FetchFailure as exc:
                errors.append(f"{provider}: {exc}")
                missing = missing and isinstance(exc, NotFound)
        if not found and errors:
            raise (NotFound if missing else FetchFailure)("; ".join(errors))
        return found

    def probe(self) -> list[Suggestion]:
        from smtpgui.transport.probe import probe

        dns = self.dns()
        found: list[Suggestion] = []
        for prefix in ("smtp", "mail"):
            name = f"{prefix}.{self.domain}"
            addresses = dns.addresses(name)
            if not addresses:
                continue
            left = self.deadline - time.monotonic()
            if left <= 0.2:
                break
            # Reached by the address our resolver gave (the engine would ask the system's).
            base = Connection(name="discovery", host=addresses[0], timeout_s=max(1, int(left)))
            combos = list(self.settings.probe_combinations) if self.settings.probe_combinations else None
            report = probe(base, None, None, self.token, combinations=combos)
            for outcome in report.outcomes:
                if not outcome.reachable or (outcome.port == 25 and not outcome.result.auth_mechanisms):
                    continue  # port 25 without AUTH is a relay for incoming mail, not submission
                cert = outcome.result.certificate
                named = cert is not None and _names_cover(cert.names, name)
                confidence = CONFIDENCE["probe"] if outcome.security is Security.NONE or named else 30
                auth = AuthMode.PASSWORD if outcome.result.auth_mechanisms else AuthMode.NONE
                username = self.address if auth is AuthMode.PASSWORD else ""
                found.append(Suggestion(name, outcome.port, outcome.security, auth, username, "probe", confidence))
            if found:
                break
        return found


def _names_cover(names: tuple[str, ...] | list[str], host: str) -> bool:
    for name in names:
        pattern = name.lower()
        if pattern == host or (pattern.startswith("*.") and host.partition(".")[2] == pattern[2:]):
            return True
    return False


SOURCE_ORDER = ("preset", "autoconfig", "autoconfig-wellknown", "ispdb", "srv", "mx", "probe", "autoconfig-http")


def discover(
    address: str, settings: DiscoverySettings | None = None, token: CancelToken | None = None
) -> DiscoveryReport:
    """Suggested settings for ``address`` (``ValueError`` with a sentence for a bad address).

    ``token`` cancelled (the person closed the dialog, or the window): ``Cancelled`` within a
    fraction of a second; the sources still running are left to end by the deadline on their own.
    """
    from smtpgui.transport.network import SLICE, CancelToken

    settings = settings or DiscoverySettings()
    address, domain = address_domain(address)
    started = time.monotonic()
    deadline = started + settings.deadline_s
    token = token or CancelToken()
    run = _Discovery(address, domain, settings, deadline, token)
    sources: dict[str, Callable[[], list[Suggestion]]] = {
        "preset": run.presets,
        "autoconfig": run.noting("autoconfig", run.autoconfig),
        "autoconfig-wellknown": run.noting("autoconfig-wellknown", run.autoconfig_wellknown),
        "ispdb": run.noting("ispdb", run.ispdb),
        "srv": run.noting("srv", run.srv),
        "mx": run.noting("mx", run.mx),
        "probe": run.probe,
        "autoconfig-http": run.autoconfig_http,
    }
    answers: queue.Queue[SourceOutcome] = queue.Queue()

    def one(name: str, source: Callable[[], list[Suggestion]]) -> None:
        begun = time.monotonic()
        outcome = SourceOutcome(name)
        try:
            outcome.suggestions = source()
        except DnsFailure as exc:
            outcome.error, outcome.dns_failed = str(exc), True
        except (FetchFailure, ValueError, OSError) as exc:
            outcome.error = str(exc) or type(exc).__name__
            outcome.missing = isinstance(exc, NotFound)
        except Exception as exc:  # a source's bug must not end the others
            outcome.error = f"{type(exc).__name__}: {exc}"
        outcome.elapsed_s = time.monotonic() - begun
        answers.put(outcome)

    for name, source in sources.items():
        threading.Thread(target=one, args=(name, source), name=f"smtpgui-discover-{name}", daemon=True).start()
    done: dict[str, SourceOutcome] = {}
    while len(done) < len(sources):
        token.check()  # Cancelled: nobody waits for the answer any more
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            outcome = answers.get(timeout=min(left, SLICE))
        except queue.Empty:
            continue
        done[outcome.name] = outcome
    run.token.cancel()  # a probe still running stops now
    elapsed = time.monotonic() - started
    outcomes = [
        done.get(name) or SourceOutcome(name, error="no answer before the deadline", finished=False, elapsed_s=elapsed)
        for name in SOURCE_ORDER
    ]
    everything = [s for o in outcomes for s in o.suggestions]
    return DiscoveryReport(address, domain, rank(everything), outcomes, elapsed)
