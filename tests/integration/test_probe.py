"""The probe: every mode on a port, in parallel, and a recommendation."""

from __future__ import annotations

import time

from smtpgui.core.model import Connection, Security
from smtpgui.transport.probe import probe
from tests.support.servers import Pki, free_port, smtp_server


def test_probe_implicit_tls_port(pki: Pki) -> None:
    with smtp_server("tls", pki) as server:
        base = Connection(name="p", host="127.0.0.1", ca_file=str(pki.ca_file), timeout_s=5)
        report = probe(base, port=server.port)
        by_mode = {o.security: o for o in report.outcomes}
        assert by_mode[Security.TLS].ok and by_mode[Security.TLS].trusted
        assert (
            not by_mode[Security.STARTTLS].ok and by_mode[Security.STARTTLS].result.failure_kind == "mismatch-implicit"
        )
        assert report.recommended() == {
            "port": server.port,
            "security": "tls",
            "mechanism": "cram-md5",
            "certificate_trusted": True,
            "same_server": None,
            "note": None,
        }
        data = report.to_json()
        assert set(data) == {"host", "results", "recommended"}
        first = data["results"][0]
        assert {
            "port",
            "security",
            "ok",
            "error",
            "tls",
            "certificate",
            "capabilities",
            "auth_mechanisms",
            "size_limit",
            "smtputf8",
        } <= set(first)
        assert report.exit_code == 0


def test_probe_starttls_port_reports_capabilities_before_and_after(pki: Pki) -> None:
    with smtp_server("starttls", pki) as server:
        base = Connection(name="p", host="127.0.0.1", timeout_s=5)  # no CA: certificate not trusted
        started = time.monotonic()
        report = probe(base, port=server.port)
        elapsed = time.monotonic() - started
        starttls = next(o for o in report.outcomes if o.security is Security.STARTTLS)
        assert starttls.reachable and not starttls.trusted and not starttls.ok  # untrusted never "works"
        assert "certificate not trusted" in (starttls.to_json()["error"] or "")
        assert "STARTTLS" in starttls.result.capabilities_before_tls
        assert "PLAIN" in starttls.result.auth_mechanisms and starttls.result.size_limit == 33554432
        assert starttls.result.smtputf8
        plain = next(o for o in report.outcomes if o.security is Security.NONE)
        assert plain.ok and plain.result.auth_mechanisms == []  # AUTH only after TLS
        assert report.recommended()["security"] == "starttls"  # type: ignore[index]
        # the implicit-TLS attempt fails fast and in parallel; the whole probe is not their sum
        assert elapsed < 8


def test_probe_nothing_listening() -> None:
    report = probe(Connection(name="p", host="127.0.0.1", timeout_s=2), port=free_port())  # free: closed
    assert report.recommended() is None and report.exit_code == 10


def test_probe_tries_exactly_the_combinations_it_is_given(pki: Pki) -> None:
    with smtp_server("tls", pki) as implicit, smtp_server("starttls", pki) as explicit:
        base = Connection(name="p", host="127.0.0.1", ca_file=str(pki.ca_file), timeout_s=5)
        wanted = [(implicit.port, Security.TLS), (explicit.port, Security.STARTTLS)]
        report = probe(base, combinations=wanted)
        assert [(o.port, o.security) for o in report.outcomes] == wanted
        assert all(o.ok and o.trusted for o in report.outcomes)
