"""Side checks after a TLS failure: separate, quiet connections that find out what went wrong.

The session that failed keeps its result; these look again, unverified or offering a throwaway
client certificate, to tell a certificate problem, a TLS version outside the allowed range, or
a server that requires a client certificate from a plain handshake failure.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from smtpgui.core.model import Connection, Security, TlsVersion
from smtpgui.transport.client import SmtpClient
from smtpgui.transport.errors import NetworkError
from smtpgui.transport.network import CancelToken
from smtpgui.transport.result import Stage, TestResult
from smtpgui.transport.tlspolicy import (
    ClientCertificateError,
    build_context,
    certificate_lines,
    describe_certificate,
    throwaway_client_context,
    tls_error_kind,
)
from smtpgui.transport.transcript import Transcript

if TYPE_CHECKING:
    from smtpgui.transport.session import SessionSecrets, SmtpSession

_T = TypeVar("_T")


class TlsDiagnosis:
    """Mixed into the session: the checks use its connection, secrets, token, result and transcript."""

    c: Connection
    secrets: SessionSecrets
    token: CancelToken
    result: TestResult
    transcript: Transcript

    def _quiet(self, connection: Connection) -> SmtpSession:
        raise NotImplementedError

    def _side_tls(
        self,
        c: Connection,
        context: ssl.SSLContext,
        inspect: Callable[[ssl.SSLSocket], _T],
        on_tls_error: Callable[[ssl.SSLError], _T | None] = lambda _exc: None,
    ) -> _T | None:
        """A separate, quiet TLS connection for diagnosis only (STARTTLS negotiated first when set).

        ``inspect`` looks at the TLS socket; a TLS error goes to ``on_tls_error``; anything else
        that goes wrong means "cannot tell" (None).
        """
        quiet = self._quiet(c)
        try:
            sock = quiet._open_socket(record=False)
            host = quiet._tls_host()
            if c.security is Security.STARTTLS:
                client = SmtpClient(quiet.transcript, quiet._ehlo_name(sock), quiet.timeout)
                quiet.client = client
                client.attach(sock, host, in_tls=False)
                client.getreply()
                client.ehlo()
                if client.command("STARTTLS")[0] != 220:
                    return None
            tls = context.wrap_socket(sock, server_hostname=host)
            quiet.handles.append(tls)
            return inspect(tls)
        except ssl.SSLError as exc:
            return on_tls_error(exc)
        except (OSError, smtplib.SMTPException, NetworkError, ValueError, ClientCertificateError):
            return None
        finally:
            quiet._close()

    def _side_handshake(self, **changes: object) -> tuple[str, bytes] | None:
        """A separate, unverified handshake (TLS version and certificate) for diagnosis only."""
        c = self.c.replace(
            verify=False,
            pinned_sha256="",
            client_cert="",
            client_key="",
            timeout_s=min(self.c.timeout_s, 10),
            **changes,
        )
        try:
            context = build_context(c, verify=False)
        except (OSError, ssl.SSLError, ClientCertificateError):
            return None
        return self._side_tls(c, context, lambda tls: (tls.version() or "", tls.getpeercert(binary_form=True) or b""))

    def _fetch_certificate_for_display(self) -> None:
        """After a verification failure: fetch the certificate unverified, to show it."""
        found = self._side_handshake()
        if found and found[1]:
            self.result.certificate = describe_certificate(found[1], trusted=False)
            for line in certificate_lines(self.result.certificate):
                self.transcript.info(line)

    def _closed_right_after_tls(self, stage: Stage) -> bool:
        tls = self.result.tls
        return (
            tls is not None
            and tls.version == "TLSv1.3"
            and stage in (Stage.GREETING, Stage.EHLO, Stage.TLS, Stage.STARTTLS)
            and not self.token.cancelled
        )

    def _wants_client_certificate(self) -> bool:
        """A separate handshake that only listens: does the server answer with certificate_required?"""
        c = self.c.replace(timeout_s=min(self.c.timeout_s, 5))

        def listen(tls: ssl.SSLSocket) -> bool:
            tls.settimeout(min(2.0, float(c.timeout_s)))
            tls.recv(1)  # a greeting (implicit TLS) or nothing (STARTTLS) means: not this
            return False

        try:
            context = build_context(c, verify=False)
        except (OSError, ssl.SSLError, ClientCertificateError):
            return False
        found = self._side_tls(c, context, listen, lambda exc: tls_error_kind(exc) == "client-cert-required")
        return bool(found)

    def _asks_for_certificate(self) -> bool:
        """After a generic handshake_failure: does a handshake offering a throwaway certificate get further?"""
        c = self.c.replace(timeout_s=min(self.c.timeout_s, 5))
        found = self._side_tls(
            c,
            throwaway_client_context(),
            lambda _tls: True,  # the same server accepted the handshake once offered a certificate
            lambda exc: tls_error_kind(exc) == "client-cert-required",
        )
        return bool(found)

    def _diagnose_tls_versions(self) -> str | None:
        """After an unexplained handshake failure: does the server speak a version we excluded?"""
        found = self._side_handshake(tls_min=TlsVersion.V1_0, tls_max=TlsVersion.V1_3)
        if not found or not found[0]:
            return None
        allowed = f"{self.c.tls_min.value}–{self.c.tls_max.value}"
        spoken = found[0].replace("TLSv", "")
        if spoken in [v.value for v in TlsVersion if self.c.tls_min.rank <= v.rank <= self.c.tls_max.rank]:
            return None
        return f"the server speaks TLS {spoken}, outside the allowed {allowed}"
