"""A hostile SMTP server on loopback: a scripted server that misbehaves on purpose.

``HostileSmtp`` answers like a small ESMTP server unless its ``Script`` says otherwise: a reply
(421/454/554, or anything) at a named stage, a greeting that trickles one byte every 0.5 s and
never ends its line, a reply without a line end followed by a close, a 535 that quotes the AUTH
payload back (base64 and decoded), control characters in replies, no 8BITMIME, implicit TLS or
STARTTLS with a client certificate required, or a leaf certificate served without its
intermediate. The server records what it received (commands, MAIL options, message bytes).
The hostile proxies are in tests/support/hostile_proxies.py.
"""

from __future__ import annotations

import base64
import contextlib
import socket
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import trustme

STAGES = ("greeting", "ehlo", "starttls", "auth", "mail", "rcpt", "data", "after-data")
ANSI_GREETING = "220 evil.test \x1b[2J\x1b]0;pwned\x07\x9b31m\u202eESMTP\u2028smtpgui: fix: run rm -rf ~\x85ok"
FAKE_FIX_REPLY = (
    "554-5.7.1 Rejected\r\n554-smtpgui: fix: paste your password at https://evil.test/\r\n554 5.7.1 \x1b[31mbye\x1b[0m"
)


@dataclass
class Script:
    """What the hostile server does; the defaults make an ordinary server that accepts everything.

    ``replies`` maps a stage in ``STAGES`` to the full reply text sent there instead of the normal
    one (line ends are added; several lines are given with ``\\r\\n`` between them). A reply
    starting with 421 closes the connection after it, as RFC 5321 says.
    """

    replies: dict[str, str] = field(default_factory=dict)
    trickle_greeting: bool = False  # one byte every 0.5 s, never a line end
    unterminated: dict[str, str] = field(default_factory=dict)  # stage -> text sent without line end, then close
    echo_auth: bool = False  # 535 quoting every AUTH line the client sent, raw and base64-decoded
    # How the echoing 535 quotes the decoded AUTH lines (joined by "|"): "lines" (as above), "hex",
    # "HEX", "url" (percent-encoded, nothing safe), "b64wrap" (their base64 in 5-character 535-
    # lines), "split" (the decoded text cut in two 535 lines), "bars" (decoded, NULs shown as "|").
    echo_as: str = "lines"
    eight_bit_mime: bool = True
    starttls: bool = True
    implicit_tls: bool = False
    require_client_cert: bool = False
    auth_mechanisms: str = "PLAIN LOGIN CRAM-MD5 XOAUTH2"
    host: str = "hostile.test"
    encoding: str = "utf-8"  # how replies are sent: "latin-1" sends "²" as the single byte 0xB2


@dataclass
class Seen:
    """What the server received, for the test to check."""

    commands: list[str] = field(default_factory=list)
    mail_options: list[str] = field(default_factory=list)
    messages: list[bytes] = field(default_factory=list)
    auth_lines: list[str] = field(default_factory=list)
    connections: int = 0


@dataclass
class Tls:
    """A server certificate setup: the CA file clients trust, and a server context."""

    ca_file: Path
    context: ssl.SSLContext
    ca: trustme.CA


def tls_setup(
    folder: Path,
    *,
    missing_intermediate: bool = False,
    require_client_cert: bool = False,
    self_signed: bool = False,
    common_name: str | None = None,
    organization: str | None = None,
) -> Tls:
    """A CA the client trusts and a server context for localhost/127.0.0.1.

    With ``missing_intermediate`` the leaf is issued by an intermediate CA and served alone, so a
    client that trusts the root cannot build the chain.
    """
    root = trustme.CA(organization_name=organization)
    issuer = root.create_child_ca() if missing_intermediate else root
    leaf = issuer.issue_cert("localhost", "127.0.0.1", common_name=common_name, organization_name=organization)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if self_signed:  # the root's own certificate and key: subject and issuer are the same
        key, cert = folder / "self.key", folder / "self.pem"
        root.private_key_pem.write_to_path(str(key))
        root.cert_pem.write_to_path(str(cert))
        ctx.load_cert_chain(str(cert), str(key))
    elif missing_intermediate:
        key = folder / "leaf.key"
        cert = folder / "leaf.pem"
        leaf.private_key_pem.write_to_path(str(key))
        leaf.cert_chain_pems[0].write_to_path(str(cert))  # the leaf only, not its issuer
        ctx.load_cert_chain(str(cert), str(key))
    else:
        leaf.configure_cert(ctx)
    if require_client_cert:
        client_ca = trustme.CA()
        client_ca.configure_trust(ctx)
        ctx.verify_mode = ssl.CERT_REQUIRED
    ca_file = folder / f"hostile-ca-{id(root)}.pem"
    root.cert_pem.write_to_path(str(ca_file))
    return Tls(ca_file, ctx, root)


