"""A real DNS server on loopback for tests: dnspython builds the answers, UDP and TCP both.

Zone data is given per test (``server.add("example.test", "MX", "10 mx.example.test.")``);
everything else is NXDOMAIN, or NOERROR with no answer when the name has other records. A UDP
answer too big for the client's buffer is sent truncated (TC), so the client asks again over
TCP, as real resolvers do. Every question is recorded (name, type, transport). A name (or a
suffix of it) can be delayed, made silent (no answer at all) or made to fail (SERVFAIL).
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.TXT
import dns.rrset


@dataclass(frozen=True)
class Question:
    """One question the server was asked."""

    name: str
    rdtype: str
    transport: str  # "udp" or "tcp"


def _key(name: str) -> str:
    return name.lower().rstrip(".")


def _rdata(rdtype: str, value: str) -> dns.rdata.Rdata:
    if rdtype == "TXT":
        raw = value.encode("utf-8")
        chunks = [raw[i : i + 255] for i in range(0, len(raw), 255)] or [b""]
        return dns.rdtypes.ANY.TXT.TXT(dns.rdataclass.IN, dns.rdatatype.TXT, chunks)
    return dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.from_text(rdtype), value)


@dataclass
class DnsServer:
    """The server's zone, behaviour and record of questions (thread-safe enough for tests)."""

    host: str = "127.0.0.1"
    port: int = 0
    records: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    questions: list[Question] = field(default_factory=list)
    delays: dict[str, float] = field(default_factory=dict)  # name suffix, or "name/TYPE" exactly -> seconds
    silent: set[str] = field(default_factory=set)  # name suffixes never answered
    failing: set[str] = field(default_factory=set)  # name suffixes answered SERVFAIL
    _stop: threading.Event = field(default_factory=threading.Event)

    @property
    def address(self) -> str:
        """What ``--dns-server`` takes."""
        return f"{self.host}:{self.port}"

    def add(self, name: str, rdtype: str, *values: str) -> None:
        self.records.setdefault((_key(name), rdtype.upper()), []).extend(values)

    def asked(self, name: str, rdtype: str | None = None) -> bool:
        return any(q.name == _key(name) and (rdtype is None or q.rdtype == rdtype) for q in self.questions)

    def _matches(self, name: str, suffixes: set[str] | dict[str, float]) -> str | None:
        return next((s for s in suffixes if name == _key(s) or name.endswith("." + _key(s))), None)

    def answer(self, wire: bytes, transport: str) -> bytes | None:
        """The answer to one query (None: say nothing)."""
        try:
            query = dns.message.from_wire(wire)
        except dns.exception.DNSException:
            return None
        if not query.question:
            return None
        question = query.question[0]
        name, rdtype = _key(question.name.to_text()), dns.rdatatype.to_text(question.rdtype)
        self.questions.append(Question(name, rdtype, transport))
        if self._matches(name, self.silent):
            return None
        delay = self.delays.get(f"{name}/{rdtype}")
        if delay is None:
            suffix = self._matches(name, {k: v for k, v in self.delays.items() if "/" not in k})
            delay = self.delays[suffix] if suffix is not None else None
        if delay and self._stop.wait(delay):
            return None
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        if self._matches(name, self.failing):
            response.set_rcode(dns.rcode.SERVFAIL)
            return response.to_wire()
        owner, seen = name, 0
        while seen < 8:
            seen += 1
            values = self.records.get((owner, rdtype))
            if values:
                rrset = dns.rrset.from_rdata_list(dns.name.from_text(owner), 60, [_rdata(rdtype, v) for v in values])
                response.answer.append(rrset)
                break
            alias = self.records.get((owner, "CNAME"))
            if alias and rdtype != "CNAME":
                rrset = dns.rrset.from_rdata_list(dns.name.from_text(owner), 60, [_rdata("CNAME", alias[0])])
                response.answer.append(rrset)
                owner = _key(alias[0])
                continue
            if seen == 1 and not any(key[0] == owner for key in self.records):
                response.set_rcode(dns.rcode.NXDOMAIN)
            break
        size = 65535 if transport == "tcp" else max(512, query.payload if query.edns >= 0 else 512)
        try:
            return response.to_wire(max_size=size)
        except dns.exception.TooBig:
            truncated = dns.message.make_response(query)
            truncated.flags |= dns.flags.TC
            return truncated.to_wire()

    # sockets ------------------------------------------------------------------------------

    def _serve_udp(self, sock: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                wire, peer = sock.recvfrom(65535)
            except OSError:
                return

            def reply(wire: bytes = wire, peer: tuple[str, int] = peer) -> None:
                answer = self.answer(wire, "udp")
                if answer is not None:
                    with contextlib.suppress(OSError):
                        sock.sendto(answer, peer)

            threading.Thread(target=reply, daemon=True).start()

    def _serve_tcp(self, listener: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=self._tcp_client, args=(conn,), daemon=True).start()

    def _tcp_client(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(10)
            try:
                while True:
                    head = _read_exactly(conn, 2)
                    if head is None:
                        return
                    wire = _read_exactly(conn, struct.unpack("!H", head)[0])
                    if wire is None:
                        return
                    answer = self.answer(wire, "tcp")
                    if answer is None:
                        return
                    conn.sendall(struct.pack("!H", len(answer)) + answer)
            except OSError:
                return


def _read_exactly(conn: socket.socket, count: int) -> bytes | None:
    data = b""
    while len(data) < count:
        chunk = conn.recv(count - len(data))
        if not chunk:
            return None
        data += chunk
    return data


@contextlib.contextmanager
def udp_and_tcp(
    serve_udp: Callable[[socket.socket], None], serve_tcp: Callable[[socket.socket], None], stop: threading.Event
) -> Iterator[int]:
    """One free port on 127.0.0.1 for UDP and TCP at once, served by the two functions on threads
    of their own until the block ends (then ``stop`` is set, the sockets closed, the threads joined).
    Yields the port."""
    for _attempt in range(20):
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind(("127.0.0.1", 0))
        port = udp.getsockname()[1]
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            tcp.bind(("127.0.0.1", port))
        except OSError:
            udp.close()
            tcp.close()
            continue
        break
    else:  # pragma: no cover - the machine has no free port pair
        raise RuntimeError("no free port pair for a DNS server")
    tcp.listen(16)
    threads = [
        threading.Thread(target=serve_udp, args=(udp,), daemon=True),
        threading.Thread(target=serve_tcp, args=(tcp,), daemon=True),
    ]
    for thread in threads:
        thread.start()
    try:
        yield port
    finally:
        stop.set()
        for sock in (udp, tcp):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        for thread in threads:
            thread.join(5)


@contextlib.contextmanager
def dns_server() -> Iterator[DnsServer]:
    """A DNS server on 127.0.0.1, one free port for both UDP and TCP."""
    server = DnsServer(port=0)
    with udp_and_tcp(server._serve_udp, server._serve_tcp, server._stop) as port:
        server.port = port
        yield server
