"""A hostile DNS server on loopback: answers that are wrong on purpose (engineer G's attacks).

``mode`` says how: ``wrong-id`` (every answer carries another query id), ``truncated`` (TC set
over UDP and over TCP, never an answer), ``drip`` (UDP says TC; over TCP the answer comes one
byte every 0.2 s), ``garbage`` (bytes that are not a DNS message). Every question is counted.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import dns.flags
import dns.message
import dns.rrset

from tests.support.dnsserver import udp_and_tcp


@dataclass
class HostileDns:
    mode: str
    port: int = 0
    questions: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _answer(self, wire: bytes, transport: str) -> bytes:
        self.questions += 1
        if self.mode == "garbage":
            return b"\xff" * 40
        query = dns.message.from_wire(wire)
        response = dns.message.make_response(query)
        question = query.question[0]
        response.answer.append(dns.rrset.from_text(question.name, 60, "IN", "TXT", '"v=spf1 -all"'))
        if self.mode == "wrong-id":
            response.id = (query.id + 1) % 65536
        if self.mode == "truncated" or (self.mode == "drip" and transport == "udp"):
            response = dns.message.make_response(query)
            response.flags |= dns.flags.TC
        return response.to_wire()

    def serve_udp(self, sock: socket.socket) -> None:
        while not self.stop.is_set():
            try:
                wire, peer = sock.recvfrom(65535)
                sock.sendto(self._answer(wire, "udp"), peer)
            except OSError:
                return
            except Exception:  # a query it cannot read: say nothing
                continue

    def serve_tcp(self, listener: socket.socket) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=self._tcp_client, args=(conn,), daemon=True).start()

    def _tcp_client(self, conn: socket.socket) -> None:
        with conn, contextlib.suppress(Exception):
            size = struct.unpack("!H", conn.recv(2))[0]
            wire = b""
            while len(wire) < size:
                chunk = conn.recv(size - len(wire))
                if not chunk:
                    return
                wire += chunk
            answer = self._answer(wire, "tcp")
            framed = struct.pack("!H", len(answer)) + answer
            if self.mode != "drip":
                conn.sendall(framed)
                return
            for i in range(len(framed)):
                if self.stop.wait(0.2):
                    return
                conn.sendall(framed[i : i + 1])


@contextlib.contextmanager
def hostile_dns(mode: str) -> Iterator[HostileDns]:
    """A hostile DNS server on 127.0.0.1 (one free port, UDP and TCP)."""
    server = HostileDns(mode, 0)
    with udp_and_tcp(server.serve_udp, server.serve_tcp, server.stop) as port:
        server.port = port
        yield server