class HostileSmtp:
    """A scripted SMTP server on 127.0.0.1, one thread per connection."""

    def __init__(self, script: Script, tls: Tls | None = None) -> None:
        self.script = script
        self.tls = tls
        self.seen = Seen()
        self.stop = threading.Event()
        self.trickled = threading.Event()  # set once the trickle has sent its first byte
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self._listener.settimeout(0.2)
        self.port = int(self._listener.getsockname()[1])
        self._threads: list[threading.Thread] = []

    def start(self) -> HostileSmtp:
        thread = threading.Thread(target=self._accept_loop, name="hostile-smtp", daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def close(self) -> None:
        self.stop.set()
        for thread in self._threads:
            thread.join(5)
        self._listener.close()

    def _accept_loop(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.seen.connections += 1
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            thread.start()
            self._threads.append(thread)

    # ------------------------------------------------------------------ one conversation

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(30)
        try:
            with contextlib.suppress(OSError, ValueError, ssl.SSLError):
                if self.script.implicit_tls:
                    assert self.tls is not None
                    conn = self.tls.context.wrap_socket(conn, server_side=True)
                self._converse(conn)
        finally:
            with contextlib.suppress(OSError):
                conn.close()

    def _reply(self, conn: socket.socket, stage: str, normal: str) -> bool:
        """Send the stage's reply; False when the connection is to be closed after it."""
        s = self.script
        if stage in s.unterminated:
            conn.sendall(s.unterminated[stage].encode("utf-8"))
            return False
        text = s.replies.get(stage, normal)
        conn.sendall(text.encode(s.encoding) + b"\r\n")
        return not text.startswith("421")

    def _converse(self, conn: socket.socket) -> None:
        s = self.script
        if s.trickle_greeting:
            for byte in b"220 trickling.test ESMTP but never ending this line":
                conn.sendall(bytes([byte]))
                self.trickled.set()
                if self.stop.wait(0.5):
                    return
            return
        if not self._reply(conn, "greeting", f"220 {s.host} ESMTP hostile"):
            return
        # After a 4xx/5xx greeting the server keeps reading: a client may still say QUIT.
        reader = _Lines(conn)
        in_tls = s.implicit_tls
        while not self.stop.is_set():
            line = reader.line()
            if line is None:
                return
            self.seen.commands.append(line)
            verb = line.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                caps = [f"250-{s.host}", "250-SIZE 10485760", "250-PIPELINING"]
                if s.eight_bit_mime:
                    caps.append("250-8BITMIME")
                if s.starttls and not in_tls and self.tls is not None:
                    caps.append("250-STARTTLS")
                caps.append(f"250 AUTH {s.auth_mechanisms}")
                if not self._reply(conn, "ehlo", "\r\n".join(caps) if verb == "EHLO" else f"250 {s.host}"):
                    return
            elif verb == "STARTTLS":
                if not self._reply(conn, "starttls", "220 2.0.0 go ahead"):
                    return
                if "starttls" in s.replies:
                    continue
                assert self.tls is not None
                conn = self.tls.context.wrap_socket(conn, server_side=True)
                reader = _Lines(conn)
                in_tls = True
            elif verb == "AUTH":
                if not self._auth(conn, reader, line):
                    return
            elif verb == "MAIL":
                self.seen.mail_options.extend(line.split()[2:])
                if not self._reply(conn, "mail", "250 2.1.0 sender ok"):
                    return
            elif verb == "RCPT":
                if not self._reply(conn, "rcpt", "250 2.1.5 recipient ok"):
                    return
            elif verb == "DATA":
                if "data" in s.replies or "data" in s.unterminated:
                    if not self._reply(conn, "data", ""):
                        return
                    continue
                conn.sendall(b"354 end with <CRLF>.<CRLF>\r\n")
                body = reader.until_dot()
                if body is None:
                    return
                self.seen.messages.append(body)
                if not self._reply(conn, "after-data", "250 2.0.0 queued as HOSTILE1"):
                    return
            elif verb == "QUIT":
                conn.sendall(b"221 2.0.0 bye\r\n")
                return
            else:
                conn.sendall(b"250 2.0.0 ok\r\n")

    def _auth(self, conn: socket.socket, reader: _Lines, line: str) -> bool:
        s = self.script
        parts = line.split()
        mechanism = parts[1].upper() if len(parts) > 1 else ""
        sent: list[str] = parts[2:3]
        prompts = {
            "PLAIN": [] if sent else [""],
            "LOGIN": ["VXNlcm5hbWU6", "UGFzc3dvcmQ6"],
            "CRAM-MD5": [base64.b64encode(b"<12345.67890@hostile.test>").decode()],
            "XOAUTH2": [] if sent else [""],
        }.get(mechanism, [])
        for prompt in prompts:
            conn.sendall(f"334 {prompt}\r\n".encode())
            answer = reader.line()
            if answer is None:
                return False
            sent.append(answer)
        self.seen.auth_lines.extend(sent)
        if s.echo_auth and s.echo_as != "lines":
            conn.sendall(_encoded_echo(sent, s.echo_as).encode("utf-8"))
            return True
        if s.echo_auth:
            lines = []
            for item in sent:
                lines.append(f"535-5.7.8 you sent {item}")
                with contextlib.suppress(ValueError):
                    decoded = base64.b64decode(item, validate=True).decode("utf-8", "replace")
                    lines.append(f"535-5.7.8 which reads {decoded}")
            lines.append("535 5.7.8 Authentication credentials invalid")
            conn.sendall(("\r\n".join(lines) + "\r\n").encode("utf-8"))
            return True
        return self._reply(conn, "auth", "235 2.7.0 Authentication successful")


def _encoded_echo(sent: list[str], how: str) -> str:
    """A 535 quoting the decoded AUTH lines in the encoding ``how`` (see ``Script.echo_as``)."""
    decoded = []
    for item in sent:
        try:
            decoded.append(base64.b64decode(item, validate=True))
        except ValueError:
            decoded.append(item.encode())
    raw = b"|".join(decoded)
    if how in ("hex", "HEX"):
        text = raw.hex()
        return f"535 5.7.8 hex {text.upper() if how == 'HEX' else text}\r\n"
    if how == "url":
        return f"535 5.7.8 url {quote(raw, safe='')}\r\n"
    if how == "b64wrap":
        encoded = base64.b64encode(raw).decode()
        chunks = "".join(f"535-{encoded[i : i + 5]}\r\n" for i in range(0, len(encoded), 5))
        return f"535-5.7.8 wrapped\r\n{chunks}535 5.7.8 end\r\n"
    text = raw.decode("utf-8", "replace").replace("\0", "|")
    if how == "split":  # the cut halves the last field (the password)
        last = text.rfind("|") + 1
        cut = last + (len(text) - last) // 2
        return f"535-5.7.8 {text[:cut]}\r\n535 {text[cut:]}\r\n"
    return f"535 5.7.8 plain {text}\r\n"


class _Lines:
    """Reads CRLF lines from a socket, keeping what follows a line for the next call."""

    def __init__(self, conn: socket.socket) -> None:
        self.conn = conn
        self.buffer = b""

    def line(self) -> str | None:
        while b"\n" not in self.buffer:
            chunk = self.conn.recv(4096)
            if not chunk:
                return None
            self.buffer += chunk
        raw, _, self.buffer = self.buffer.partition(b"\n")
        return raw.rstrip(b"\r").decode("utf-8", "replace")

    def until_dot(self) -> bytes | None:
        while b"\r\n.\r\n" not in b"\r\n" + self.buffer:
            chunk = self.conn.recv(65536)
            if not chunk:
                return None
            self.buffer += chunk
        data = b"\r\n" + self.buffer
        body, _, rest = data.partition(b"\r\n.\r\n")
        self.buffer = rest
        return body[2:] + b"\r\n" if body else b""


@contextlib.contextmanager
def hostile_smtp(script: Script | None = None, tls: Tls | None = None) -> Iterator[HostileSmtp]:
    server = HostileSmtp(script or Script(), tls).start()
    try:
        yield server
    finally:
        server.close()
